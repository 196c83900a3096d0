import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../src/wire/chat';
import { sleep } from '../bench-chat/phases';

type Widget = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Counts what went wrong, keeping the first few distinct messages for the report. */
export class Errors {
  connectFailures = 0;
  disconnects = 0;
  turnErrors = 0;
  readonly first = new Set<string>();
  note(kind: 'connectFailures' | 'disconnects' | 'turnErrors', message: string): void {
    this[kind] += 1;
    if (this.first.size < 5) this.first.add(`${kind}: ${message}`);
  }
  get total(): number {
    return this.connectFailures + this.disconnects + this.turnErrors;
  }
}

export interface Fleet {
  sockets: Widget[];
  /** Sockets whose engine has upgraded from HTTP long-polling to WebSocket. */
  upgraded(): number;
  connected(): number;
  close(): void;
}

/**
 * Opens `count` widget connections, `concurrency` handshakes at a time, the way the widget does:
 * Socket.IO's default transports (HTTP long-polling, then the upgrade to WebSocket) and
 * `auth: { key, locale }` without a visitor token, so each connection is a new visitor with welcome
 * credits. A connection is up when `waitFor` arrives (`session` from Parley, `connect` from the bare
 * server). Any later disconnect that the bench did not ask for is an error.
 */
export async function openFleet(o: {
  url: string;
  key: string;
  count: number;
  concurrency: number;
  waitFor: 'session' | 'connect';
  errors: Errors;
}): Promise<Fleet> {
  const sockets: Widget[] = [];
  let closing = false;
  const connectOne = () => new Promise<void>((resolve) => {
    const socket: Widget = io(`${o.url}/widget`, {
      forceNew: true, reconnection: false, timeout: 30_000,
      auth: { key: o.key, locale: 'en' }, extraHeaders: { origin: 'http://localhost:5173' },
    });
    const timer = setTimeout(() => fail('no answer within 60 s'), 60_000);
    const fail = (why: string) => {
      clearTimeout(timer);
      o.errors.note('connectFailures', why);
      socket.close();
      resolve();
    };
    socket.once('connect_error', (err: Error & { data?: { code?: string } }) => fail(err.data?.code ?? err.message));
    (socket as unknown as Socket).once(o.waitFor, () => {
      clearTimeout(timer);
      socket.on('disconnect', (reason) => {
        if (!closing) o.errors.note('disconnects', reason);
      });
      sockets.push(socket);
      resolve();
    });
  });
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(o.concurrency, o.count) }, async () => {
    while (next < o.count) {
      next += 1;
      await connectOne();
    }
  }));
  return {
    sockets,
    upgraded: () => sockets.filter((s) => s.io.engine?.transport.name === 'websocket').length,
    connected: () => sockets.filter((s) => s.connected).length,
    close: () => {
      closing = true;
      for (const socket of sockets) socket.close();
    },
  };
}

/** A small seeded generator, so that every run paces its visitors the same way. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export interface ChatResult {
  completed: number;
  /** From the first message to the last reply's end (replies in flight at the deadline finish). */
  elapsedMs: number;
  peakStreaming: number;
}

/**
 * Visitors chatting as people do, for `windowMs`: each starts at a random moment within the first
 * think time, sends a message, waits for the whole reply, "reads and types" for a random think time,
 * then sends the next one in the same conversation. No new turn starts after the deadline.
 */
export async function chatLoop(o: {
  sockets: Widget[];
  personaId: string;
  windowMs: number;
  thinkMs: { min: number; max: number };
  errors: Errors;
}): Promise<ChatResult> {
  const random = rng(8);
  const started = performance.now();
  const deadline = started + o.windowMs;
  let completed = 0;
  let streaming = 0;
  let peakStreaming = 0;
  const think = () => o.thinkMs.min + random() * (o.thinkMs.max - o.thinkMs.min);
  const turn = (socket: Widget, visitor: number, n: number, conversationId: string | undefined) => new Promise<string | undefined>((resolve) => {
    const timer = setTimeout(() => done('no message:end within 60 s'), 60_000);
    let id = conversationId;
    streaming += 1;
    peakStreaming = Math.max(peakStreaming, streaming);
    const done = (error?: string) => {
      clearTimeout(timer);
      socket.off('message:end', onEnd);
      streaming -= 1;
      if (error) o.errors.note('turnErrors', error);
      else completed += 1;
      resolve(error ? undefined : id);
    };
    const onEnd: ServerToClientEvents['message:end'] = (end) => done(end.status === 'done' ? undefined : `ended ${end.status}: ${end.error?.code}`);
    socket.on('message:end', onEnd);
    socket.emit('message:send', {
      clientMessageId: `load-${visitor}-${n}`,
      personaId: o.personaId,
      conversationId,
      text: `Question ${n}: what should I try next?`,
    }, (ack) => {
      if (ack.ok) id = ack.conversationId;
      else done(ack.error.code);
    });
  });
  await Promise.all(o.sockets.map(async (socket, visitor) => {
    await sleep(random() * o.thinkMs.max);
    let conversationId: string | undefined;
    for (let n = 1; performance.now() < deadline; n += 1) {
      conversationId = await turn(socket, visitor, n, conversationId);
      await sleep(Math.min(think(), Math.max(0, deadline - performance.now())));
    }
  }));
  return { completed, elapsedMs: performance.now() - started, peakStreaming };
}
