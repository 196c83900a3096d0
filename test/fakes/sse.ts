import type { ServerResponse } from 'node:http';

/**
 * Knobs shared by the fake OpenAI and Anthropic servers. Set them at start, with `setBehaviour`,
 * or per request with the `x-fake-behaviour` header holding a JSON `Partial<FakeBehaviour>`
 * (merged over the server's behaviour, so concurrent tests don't interfere).
 */
export interface FakeBehaviour {
  /** Delay between the response headers and the first token. */
  firstTokenMs: number;
  /** Pacing of the tokens after the first; 0 sends them all at once. */
  tokensPerSecond: number;
  /** Length of the generated reply, in streamed pieces ("tokens"). */
  replyTokens: number;
  /** A fixed reply, split into word-sized pieces; overrides `replyTokens`. */
  replyText?: string;
  /** Reported input tokens; default: `countPromptTokens` of the request's system + messages. */
  inputTokens?: number;
  /** Reported output tokens; default: the number of pieces streamed. */
  outputTokens?: number;
  /** Send no usage at all (as some OpenAI-compatible servers do). */
  omitUsage: boolean;
  /** Answer with this HTTP status and the provider's error JSON before any token (429, 500, 529...). */
  failStatus?: number;
  /** With `failStatus`: fail only the first N requests carrying this behaviour, then succeed. */
  failFirst?: number;
  /** `retry-after` header (seconds) on 429/503/529 answers. */
  retryAfterSeconds: number;
  /** `retry-after-ms` header on every error answer (both SDKs prefer it): keeps retry tests fast. */
  retryAfterMs?: number;
  /** Destroy the socket after sending this many tokens. */
  resetAfterTokens?: number;
  /** Send this many tokens, then nothing, keeping the connection open. */
  stallAfterTokens?: number;
  /** Probabilities, drawn per request from the server's seeded RNG. */
  failRates?: { http429?: number; http500?: number; stall?: number; reset?: number };
  /** Seed of the RNG behind `failRates` (applied at start and by `setBehaviour`). */
  seed: number;
}

export const DEFAULT_BEHAVIOUR: FakeBehaviour = {
  firstTokenMs: 0,
  tokensPerSecond: 0,
  replyTokens: 12,
  omitUsage: false,
  retryAfterSeconds: 1,
  seed: 1,
};

/** Parses the `x-fake-behaviour` header; throws on bad JSON so a broken test fails loudly. */
export function parseBehaviourHeader(value: string | string[] | undefined): Partial<FakeBehaviour> {
  if (value === undefined) return {};
  const raw = Array.isArray(value) ? value.join(',') : value;
  const parsed: unknown = JSON.parse(raw);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error('x-fake-behaviour must be a JSON object');
  }
  return parsed as Partial<FakeBehaviour>;
}

/** mulberry32: a tiny seeded RNG, so fault mixes replay identically for a given seed. */
export function createRng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['Parley', 'streams', 'a', 'fake', 'reply', 'from', 'the', 'local', 'test', 'server', 'for', 'you'];

/** The pieces a fake reply is made of; joined, they are the reply text tests compare against. */
export function replyPieces(behaviour: Pick<FakeBehaviour, 'replyTokens' | 'replyText'>): string[] {
  if (behaviour.replyText !== undefined) return behaviour.replyText.match(/\s*\S+|\s+$/g) ?? [];
  const pieces: string[] = [];
  for (let i = 0; i < behaviour.replyTokens; i += 1) {
    const word = WORDS[i % WORDS.length] ?? 'word';
    pieces.push(i === 0 ? word : ` ${word}`);
  }
  return pieces;
}

export type Fault =
  | { type: 'none' }
  | { type: 'http'; status: number }
  | { type: 'reset'; afterTokens: number }
  | { type: 'stall'; afterTokens: number };

