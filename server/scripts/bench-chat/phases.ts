import { monitorEventLoopDelay } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import { createOpenAIProvider } from '../../src/providers/openai';
import type { ClientToServerEvents, ServerToClientEvents } from '../../src/wire/chat';
import { progress } from './processes';

export const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};
export const round = (n: number, digits = 1): number => Math.round(n * 10 ** digits) / 10 ** digits;
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface Turn {
  startedAt: number;
  ttftMs?: number;
  endedAt?: number;
  tokens: number;
  settled: boolean;
  error?: string;
}

export interface PhaseResult {
  ttft: number[];
  /** Each turn's time to first token by when its message was sent (ms after the phase began). */
  sent: Array<{ atMs: number; ttftMs: number }>;
  /** Tokens all clients received together, per second of the phase. */
  tokensPerSec: number;
  /** Most replies streaming at the same moment. */
  peakConcurrent: number;
  errors: number;
  firstErrors: string[];
  settled: number;
}

/** Runs `fn` for clients 0..n-1, client i starting at i × ramp / n after the phase starts. */
async function ramped(n: number, rampMs: number, fn: (i: number, started: number) => Promise<Turn>): Promise<PhaseResult> {
  const started = performance.now();
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const turns = await Promise.all(Array.from({ length: n }, async (_, i) => {
    await sleep(Math.max(0, started + (n > 1 ? (i * rampMs) / n : 0) - performance.now()));
    return fn(i, started);
  }));
  lag.disable();
  progress(`clients' event loop delay p99 ${round(lag.percentile(99) / 1e6)} ms`);
  const lastEnd = Math.max(...turns.map((t) => t.endedAt ?? 0));
  const edges = turns.flatMap((t) => (t.endedAt ? [[t.startedAt, 1], [t.endedAt - started, -1]] : [])).sort((a, b) => a[0]! - b[0]!);
  let now = 0;
  let peakConcurrent = 0;
  for (const [, delta] of edges) peakConcurrent = Math.max(peakConcurrent, (now += delta!));
  const sent = turns.flatMap((t) => (t.ttftMs === undefined ? [] : [{ atMs: t.startedAt, ttftMs: t.ttftMs }]));
  return {
    ttft: sent.map((s) => s.ttftMs),
    sent,
    tokensPerSec: turns.reduce((s, t) => s + t.tokens, 0) / ((lastEnd - started) / 1000),
    peakConcurrent,
    errors: turns.filter((t) => t.error || t.ttftMs === undefined).length,
    firstErrors: [...new Set(turns.flatMap((t) => (t.error ? [t.error] : [])))].slice(0, 3),
    settled: turns.filter((t) => t.settled).length,
  };
}

/**
 * The same clients straight from the fake provider, through the server's own OpenAI provider: the
 * official SDK makes the request and the server's stream reader parses it, exactly as in the chat
 * phase. So the difference between the phases is what the gateway adds (socket hops, limits, the
 * hold, coalescing), not a difference between two ways of parsing a stream.
 */
export async function baselinePhase(o: { clients: number; rampMs: number }, fakeUrl: string): Promise<PhaseResult> {
  const provider = createOpenAIProvider({ apiKey: 'sk-bench', baseURL: fakeUrl, maxRetries: 0 });
  return ramped(o.clients, o.rampMs, async (i, started) => {
    const t0 = performance.now();
    const turn: Turn = { startedAt: t0 - started, tokens: 0, settled: false };
    try {
      const events = provider.stream({
        model: 'gpt-bench', system: 'Be brief.', messages: [{ role: 'user', content: `Question number ${i}` }], maxOutputTokens: 400,
        signal: new AbortController().signal,
      });
      for await (const event of events) {
        if (event.type === 'delta') turn.ttftMs ??= performance.now() - t0;
        else turn.tokens = event.usage.outputTokens;
      }
      turn.endedAt = performance.now();
    } catch (err) {
      turn.error = String(err);
    }
    return turn;
  });
}

type Widget = Socket<ServerToClientEvents, ClientToServerEvents>;

async function connect(url: string, key: string): Promise<Widget> {
  const socket: Widget = io(`${url}/widget`, { transports: ['websocket'], forceNew: true, reconnection: false, auth: { key }, extraHeaders: { origin: 'http://localhost:5173' } });
  await new Promise<void>((resolve, reject) => {
    socket.once('session', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

/**
 * The clients as widget visitors: all connected first (a new visitor each, with welcome credits),
 * then one turn each. `beforeTurns` runs once everyone is connected, just before the first turn.
 */
export async function chatPhase(
  o: { clients: number; rampMs: number },
  server: { url: string; key: string; personaId: string },
  beforeTurns: () => Promise<void>,
): Promise<PhaseResult> {
  const sockets: Widget[] = [];
  for (let i = 0; i < o.clients; i += 25) {
    sockets.push(...(await Promise.all(Array.from({ length: Math.min(25, o.clients - i) }, () => connect(server.url, server.key)))));
  }
  await beforeTurns();
  try {
    return await ramped(o.clients, o.rampMs, (i, started) => new Promise<Turn>((resolve) => {
      const socket = sockets[i]!;
      const t0 = performance.now();
      const turn: Turn = { startedAt: t0 - started, tokens: 0, settled: false };
      const timer = setTimeout(() => resolve({ ...turn, error: 'no message:end within 60 s' }), 60_000);
      socket.once('message:chunk', () => {
        turn.ttftMs = performance.now() - t0;
      });
      socket.once('message:end', (end) => {
        clearTimeout(timer);
        turn.endedAt = performance.now();
        turn.tokens = end.usage?.outputTokens ?? 0;
        turn.settled = end.status === 'done' && end.charged > 0;
        resolve(end.status === 'done' ? turn : { ...turn, error: `ended ${end.status}: ${end.error?.code}` });
      });
      socket.emit('message:send', { clientMessageId: `bench-${i}-${Date.now()}`, personaId: server.personaId, text: `Question number ${i}` }, (ack) => {
        if (ack.ok) return;
        clearTimeout(timer);
        resolve({ ...turn, error: ack.error.code });
      });
    }));
  } finally {
    for (const socket of sockets) socket.close();
  }
}

export interface TimelineRow {
  fromMs: number;
  turns: number;
  p50: number;
  p90: number;
  max: number;
}

/**
 * Time to first token by when the message was sent, in slices of `sliceMs`: shows whether the
 * added time is spread over the ramp or gathers where the most replies stream at once.
 */
export function ttftTimeline(sent: PhaseResult['sent'], sliceMs: number): TimelineRow[] {
  const slices = new Map<number, number[]>();
  for (const { atMs, ttftMs } of sent) {
    const from = Math.floor(atMs / sliceMs) * sliceMs;
    const slice = slices.get(from);
    if (slice) slice.push(ttftMs);
    else slices.set(from, [ttftMs]);
  }
  return [...slices.entries()].sort(([a], [b]) => a - b).map(([fromMs, values]) => ({
    fromMs, turns: values.length, p50: percentile(values, 50), p90: percentile(values, 90), max: Math.max(...values),
  }));
}
