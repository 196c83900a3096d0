import type { ChatRuntime } from './runtime';
import type { ChatProvider, StreamEvent, StreamRequest } from '../providers/types';

/**
 * Starting the provider call while the hold is still being placed.
 *
 * Recording the message and holding the credits is a database transaction that commits to disk;
 * on a busy machine it takes from a few to a few hundred milliseconds, all of which the visitor
 * would wait on top of the provider's own time to first token. So when this process has good
 * reason to expect the hold to be granted in full, the provider request goes out first and the
 * transaction runs during the provider's time to first token. Nothing reaches the visitor before
 * the hold is confirmed: the reply is only read once the turn adopts the call (the first delta
 * waits in the stream, the rest in the socket), and a call the turn does not adopt is aborted.
 *
 * Money stays exact: the early call asks for the longest reply the persona allows, and it is
 * adopted only when the hold pays for exactly that reply; a partial hold aborts it and the turn
 * calls again with the shorter ceiling. The charge is still the provider's reported usage.
 *
 * The shared rate limits' round trips overlap the provider's time to first token in the same way.
 *
 * The cost is a provider request that may be aborted before its first token (some providers bill
 * the prompt of such a request). It is only taken when all of these hold, checked in memory:
 * - this process has seen no more messages from the visitor this minute than the visitor's rate
 *   limit allows (the shared limit, checked meanwhile, aborts the call when it refuses);
 * - the available balance this process last saw for the visitor, less the holds it placed since,
 *   covers the full hold (a visitor who was refused, or never seen here, waits for the hold);
 * - the visitor has fewer turns streaming or starting here than the concurrent-turn limit;
 * - this process has not seen the same client message id recently (a resend is a duplicate).
 * What still gets through (a balance spent on another process, a resend to another process) is
 * bounded by the per-visitor message rate limit, per process.
 */
export class EarlyStarts {
  private readonly available = new Map<string, number>();
  private readonly starting = new Map<string, number>();
  private readonly recentIds = new Set<string>();
  private readonly messages = new Map<string, { since: number; count: number }>();

  constructor(private readonly options: { maxVisitors?: number; maxRecentIds?: number } = {}) {}

  /** Records a balance read for the visitor (the session's, a turn's end, a refusal). */
  noteAvailable(visitorId: string, available: number): void {
    this.available.delete(visitorId);
    this.available.set(visitorId, available);
    evictOldest(this.available, this.options.maxVisitors ?? 50_000);
  }

  /** A hold placed here lowers what the visitor has left until the next balance read. */
  noteHeld(visitorId: string, amount: number): void {
    const seen = this.available.get(visitorId);
    if (seen !== undefined) this.available.set(visitorId, seen - amount);
  }

  /**
   * Whether to start the provider call before the hold: see the class comment. Also remembers the
   * client message id, so that a resend of it is never started early.
   */
  shouldStart(o: {
    visitorId: string; clientMessageId: string; fullHold: number; activeHere: number; maxConcurrentTurns: number;
    /** The visitor's message rate limit, and the time in ms: no early start beyond it in a minute. */
    perMinute?: number; now?: number;
  }): boolean {
    const key = `${o.visitorId}:${o.clientMessageId}`;
    const resent = this.recentIds.has(key);
    this.recentIds.add(key);
    evictOldest(this.recentIds, this.options.maxRecentIds ?? 100_000);
    if (resent) return false;
    if (o.perMinute !== undefined && !this.withinRate(o.visitorId, o.perMinute, o.now ?? Date.now())) return false;
    if (o.activeHere + (this.starting.get(o.visitorId) ?? 0) >= o.maxConcurrentTurns) return false;
    // A free model holds nothing: only the limits above apply.
    if (o.fullHold === 0) return true;
    const seen = this.available.get(o.visitorId);
    return seen !== undefined && seen >= o.fullHold;
  }

