/**
 * Ledger throughput: `npm run bench:ledger [-- --clients 16 --duration 10 --json]`.
 *
 * Runs on DATABASE_URL, or on the embedded PostgreSQL in DATA_DIR that `npm start` and
 * `npm run ledger:verify` use (started here with PostgreSQL's durability defaults: fsync and
 * synchronous_commit on; stop `npm start` first), migrates it, seeds a "ledger bench" workspace
 * of 1,001 visitors that it leaves in place (so `npm run ledger:verify` afterwards checks what the
 * run did), and runs for `duration` seconds each, with `clients` concurrent connections:
 *   - baseline: a bare `UPDATE t SET n = n - 1 WHERE id = $1` on a one-row table;
 *   - hot:      one account, each turn a reserve then a settle;
 *   - spread:   the same over 1,000 accounts.
 * Turns go through the ledger service's own reserve and settle, batching included (the service
 * groups calls that arrive while others are in flight into one commit; see
 * server/src/ledger/batcher.ts). `--batch-connections N` and `--batch-max N` change its settings;
 * the baseline stays one bare UPDATE per round trip and commit.
 * Ratios are turns per second over baseline updates per second. Latencies are per turn
 * (reserve + settle as a client sees them), from the hot phase: the contended worst case.
 */
import crypto from 'node:crypto';
import { Pool } from 'pg';
import { openBenchDatabase } from './bench-chat/processes';
import { migrateUp } from '../src/db/migrator';
import { createSequelize } from '../src/db/sequelize';
import { configureLedgerBatching, type BatchingOptions, type BatcherStats } from '../src/ledger/batcher';
import { grant } from '../src/ledger/grant';
import { reserve, settle } from '../src/ledger/hot-path';
import { createVisitor } from '../src/visitors/service';

interface Options {
  clients: number;
  durationSec: number;
  json: boolean;
  /** The hot path's batching (server/src/ledger/batcher.ts); unset: the service's defaults. */
  batching: Partial<BatchingOptions>;
}

function parseArgs(argv: string[]): Options {
  const value = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const clients = Number(value('clients') ?? 16);
  const durationSec = Number(value('duration') ?? 10);
  if (!Number.isInteger(clients) || clients < 1 || clients > 150) throw new Error('--clients must be an integer from 1 to 150');
  if (!(durationSec > 0 && durationSec <= 600)) throw new Error('--duration must be seconds, more than 0');
  const batching: Partial<BatchingOptions> = {};
  if (value('batch-connections') !== undefined) batching.connections = Number(value('batch-connections'));
  if (value('batch-max') !== undefined) batching.maxOps = Number(value('batch-max'));
  return { clients, durationSec, json: argv.includes('--json'), batching };
}

interface PhaseResult {
  perSec: number;
  count: number;
  latenciesMs: number[];
}

