/**
 * `npm run bench:analytics` — times every analytics endpoint over the tenant `npm run seed:big`
 * made, through HTTP on a real server (routing, auth, validation, SQL, JSON), and prints p50 and
 * p95 per endpoint next to a baseline measured in the same run (a trivial authenticated read),
 * so a slow machine shows up as a slow baseline rather than as slow analytics.
 *
 *   npm run bench:analytics                 # a table
 *   npm run bench:analytics -- --json       # one line: {"endpoints":{…},"worstP95Ms":…,"baseline":…}
 *   npm run bench:analytics -- --runs 50    # samples per endpoint (default 30, after 3 warm-ups)
 *
 * Target: worst p95 ≤ 300 ms on a 2-core machine. Uses DATABASE_URL or the embedded database in
 * DATA_DIR, like the seed (stop `npm start` first when both use the embedded one).
 */
import pino from 'pino';
import { refreshRollups } from '../src/analytics/rollups';
import { createApiKey, revokeApiKey } from '../src/api-keys/service';
import { startServer } from '../src/boot';
import { loadConfig } from '../src/config';
import { bigEmail } from './seed-big/constants';

const targetMs = 300;

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
const round = (ms: number): number => Math.round(ms * 10) / 10;
const day = (offset: number): string => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

/** The dashboard's default view (the last 30 days by day), hourly for a week, and every CSV. */
function endpoints(): Record<string, string> {
  const month = `from=${day(-29)}&to=${day(0)}`;
  const week = `from=${day(-6)}&to=${day(0)}`;
  const tables = ['summary', 'timeseries', 'models', 'personas', 'funnel', 'insufficient-credits'];
  return {
    ...Object.fromEntries(tables.map((t) => [t, `/api/analytics/${t}?${month}`])),
    'timeseries (hourly, 7 days)': `/api/analytics/timeseries?${week}&granularity=hour`,
    'timeseries (weekly, 90 days)': `/api/analytics/timeseries?from=${day(-89)}&to=${day(0)}&granularity=week`,
    ...Object.fromEntries(tables.map((t) => [`${t}.csv`, `/api/analytics/${t}.csv?${month}`])),
  };
}

async function time(url: string, token: string): Promise<number> {
  const started = performance.now();
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  return performance.now() - started;
}

async function measure(url: string, token: string, runs: number) {
  for (let i = 0; i < 3; i += 1) await time(url, token);
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) samples.push(await time(url, token));
  samples.sort((a, b) => a - b);
  return { p50Ms: round(percentile(samples, 50)), p95Ms: round(percentile(samples, 95)) };
}

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const runs = flag('runs', 30);
  const config = loadConfig({ ...process.env, PORT: '0', HOST: '127.0.0.1', SEED_DEMO: 'false', LOG_LEVEL: 'silent' });
  const running = await startServer(config, pino({ level: 'silent' }));
  const { models, pool, clock } = running.deps;
  try {
    const { rows } = await pool.query<{ tenant_id: string }>(
      'SELECT m.tenant_id FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = $1', [bigEmail]);
    if (!rows[0]) throw new Error(`No seeded tenant: run "npm run seed:big" first (against the same database).`);
    const scope = { tenantId: rows[0].tenant_id, role: 'owner' as const, actor: { type: 'system' as const, id: 'bench' } };
    // The steady state: rollups as the job keeps them (a no-op when it ran a moment ago).
    await refreshRollups({ db: pool, now: new Date(), force: true });
    const { key, token } = await createApiKey({ models, scope, kind: 'secret', name: 'bench:analytics' });
    try {
      const base = `http://127.0.0.1:${running.config.port}`;
      const baseline = await measure(`${base}/api/workspace`, token, runs);
      const results: Record<string, { p50Ms: number; p95Ms: number }> = {};
      for (const [name, path] of Object.entries(endpoints())) {
        results[name] = await measure(base + path, token, runs);
        if (!json) process.stdout.write(`  ${name.padEnd(30)} p50 ${String(results[name]!.p50Ms).padStart(7)} ms   p95 ${String(results[name]!.p95Ms).padStart(7)} ms\n`);
      }
      const worstP95Ms = Math.max(...Object.values(results).map((r) => r.p95Ms));
      if (json) {
        process.stdout.write(`${JSON.stringify({ endpoints: results, worstP95Ms, baseline: { endpoint: 'GET /api/workspace', ...baseline }, runs, targetMs })}\n`);
      } else {
        process.stdout.write(`  ${'baseline: GET /api/workspace'.padEnd(30)} p50 ${String(baseline.p50Ms).padStart(7)} ms   p95 ${String(baseline.p95Ms).padStart(7)} ms\n`);
        process.stdout.write(`Worst p95: ${worstP95Ms} ms (target ≤ ${targetMs} ms): ${worstP95Ms <= targetMs ? 'within target' : 'OVER TARGET'}\n`);
      }
    } finally {
      await revokeApiKey({ models, scope, id: key.id, clock });
    }
  } finally {
    await running.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:analytics failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
