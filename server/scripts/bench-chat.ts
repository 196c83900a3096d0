/**
 * Chat gateway overhead: `npm run bench:chat [-- --clients 500 --ramp-ms 4000 --json --timeline]`.
 *
 * Starts the real server (`server/main.ts` in a child process) on DATABASE_URL, or on the embedded
 * PostgreSQL in DATA_DIR that `npm start` and `npm run ledger:verify` use (started here, with
 * PostgreSQL's durability defaults), and a fake OpenAI server in a process of its own (time to
 * first token 200 ms, 50 tokens/s, 200 tokens a reply). Then the same N clients, their first
 * messages spread evenly over `--ramp-ms`, do one reply each, twice:
 *   - baseline: straight from the fake provider, through the server's own OpenAI provider code (the
 *               official SDK makes the request, the server's SSE reader parses the stream);
 *   - chat:     as widget visitors connected to the gateway (all N connected before the first
 *               message): limits, idempotent record and hold, provider call, coalesced chunks,
 *               settle, balance push.
 * Both phases are preceded by a short warm-up (JIT, pools, prepared statements).
 *
 * The default ramp (4 s, 125 messages/s) is shorter than a reply (4.2 s), so all N replies are on
 * the wire together (the table shows the peak); `--ramp-ms 0` is a true burst of N at once.
 *
 * Why the baseline uses the server's provider code: the server reads the chat-completions stream
 * with a lean reader (server/src/providers/sse-reader.ts) rather than the SDK's iterator: in this
 * bench's server profile the SDK's iterator plus a per-token guard cost ~40 µs of CPU per token,
 * the reader ~11 µs (500 replies × 50 tokens/s: a core vs a quarter). A baseline on the SDK's
 * iterator would be slowed by that cost and flatter the server; on the same code as the server,
 * "added" is only what the gateway adds.
 *
 * Added time to first token is the chat phase's percentile minus the baseline's. The event loop
 * figure is the server's p99 over the chat phase (its Prometheus gauge); tokens/s is what all
 * visitors received together; server CPU is what the server process used over the chat phase. A
 * turn counts as settled when it ended `done` with a charge, and afterwards the tenant has no
 * pending hold and every ledger invariant holds (a violation counts as an error). Exits 1 when a
 * target is missed. The machine's other load shows in both phases' figures: report `uptime` too.
 * The server runs with `--max-semi-space-size=32` (a larger young generation: each streamed token
 * allocates, and the default one makes frequent pauses); set BENCH_SERVER_NODE_ARGS to change its
 * flags (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile it), and BENCH_FAKE_NODE_ARGS those
 * of the fake provider's process. BENCH_DEBUG=1 prints progress and logs to stderr.
 */
import { Pool } from 'pg';
import { formatViolation, verifyLedger } from '../src/ledger/verify';
import { startFakeOpenAI } from '../../test/fakes/fake-openai';
import { baselinePhase, chatPhase, percentile, round, sleep, ttftTimeline, type PhaseResult } from './bench-chat/phases';
import { openBenchDatabase, progress, setUpTenant, startChild, stopChild } from './bench-chat/processes';
import type { ChildProcess } from 'node:child_process';

const targets = { addedTtftP50Ms: 5, addedTtftP99Ms: 30 };
const fake = { firstTokenMs: 200, tokensPerSecond: 50, replyTokens: 200 };
const serverNodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '--max-semi-space-size=32').split(' ').filter(Boolean);
const fakeNodeArgs = (process.env.BENCH_FAKE_NODE_ARGS ?? '').split(' ').filter(Boolean);

interface Options { clients: number; rampMs: number; json: boolean; timeline: boolean }

