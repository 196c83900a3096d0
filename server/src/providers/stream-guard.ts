import { StreamIdleTimeoutError } from './errors';

export interface GuardStreamOptions<T> {
  /** The caller's signal (visitor stop, server shutdown). */
  signal: AbortSignal;
  /** Longest wait for the next chunk once the stream has started. */
  idleTimeoutMs: number;
  /** Starts the SDK call with a signal the guard controls, resolving once response headers are in. */
  open: (signal: AbortSignal) => Promise<AsyncIterable<T>>;
}

/**
 * Wraps an SDK stream so that it can never hang and never outlives its caller:
 * - the caller's abort rejects at once, even while the SDK sleeps between retries;
 * - a stream that goes quiet for `idleTimeoutMs` rejects with `StreamIdleTimeoutError`
 *   (the SDKs' own `timeout` only covers the wait for response headers);
 * - however the loop ends, the HTTP request is aborted so the socket is released.
 *
 * The SDKs swallow aborts mid-stream and just end the iteration, so the guard rejects by itself
 * rather than relying on the SDK to surface the abort.
 */
export async function* guardStream<T>({ signal, idleTimeoutMs, open }: GuardStreamOptions<T>): AsyncGenerator<T> {
  const controller = new AbortController();
  const forwardAbort = (): void => controller.abort(signal.reason);
  if (signal.aborted) forwardAbort();
  else signal.addEventListener('abort', forwardAbort, { once: true });
  let iterator: AsyncIterator<T> | undefined;
  // One timer and one abort listener per stream, not per chunk: the timer is re-armed in place
  // before each wait, and an interruption rejects whichever wait is pending. (Not a race against one
  // long-lived promise: every race would leave a reaction on it until the stream ends.)
  let waiting = false;
  let interruption: { reason: unknown } | undefined;
  let rejectWait: ((reason: unknown) => void) | undefined;
  const interrupt = (reason: unknown): void => {
    interruption ??= { reason };
    rejectWait?.(reason);
  };
  const onAbort = (): void => interrupt(signal.reason);
  let timer: NodeJS.Timeout | undefined;
  const onIdle = (): void => {
    // The idle clock runs only while waiting on the provider, not while the caller is busy.
    if (waiting) interrupt(new StreamIdleTimeoutError(idleTimeoutMs));
    else timer?.refresh();
  };
  try {
    signal.throwIfAborted();
    const stream = await settleWithin({ promise: open(controller.signal), signal });
    iterator = stream[Symbol.asyncIterator]();
    signal.addEventListener('abort', onAbort, { once: true });
    signal.throwIfAborted();
    while (true) {
      waiting = true;
      if (timer) timer.refresh();
      else timer = setTimeout(onIdle, idleTimeoutMs);
      if (interruption) throw interruption.reason;
      const next = iterator.next();
      const result = await new Promise<IteratorResult<T>>((resolve, reject) => {
        rejectWait = reject;
        next.then(resolve, reject);
      });
      waiting = false;
      rejectWait = undefined;
      if (result.done) return;
      yield result.value;
    }
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', forwardAbort);
    signal.removeEventListener('abort', onAbort);
    controller.abort();
    // Not awaited: a stuck `next()` would make `return()` wait behind it; the abort unsticks it.
    iterator?.return?.().catch(() => undefined);
  }
}

interface SettleWithinOptions<T> {
  promise: Promise<T>;
  signal: AbortSignal;
  idleTimeoutMs?: number;
}

/** Resolves like `promise`, but rejects as soon as `signal` fires or `idleTimeoutMs` passes. */
export function settleWithin<T>({ promise, signal, idleTimeoutMs }: SettleWithinOptions<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const cleanup = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    };
    const onAbort = (): void => {
      cleanup();
      reject(signal.reason);
    };
    if (signal.aborted) {
      onAbort();
    } else {
      signal.addEventListener('abort', onAbort, { once: true });
      if (idleTimeoutMs !== undefined) {
        timer = setTimeout(() => {
          cleanup();
          reject(new StreamIdleTimeoutError(idleTimeoutMs));
        }, idleTimeoutMs);
      }
    }
    promise.then(
      (value) => {
        cleanup();
        resolve(value);
      },
      (error: unknown) => {
        cleanup();
        reject(error);
      },
    );
  });
}