/** Picks this request's fault: explicit knobs first, then a draw against `failRates`. */
export function chooseFault(options: { behaviour: FakeBehaviour; pieces: number; rng: () => number; failNow: boolean }): Fault {
  const { behaviour, pieces, rng, failNow } = options;
  if (behaviour.failStatus !== undefined && failNow) return { type: 'http', status: behaviour.failStatus };
  if (behaviour.resetAfterTokens !== undefined) return { type: 'reset', afterTokens: behaviour.resetAfterTokens };
  if (behaviour.stallAfterTokens !== undefined) return { type: 'stall', afterTokens: behaviour.stallAfterTokens };
  const rates = behaviour.failRates;
  if (!rates) return { type: 'none' };
  const draw = rng();
  const somewhere = (): number => Math.floor(rng() * Math.max(1, pieces));
  let edge = rates.http429 ?? 0;
  if (draw < edge) return { type: 'http', status: 429 };
  edge += rates.http500 ?? 0;
  if (draw < edge) return { type: 'http', status: 500 };
  edge += rates.stall ?? 0;
  if (draw < edge) return { type: 'stall', afterTokens: somewhere() };
  edge += rates.reset ?? 0;
  if (draw < edge) return { type: 'reset', afterTokens: somewhere() };
  return { type: 'none' };
}

export function sseData(payload: unknown): string {
  return `data: ${JSON.stringify(payload)}\n\n`;
}

export function sseEvent(event: string, payload: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`;
}

export interface PacedWriteOptions {
  res: ServerResponse;
  /** Written at once, with the headers (e.g. Anthropic's message_start, OpenAI's role chunk). */
  head: string;
  pieces: readonly string[];
  firstTokenMs: number;
  tokensPerSecond: number;
  /** Stop after this many pieces: 'reset' destroys the socket, 'stall' just goes quiet. */
  interruption?: { type: 'reset' | 'stall'; afterTokens: number };
  encodePiece: (text: string) => string;
  /** Called once every piece is written (not after an interruption); must end the response. */
  onComplete: () => void;
  /** Called with the running count of pieces written. */
  onProgress: (tokensSent: number) => void;
  /** Called just before the socket is destroyed for a 'reset'. */
  onReset: () => void;
}

/**
 * Writes pieces on schedule. One timer per stream, and each tick writes every piece already due,
 * so fast rates batch into few writes and timer drift never slows the stream down: this is what
 * keeps hundreds of concurrent streams cheap on a small machine.
 */
export function writePaced(options: PacedWriteOptions): void {
  const { res, pieces, firstTokenMs, tokensPerSecond, interruption, encodePiece } = options;
  const interval = tokensPerSecond > 0 ? 1000 / tokensPerSecond : 0;
  const start = Date.now() + firstTokenMs;
  const interrupted = interruption !== undefined && interruption.afterTokens < pieces.length;
  const limit = interrupted ? Math.max(0, interruption.afterTokens) : pieces.length;
  let next = 0;
  let timer: NodeJS.Timeout | undefined;
  let unflushed = 0;
  let resetWhenFlushed = false;
  res.once('close', () => clearTimeout(timer));

  // A reset waits until the tokens already written have left the process, so the client really
  // received them before the connection dies.
  const resetIfFlushed = (): void => {
    if (!resetWhenFlushed || unflushed > 0 || res.destroyed) return;
    options.onReset();
    res.socket?.destroy();
  };
  const write = (text: string): void => {
    unflushed += 1;
    res.write(text, () => {
      unflushed -= 1;
      resetIfFlushed();
    });
  };

  const tick = (): void => {
    if (res.destroyed) return;
    let out = '';
    const now = Date.now();
    while (next < limit && start + next * interval <= now) {
      out += encodePiece(pieces[next] ?? '');
      next += 1;
    }
    if (out.length > 0) {
      write(out);
      options.onProgress(next);
    }
    if (next < limit) {
      timer = setTimeout(tick, Math.max(0, start + next * interval - Date.now()));
    } else if (!interrupted) {
      options.onComplete();
    } else if (interruption.type === 'reset') {
      resetWhenFlushed = true;
      resetIfFlushed();
    }
    // A stall writes nothing more and keeps the connection open until the client gives up.
  };
  write(options.head);
  timer = setTimeout(tick, Math.max(0, firstTokenMs));
}