function parseArgs(argv: string[]): Options {
  const value = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const clients = Number(value('clients') ?? 500);
  const rampMs = Number(value('ramp-ms') ?? 4_000);
  if (!Number.isInteger(clients) || clients < 1 || clients > 5000) throw new Error('--clients must be an integer from 1 to 5000');
  if (!Number.isFinite(rampMs) || rampMs < 0) throw new Error('--ramp-ms must be a number of milliseconds');
  return { clients, rampMs, json: argv.includes('--json'), timeline: argv.includes('--timeline') };
}

async function scrape(url: string): Promise<string> {
  return (await fetch(`${url}/metrics`)).text();
}
const metric = (text: string, name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);

/** The fake provider in a process of its own, so that neither phase measures it competing with the clients. */
async function serveFake(): Promise<void> {
  const server = await startFakeOpenAI({ behaviour: fake, record: false });
  process.stdout.write(`fake provider at ${server.url}\n`);
  process.once('SIGTERM', () => void server.close().then(() => process.exit(0)));
}

function printTable(o: Options, baseline: PhaseResult, chat: PhaseResult, result: Record<string, number>, after: { pending: number; violations: number; serverCpuSec: number }) {
  const row = (label: string, b: number | string, c: number | string, note = '') =>
    process.stdout.write(`  ${label.padEnd(28)}${String(b).padStart(10)}${String(c).padStart(10)}  ${note}\n`);
  process.stdout.write(`\nParley chat gateway: ${o.clients} clients, first messages over ${o.rampMs} ms; fake provider: TTFT ${fake.firstTokenMs} ms, ${fake.tokensPerSecond} tokens/s, ${fake.replyTokens} tokens\n\n`);
  row('', 'baseline', 'chat');
  row('time to first token p50 (ms)', round(percentile(baseline.ttft, 50)), round(percentile(chat.ttft, 50)), `added ${result.addedTtftP50Ms} (target ≤ ${targets.addedTtftP50Ms})`);
  row('time to first token p99 (ms)', round(percentile(baseline.ttft, 99)), round(percentile(chat.ttft, 99)), `added ${result.addedTtftP99Ms} (target ≤ ${targets.addedTtftP99Ms})`);
  row('replies streaming at once', baseline.peakConcurrent, chat.peakConcurrent, '(peak)');
  row('tokens/s, all clients', round(baseline.tokensPerSec, 0), result.tokensPerSec!);
  row('errors', baseline.errors, chat.errors, [...chat.firstErrors, ...baseline.firstErrors].join('; '));
  row('settled turns', '-', `${result.settled}/${o.clients}`, `pending holds after: ${after.pending}; ledger violations: ${after.violations}`);
  row('server event loop p99 (ms)', '-', result.eventLoopP99Ms!);
  row('server CPU, whole phase (s)', '-', round(after.serverCpuSec, 2));
  process.stdout.write('\n');
}

/** `--timeline`: both phases' time to first token per 500 ms of the ramp (on stderr with --json). */
function printTimeline(o: Options, baseline: PhaseResult, chat: PhaseResult): void {
  const out = o.json ? process.stderr : process.stdout;
  const slice = 500;
  const base = new Map(ttftTimeline(baseline.sent, slice).map((row) => [row.fromMs, row]));
  out.write(`time to first token (ms) by when the message was sent\n  sent at (ms)    turns   baseline p50 / max      chat p50 / p90 / max\n`);
  for (const row of ttftTimeline(chat.sent, slice)) {
    const b = base.get(row.fromMs);
    const cells = [b ? `${round(b.p50)} / ${round(b.max)}` : '-', `${round(row.p50)} / ${round(row.p90)} / ${round(row.max)}`];
    out.write(`  ${`${row.fromMs}–${row.fromMs + slice}`.padEnd(14)}${String(row.turns).padStart(7)}   ${cells[0]!.padEnd(22)}${cells[1]}\n`);
  }
  out.write('\n');
}