  /** Counts a message against this process's own per-minute window for the visitor. */
  private withinRate(visitorId: string, perMinute: number, now: number): boolean {
    let window = this.messages.get(visitorId);
    if (!window || now - window.since >= 60_000) {
      this.messages.delete(visitorId);
      window = { since: now, count: 0 };
      this.messages.set(visitorId, window);
      evictOldest(this.messages, this.options.maxVisitors ?? 50_000);
    }
    window.count += 1;
    return window.count <= perMinute;
  }

  /** Starts the provider call now; `settled()` must be called once the turn has adopted or abandoned it. */
  start(visitorId: string, provider: ChatProvider, request: Omit<StreamRequest, 'signal'>): EarlyStream {
    this.starting.set(visitorId, (this.starting.get(visitorId) ?? 0) + 1);
    let done = false;
    const settled = (): void => {
      if (done) return;
      done = true;
      const left = (this.starting.get(visitorId) ?? 1) - 1;
      if (left > 0) this.starting.set(visitorId, left);
      else this.starting.delete(visitorId);
    };
    return startEarlyStream({ provider, request, settled });
  }
}

function evictOldest(collection: Map<string, unknown> | Set<string>, max: number): void {
  // Maps and Sets iterate in insertion order: the first key is the one noted longest ago.
  while (collection.size > max) {
    const oldest = collection.keys().next().value;
    if (oldest === undefined) return;
    collection.delete(oldest);
  }
}

/** A provider call already under way, whose events nobody has read yet. */
export interface EarlyStream {
  /** Aborts the call: the turn's own controller once adopted (stop, timeout, shutdown). */
  controller: AbortController;
  /** The call's events from the first; iterate once. */
  events: AsyncIterable<StreamEvent>;
  /** The turn takes the call over. */
  adopt(): void;
  /** The hold was not granted as expected: aborts the call and drops whatever it produces. */
  abandon(): void;
}

function startEarlyStream({ provider, request, settled }: {
  provider: ChatProvider;
  request: Omit<StreamRequest, 'signal'>;
  settled: () => void;
}): EarlyStream {
  const controller = new AbortController();
  const iterator = provider.stream({ ...request, signal: controller.signal })[Symbol.asyncIterator]();
  // The first `next()` sends the request; the stream then waits at its first event until read.
  const first = iterator.next();
  first.catch(() => undefined);
  let firstTaken = false;
  const events: AsyncIterable<StreamEvent> = {
    [Symbol.asyncIterator]: () => ({
      next: () => {
        if (firstTaken) return iterator.next();
        firstTaken = true;
        return first;
      },
      return: async (value?: unknown) => (await iterator.return?.(value)) ?? { done: true, value: undefined },
    }),
  };
  return {
    controller,
    events,
    adopt: settled,
    abandon() {
      settled();
      controller.abort(new Error('the hold for this reply was not granted as expected'));
      // Runs the stream's cleanup (the HTTP request is released) once its pending read settles.
      iterator.return?.(undefined).catch(() => undefined);
    },
  };
}

/** Starts the call early when `EarlyStarts.shouldStart` says so; undefined otherwise. */
export function maybeStartEarly(o: {
  rt: Pick<ChatRuntime, 'earlyStarts' | 'activeTurns' | 'limits'>;
  visitorId: string;
  clientMessageId: string;
  /** The hold that pays for `request.maxOutputTokens` (0 for a free model). */
  fullHold: number;
  /** The visitor's message rate limit. */
  perMinute: number;
  provider: ChatProvider;
  request: Omit<StreamRequest, 'signal'>;
}): EarlyStream | undefined {
  const { rt, visitorId } = o;
  const start = rt.earlyStarts.shouldStart({
    visitorId, clientMessageId: o.clientMessageId, fullHold: o.fullHold, perMinute: o.perMinute, now: Date.now(),
    activeHere: rt.activeTurns.countFor(visitorId), maxConcurrentTurns: rt.limits.maxConcurrentTurns,
  });
  return start ? rt.earlyStarts.start(visitorId, o.provider, o.request) : undefined;
}
