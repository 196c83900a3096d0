/**
 * `npm run ledger:verify`: checks every ledger invariant (see server/src/ledger/verify.ts) against
 * DATABASE_URL, or the embedded database in DATA_DIR (default .data): the running server's if
 * `npm start` has it open, otherwise started here (and migrated, as `npm start` would).
 * Prints each violation with its ids; exits 1 if there is any, 0 when the ledger is sound.
 * Optional: `-- --tenant <uuid>` checks one tenant.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { Pool } from 'pg';
import { openDatabase } from '../src/boot';
import { loadConfig, type Config } from '../src/config';
import type { EmbeddedDatabase } from '../src/db/embedded';
import { migrateUp } from '../src/db/migrator';
import { createSequelize } from '../src/db/sequelize';
import { formatViolation, verifyLedger } from '../src/ledger/verify';
import { createLogger } from '../src/logger';

const out = (line: string) => process.stdout.write(`${line}\n`);

/** A server already running on the embedded cluster holds its lock file: connect to that one. */
async function runningEmbeddedUrl(dataDir: string): Promise<string | undefined> {
  const dir = path.join(dataDir, 'pg');
  const pidFile = await fs.readFile(path.join(dir, 'postmaster.pid'), 'utf8').catch(() => undefined);
  if (!pidFile) return undefined;
  const [pid, , , port] = pidFile.split('\n');
  try {
    process.kill(Number(pid), 0);
  } catch {
    return undefined; // a stale lock file: PostgreSQL is not running
  }
  const password = (await fs.readFile(`${dir}.password`, 'utf8')).trim();
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${Number(port)}/parley`;
}

async function connect(config: Config): Promise<{ url: string; embedded?: EmbeddedDatabase }> {
  if (config.databaseUrl) return { url: config.databaseUrl };
  const running = await runningEmbeddedUrl(config.dataDir);
  if (running) return { url: running };
  const database = await openDatabase(config, createLogger('warn'));
  const sequelize = createSequelize({ url: database.url, poolMax: 2 });
  try {
    await migrateUp(sequelize);
  } finally {
    await sequelize.close();
  }
  return database;
}

async function main(): Promise<number> {
  const config = loadConfig(process.env);
  const tenantFlag = process.argv.indexOf('--tenant');
  const tenantId = tenantFlag >= 0 ? process.argv[tenantFlag + 1] : undefined;
  const database = await connect(config);
  const pool = new Pool({ connectionString: database.url, max: 1 });
  pool.on('error', () => undefined);
  try {
    const present = await pool.query("SELECT to_regclass('public.ledger_entries') IS NOT NULL AS ok");
    if (!present.rows[0]?.ok) {
      out('ledger:verify: this database has no ledger tables; run the migrations (npm run migrate) first');
      return 2;
    }
    const violations = await verifyLedger({ db: pool, tenantId });
    const counts = await pool.query<{ accounts: string; entries: string }>(
      'SELECT (SELECT count(*) FROM ledger_accounts) AS accounts, (SELECT count(*) FROM ledger_entries) AS entries',
    );
    for (const v of violations) out(formatViolation(v));
    const scope = `${counts.rows[0]?.accounts ?? 0} accounts, ${counts.rows[0]?.entries ?? 0} entries${tenantId ? `, tenant ${tenantId}` : ''}`;
    out(violations.length ? `ledger:verify: ${violations.length} violation(s) (${scope})` : `ledger:verify: all invariants hold (${scope})`);
    return violations.length ? 1 : 0;
  } finally {
    await pool.end();
    await database.embedded?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`ledger:verify failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  },
);