/** Runs `op` in `clients` loops for `durationSec`; counts completions and records their latency. */
async function phase(clients: number, durationSec: number, op: (client: number) => Promise<void>): Promise<PhaseResult> {
  const latenciesMs: number[] = [];
  const started = performance.now();
  const deadline = started + durationSec * 1000;
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        await op(client);
        latenciesMs.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return { perSec: latenciesMs.length / elapsed, count: latenciesMs.length, latenciesMs };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const price = { messageFee: 200, inputPer1k: 500, outputPer1k: 1500 };

async function turn(pool: Pool, tenantId: string, visitorId: string): Promise<void> {
  const now = new Date();
  const held = await reserve({
    db: pool, tenantId, visitorId, min: 1000, max: 5000, expiresAt: new Date(now.getTime() + 600_000),
    idempotencyKey: crypto.randomUUID(), price, now,
  });
  if (!held.ok) throw new Error('bench account ran dry');
  await settle({ db: pool, tenantId, holdId: held.hold.id, amount: 3000, now: new Date() });
}

async function seed(pool: Pool, accounts: number): Promise<{ tenantId: string; visitors: string[] }> {
  const { rows } = await pool.query<{ id: string }>("INSERT INTO tenants (name) VALUES ('ledger bench') RETURNING id");
  const tenantId = rows[0]!.id;
  const visitors: string[] = [];
  const actor = { type: 'system' as const, id: 'bench' };
  for (let i = 0; i < accounts; i += 1) {
    const v = await createVisitor({ db: pool, tenantId });
    await grant({ db: pool, tenantId, visitorId: v.id, amount: 1_000_000_000_000, source: 'promotion', actor, now: new Date() });
    visitors.push(v.id);
  }
  return { tenantId, visitors };
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const database = await openBenchDatabase();
  const pool = new Pool({ connectionString: database.url, max: options.clients + 2 });
  const batcher = configureLedgerBatching(pool, options.batching);
  // Stopping the embedded server ends idle connections; that is expected, not a crash.
  pool.on('error', () => undefined);
  try {
    const sequelize = createSequelize({ url: database.url, poolMax: 2 });
    await migrateUp(sequelize);
    await sequelize.close();
    await pool.query('CREATE TABLE IF NOT EXISTS parley_bench_counter (id integer PRIMARY KEY, n bigint NOT NULL)');
    await pool.query('INSERT INTO parley_bench_counter VALUES (1, 0) ON CONFLICT (id) DO NOTHING');
    const { tenantId, visitors } = await seed(pool, 1001);
    const [hotVisitor, ...spreadVisitors] = visitors as [string, ...string[]];
    const { clients, durationSec } = options;

    // A short warm-up prepares every connection's statements and fills the caches.
    await phase(clients, 1, () => turn(pool, tenantId, spreadVisitors[Math.floor(Math.random() * spreadVisitors.length)]!));
    const baseline = await phase(clients, durationSec, async () => {
      await pool.query({ name: 'bench_baseline', text: 'UPDATE parley_bench_counter SET n = n - 1 WHERE id = $1', values: [1] });
    });
    const hot = await phase(clients, durationSec, () => turn(pool, tenantId, hotVisitor));
    const spread = await phase(clients, durationSec, () =>
      turn(pool, tenantId, spreadVisitors[Math.floor(Math.random() * spreadVisitors.length)]!),
    );
    await pool.query('DROP TABLE parley_bench_counter');
    report(options, baseline, hot, spread, batcher.options, batcher.stats);
  } finally {
    await pool.end();
    await database.embedded?.stop();
  }
}

function report(
  options: Options, baseline: PhaseResult, hot: PhaseResult, spread: PhaseResult, batching: BatchingOptions, stats: BatcherStats,
): void {
  const round = (n: number, digits = 1) => Number(n.toFixed(digits));
  const sorted = (r: PhaseResult) => [...r.latenciesMs].sort((a, b) => a - b);
  const hotSorted = sorted(hot);
  const spreadSorted = sorted(spread);
  const summary = {
    clients: options.clients,
    durationSec: options.durationSec,
    hotTurnsPerSec: round(hot.perSec),
    spreadTurnsPerSec: round(spread.perSec),
    baselineUpdatesPerSec: round(baseline.perSec),
    hotRatio: round(hot.perSec / baseline.perSec, 3),
    spreadRatio: round(spread.perSec / baseline.perSec, 3),
    p50Ms: round(percentile(hotSorted, 50), 2),
    p99Ms: round(percentile(hotSorted, 99), 2),
  };
  if (options.json) {
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return;
  }
  const row = (name: string, r: PhaseResult, unit: string, s: number[]) =>
    `${name.padEnd(10)}${`${round(r.perSec)} ${unit}/s`.padStart(22)}${String(r.count).padStart(10)}` +
    `${round(percentile(s, 50), 2).toFixed(2).padStart(10)}${round(percentile(s, 99), 2).toFixed(2).padStart(10)}`;
  const lines = [
    `Ledger benchmark: ${options.clients} clients, ${options.durationSec} s per phase, fsync and synchronous_commit on`,
    '',
    `${'phase'.padEnd(10)}${'throughput'.padStart(22)}${'count'.padStart(10)}${'p50 ms'.padStart(10)}${'p99 ms'.padStart(10)}`,
    row('baseline', baseline, 'updates', sorted(baseline)),
    row('hot', hot, 'turns', hotSorted),
    row('spread', spread, 'turns', spreadSorted),
    '',
    `hot/baseline ${summary.hotRatio}   spread/baseline ${summary.spreadRatio}   (a turn is a reserve and a settle)`,
    `batching: ${batching.connections} connections, at most ${batching.maxOps} ops a batch; ` +
      `${stats.batches} batches carried ${stats.batchedOps} ops (${round(stats.batchedOps / Math.max(1, stats.batches))} each, ${stats.setOps} set-based), ` +
      `${stats.singles} ops alone, ${stats.fallbacks} fallbacks (all phases incl. warm-up)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:ledger failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
