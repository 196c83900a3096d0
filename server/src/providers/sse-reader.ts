import { StringDecoder } from 'node:string_decoder';
import { StreamIdleTimeoutError } from './errors';
import { NodeChunks, takeNodeBody } from './lean-fetch';
import { settleWithin } from './stream-guard';

/** Where the bytes come from: a Node stream (`leanFetch`), or any fetch's WHATWG body. */
interface ByteSource {
  /** The next chunk, or null at the end. */
  read(): Promise<Uint8Array | null>;
  /** Ends the body early; a pending read settles at once. */
  cancel(reason?: unknown): void;
}

export interface SseReaderOptions {
  /** The caller's signal (visitor stop, server shutdown). */
  signal: AbortSignal;
  /** Longest wait for the next bytes once the body has started. */
  idleTimeoutMs: number;
  /**
   * Makes the request through the provider's SDK (its retries, headers and error mapping) with a
   * signal the reader controls, resolving with the raw response once its headers are in.
   */
  open: (signal: AbortSignal) => Promise<Response>;
}

/**
 * The `data` payloads of a server-sent event stream, read straight off a fetch body: the guard of
 * `guardStream` (caller's abort, idle timeout, request released however reading ends) with none of
 * its per-chunk cost. One timer per stream, re-armed in place, and one abort listener; a read that
 * must be cut short is cancelled rather than raced, so reading a chunk allocates no promise, timer
 * or listener of its own. At 500 replies × 50 tokens/s that is what keeps the event loop free.
 *
 * Parsing follows the SSE format as the SDKs read it: `\n`, `\r\n` or `\r` line ends, comments,
 * several `data` lines joined by `\n`, other fields ignored, an unterminated last event dropped.
 */
export class SseReader {
  private readonly controller = new AbortController();
  // Node's own decoder: keeps a multi-byte character split across chunks, at a fraction of TextDecoder's per-call cost.
  private readonly decoder = new StringDecoder('utf8');
  private source: ByteSource | undefined;
  private timer: NodeJS.Timeout | undefined;
  private reading = false;
  /** Why the stream was cut: the caller's abort reason or an idle timeout. */
  private interruption: unknown;
  private buffer = '';
  private data: string[] = [];
  response: Response | undefined;

  constructor(private readonly options: SseReaderOptions) {}

  private readonly onAbort = (): void => this.interrupt(this.options.signal.reason);

  private readonly onIdle = (): void => {
    // The clock counts only the wait on the provider: a caller busy between reads re-arms it.
    if (this.reading) this.interrupt(new StreamIdleTimeoutError(this.options.idleTimeoutMs));
    else this.timer?.refresh();
  };

  private interrupt(reason: unknown): void {
    if (this.interruption !== undefined) return;
    this.interruption = reason ?? new Error('aborted');
    this.controller.abort(reason);
    // Resolves a pending read at once, even with a fetch that ignores its signal.
    this.source?.cancel(reason);
  }

  /** Sends the request; rejects at once on the caller's abort, even while the SDK sleeps between retries. */
  async open(): Promise<Response> {
    const { signal } = this.options;
    signal.throwIfAborted();
    signal.addEventListener('abort', this.onAbort, { once: true });
    const response = await settleWithin({ promise: this.options.open(this.controller.signal), signal });
    if (!response.body) throw new Error('The provider answered without a body');
    this.response = response;
    const node = takeNodeBody(response);
    this.source = node ? new NodeChunks(node) : webSource(response.body.getReader() as ReadableStreamDefaultReader<Uint8Array>);
    this.timer = setTimeout(this.onIdle, this.options.idleTimeoutMs);
    return response;
  }

  /** The data of the events completed by the next bytes, or null once the body has ended. */
  async next(): Promise<string[] | null> {
    const source = this.source;
    if (!source) throw new Error('SseReader: next() before open()');
    for (;;) {
      let chunk: Uint8Array | null;
      this.reading = true;
      this.timer?.refresh();
      try {
        chunk = await source.read();
      } catch (error) {
        throw this.interruption ?? error;
      } finally {
        this.reading = false;
      }
      if (this.interruption !== undefined) throw this.interruption;
      if (chunk === null) return null;
      const events = this.parse(this.decoder.write(chunk as Buffer));
      if (events.length > 0) return events;
    }
  }

  /** Stops the clock and releases the HTTP request, whether or not the body was read to its end. */
  close(): void {
    clearTimeout(this.timer);
    this.options.signal.removeEventListener('abort', this.onAbort);
    this.controller.abort();
    this.source?.cancel();
  }

  private parse(text: string): string[] {
    const events: string[] = [];
    let buffer = this.buffer + text;
    let start = 0;
    for (;;) {
      const lf = buffer.indexOf('\n', start);
      const cr = buffer.indexOf('\r', start);
      const end = cr >= 0 && (lf < 0 || cr < lf) ? cr : lf;
      if (end < 0) break;
      // A `\r` at the very end may be the first half of a `\r\n`: wait for the next bytes.
      if (end === cr && end === buffer.length - 1) break;
      const line = buffer.slice(start, end);
      start = end + (end === cr && buffer.charCodeAt(end + 1) === 10 ? 2 : 1);
      if (line.length === 0) {
        if (this.data.length > 0) events.push(this.data.length === 1 ? this.data[0]! : this.data.join('\n'));
        this.data.length = 0;
      } else if (line.startsWith('data:')) {
        this.data.push(line.charCodeAt(5) === 32 ? line.slice(6) : line.slice(5));
      } else if (line === 'data') {
        this.data.push('');
      }
      // Comments (`:`) and other fields (`event`, `id`, `retry`) carry nothing these streams need.
    }
    this.buffer = start === 0 ? buffer : buffer.slice(start);
    return events;
  }
}

function webSource(reader: ReadableStreamDefaultReader<Uint8Array>): ByteSource {
  return {
    read: async () => {
      const chunk = await reader.read();
      return chunk.done ? null : chunk.value;
    },
    cancel: (reason) => void reader.cancel(reason).catch(() => undefined),
  };
}
