/**
 * `npm run seed:big` — a tenant with 1,000,000 chat messages, 100,000 visitors and their ledger,
 * for `npm run bench:analytics` and for trying the dashboard at scale. Set-based SQL
 * (generate_series into temp tables, then bulk inserts), so it takes minutes, not hours.
 *
 *   npm run seed:big                      # seeds once; a second run says it is already there
 *   npm run seed:big -- --fresh           # deletes the big tenant first
 *   npm run seed:big -- --visitors 10000 --messages 100000 --days 30
 *
 * Uses DATABASE_URL, or the embedded database in DATA_DIR as `npm start` does (stop the server
 * first: one embedded PostgreSQL per data folder). Logs in as big@parley.local (password printed).
 */
import crypto from 'node:crypto';
import { Client, Pool } from 'pg';
import { refreshRollups } from '../src/analytics/rollups';
import { signUp } from '../src/auth/service';
import { openDatabase } from '../src/boot';
import { loadConfig } from '../src/config';
import { migrateUp } from '../src/db/migrator';
import { initModels } from '../src/db/models';
import { createSequelize } from '../src/db/sequelize';
import { createLogger } from '../src/logger';
import { activitySteps } from './seed-big/activity';
import { models as catalogueModels, packs, personas, seedCatalogue } from './seed-big/catalogue';
import { bigEmail } from './seed-big/constants';
import { ledgerSteps } from './seed-big/ledger';


function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
}

/** Multi-statement SQL cannot take bind parameters, so the few (validated) values are inlined. */
function inline(sql: string, values: Array<string | number>): string {
  return sql.replace(/\$(\d)\b/g, (_m, n: string) => {
    const v = values[Number(n) - 1];
    if (v === undefined) throw new Error(`no value for $${n}`);
    return typeof v === 'number' ? String(v) : `'${v.replace(/'/g, "''")}'`;
  });
}