async function main(): Promise<void> {
  if (process.argv.includes('--serve-fake')) return serveFake();
  const o = parseArgs(process.argv.slice(2));
  const database = await openBenchDatabase();
  const pool = new Pool({ connectionString: database.url, max: 2 });
  pool.on('error', () => undefined);
  const children: ChildProcess[] = [];
  try {
    const provider = await startChild({ args: ['server/scripts/bench-chat.ts', '--serve-fake'], marker: /fake provider at (\S+)/, nodeArgs: fakeNodeArgs });
    children.push(provider.child);
    const server = await startChild({
      args: ['server/main.ts'],
      marker: /Parley is running at (\S+)/,
      nodeArgs: serverNodeArgs,
      env: {
        PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', DATABASE_URL: database.url, OPENAI_API_KEY: 'sk-bench', OPENAI_BASE_URL: provider.url,
        CHAT_NEW_VISITORS_PER_IP_PER_HOUR: '1000000', CHAT_CONNECTIONS_PER_IP_PER_MIN: '1000000', CHAT_TENANT_MESSAGES_PER_MIN: '1000000',
        AUTH_RATE_LIMIT_PER_MIN: '1000',
      },
    });
    children.unshift(server.child); // stopped first: it drains its turns
    const tenant = await setUpTenant(server.url);
    const target = { url: server.url, key: tenant.key, personaId: tenant.personaId };
    progress(`server at ${server.url}, fake provider at ${provider.url}; warming up`);
    const warmUp = { clients: Math.min(50, o.clients), rampMs: 1000 };
    await baselinePhase(warmUp, provider.url);
    await chatPhase(warmUp, target, async () => undefined);
    progress('baseline');
    const baseline = await baselinePhase(o, provider.url);
    await sleep(500);
    progress('chat');
    // Scraping resets the server's event-loop histogram: what it reports next is the chat phase alone.
    let cpuBefore = 0;
    const chat = await chatPhase(o, target, async () => {
      cpuBefore = metric(await scrape(server.url), 'parley_process_cpu_seconds_total');
    });
    const metrics = await scrape(server.url);
    const serverCpuSec = metric(metrics, 'parley_process_cpu_seconds_total') - cpuBefore;
    const { rows } = await pool.query<{ pending: number }>(
      `SELECT count(*)::int AS pending FROM holds WHERE tenant_id = $1 AND status = 'pending'`, [tenant.tenantId],
    );
    const pending = rows[0]!.pending;
    const violations = await verifyLedger({ db: pool, tenantId: tenant.tenantId });
    for (const v of violations) process.stderr.write(`ledger violation: ${formatViolation(v)}\n`);
    const result = {
      clients: o.clients,
      addedTtftP50Ms: round(percentile(chat.ttft, 50) - percentile(baseline.ttft, 50)),
      addedTtftP99Ms: round(percentile(chat.ttft, 99) - percentile(baseline.ttft, 99)),
      tokensPerSec: round(chat.tokensPerSec, 0),
      eventLoopP99Ms: round(metric(metrics, 'parley_nodejs_eventloop_lag_p99_seconds') * 1000),
      errors: chat.errors + baseline.errors + violations.length,
      settled: pending === 0 ? chat.settled : 0,
    };
    if (o.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else printTable(o, baseline, chat, result, { pending, violations: violations.length, serverCpuSec });
    if (o.timeline) printTimeline(o, baseline, chat);
    const met = result.addedTtftP50Ms <= targets.addedTtftP50Ms && result.addedTtftP99Ms <= targets.addedTtftP99Ms
      && result.errors === 0 && result.settled === o.clients;
    process.exitCode = met ? 0 : 1;
  } finally {
    for (const child of children) await stopChild(child);
    await pool.end();
    await database.embedded?.stop();
  }
}

// The bench exits explicitly: the embedded PostgreSQL's exit hook would otherwise end the process
// with 0 on `beforeExit`, whatever exitCode says. The fake provider's process stays up until told.
const serving = process.argv.includes('--serve-fake');
main().then(() => serving || process.exit(process.exitCode ?? 0), (err: unknown) => {
  process.stderr.write(`bench:chat failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