async function timed(label: string, run: () => Promise<unknown>): Promise<void> {
  const started = Date.now();
  process.stdout.write(`  ${label}…`);
  await run();
  process.stdout.write(` ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

/** One statement at a time, so a slow one can be named (SEED_DEBUG=1 prints each with its time). */
async function runStatement(db: Client, sql: string): Promise<void> {
  const started = Date.now();
  await db.query(sql);
  if (process.env.SEED_DEBUG) process.stdout.write(`\n    ${Date.now() - started} ms  ${sql.trim().split('\n')[0]}`);
}

async function removeExisting(db: Client): Promise<boolean> {
  const { rows } = await db.query<{ id: string }>(
    'SELECT m.tenant_id AS id FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = $1', [bigEmail]);
  if (!process.argv.includes('--fresh')) return rows.length > 0;
  await timed('removing the previous big tenant', async () => {
    await db.query('BEGIN');
    // The ledger refuses deletes unless a purge is declared for the transaction (see the ledger migration).
    await db.query("SET LOCAL parley.ledger_purge = 'on'");
    // Children first: deleting a grant or hold would otherwise look each one up in these big tables.
    for (const table of ['purchases', 'chat_messages', 'chat_conversations', 'tenants']) {
      await db.query(`DELETE FROM ${table} WHERE ${table === 'tenants' ? 'id' : 'tenant_id'} = ANY($1::uuid[])`, [rows.map((r) => r.id)]);
    }
    await db.query('DELETE FROM users WHERE email = $1', [bigEmail]);
    await db.query('COMMIT');
  });
  return false;
}

async function main(): Promise<void> {
  const visitors = flag('visitors', 100_000);
  const turns = Math.ceil(flag('messages', 1_000_000) / 2);
  const days = flag('days', 90);
  const config = loadConfig(process.env);
  const logger = createLogger('warn');
  const database = await openDatabase(config, logger);
  const sequelize = createSequelize({ url: database.url, poolMax: 2 });
  const db = new Client({ connectionString: database.url });
  await db.connect();
  try {
    await migrateUp(sequelize, logger);
    if (await removeExisting(db)) {
      process.stdout.write(`The big tenant already exists (${bigEmail}); run with --fresh to seed it again.\n`);
      return;
    }
    const password = crypto.randomBytes(12).toString('base64url');
    const { tenant } = await signUp({ models: initModels(sequelize), input: { email: bigEmail, password, name: 'Big owner', workspaceName: 'Big Co (seeded)' } });
    process.stdout.write(`Seeding ${visitors} visitors, ${turns * 2} messages over ${days} days into "${tenant.name}":\n`);
    const values = [tenant.id, new Date().toISOString(), days, visitors, turns];
    await db.query('BEGIN');
    await db.query('SET LOCAL synchronous_commit = off');
    await db.query("SET LOCAL work_mem = '256MB'");
    // No live-feed notification per seeded conversation (see the analytics migration).
    await db.query("SET LOCAL parley.quiet_notify = 'on'");
    await db.query('SELECT setseed(0.42)');
    const catalogue = await seedCatalogue(db, tenant.id);
    await db.query(lookupTables(catalogue));
    for (const step of [...activitySteps, ...ledgerSteps]) {
      await timed(step.name, async () => {
        for (const statement of step.sql.split(/;\s*\n/).filter((s) => s.trim())) await runStatement(db, inline(statement, values));
      });
    }
    await timed('checking double entry and committing', () => db.query('COMMIT'));
    await timed('analytics rollups', async () => {
      const pool = new Pool({ connectionString: database.url, max: 1 });
      try {
        await refreshRollups({ db: pool, now: new Date(), from: new Date(Date.now() - (days + 1) * 86_400_000), force: true });
      } finally {
        await pool.end();
      }
    });
    await timed('vacuum and analyze', () =>
      db.query('VACUUM (ANALYZE) visitors, chat_conversations, chat_messages, purchases, grants, ledger_transactions, ledger_entries, ledger_accounts, analytics_usage_rollups, analytics_visitor_rollups'));
    const counts = await db.query<{ messages: string; visitors: string; purchases: string }>(
      `SELECT (SELECT count(*) FROM chat_messages WHERE tenant_id = $1) AS messages, (SELECT count(*) FROM visitors WHERE tenant_id = $1) AS visitors,
              (SELECT count(*) FROM purchases WHERE tenant_id = $1) AS purchases`, [tenant.id]);
    const c = counts.rows[0]!;
    process.stdout.write(`Done: ${c.visitors} visitors, ${c.messages} messages, ${c.purchases} purchases.\n`);
    process.stdout.write(`Dashboard login: ${bigEmail} / ${password}\n`);
  } catch (err) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    await db.end();
    await sequelize.close();
    await database.embedded?.stop();
  }
}

/** Lookup tables the steps join to: which persona a conversation gets, which pack a buyer picks. */
function lookupTables(c: Awaited<ReturnType<typeof seedCatalogue>>): string {
  const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
  const personaRows = personas.map((p, i) => {
    const m = catalogueModels.find((x) => x.key === p.model)!;
    const from = i === 0 ? 0 : personas[i - 1]!.upTo;
    return `(${lit(c.personaIds[i]!)}::uuid, ${lit(c.modelIds[p.model]!)}::uuid, ${from}, ${p.upTo}, ${m.fee}, ${m.in}, ${m.out}, ${lit(m.provider)}, ${lit(m.model)})`;
  });
  const packRows = packs.map((p, i) => {
    const from = i === 0 ? 0 : packs[i - 1]!.upTo;
    return `(${lit(c.packIds[i]!)}::uuid, ${lit(p.name)}, ${p.credits}, ${p.amountMinor}, ${lit(p.currency)}, ${from}::float8, ${p.upTo}::float8)`;
  });
  return `
    CREATE TEMP TABLE seed_personas (persona_id, model_id, from_pick, up_to, fee, in_rate, out_rate, provider, provider_model) AS
      VALUES ${personaRows.join(', ')};
    CREATE TEMP TABLE seed_packs (pack_id, name, credits, amount_minor, currency, from_r, up_to) AS VALUES ${packRows.join(', ')};`;
}

main().catch((err: unknown) => {
  process.stderr.write(`seed:big failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
