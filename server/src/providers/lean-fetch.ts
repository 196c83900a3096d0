import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';

/**
 * The `fetch` the OpenAI SDK is given: node:http(s) with keep-alive agents, answering with a real
 * `Response` (status, headers, `text()`, `json()`, `body`), so the SDK builds, sends, retries and
 * reads errors exactly as it does with Node's own fetch.
 *
 * Why not Node's own fetch: it hands every network chunk through its WebAssembly parser and several
 * WHATWG stream layers, with promises at each. A streamed reply arrives as one chunk per token, and
 * bench:chat's server profile put that path at about a core for 500 replies of 50 tokens/s. Read
 * as a Node stream (`takeNodeBody`), the same bytes cost one `data` callback each.
 *
 * Differences from fetch, none of which the SDK relies on: redirects are not followed (a provider
 * API that redirects answers with the 3xx, which the SDK reports as an error), and a request body
 * must be a string or bytes (any other kind of request goes to Node's own fetch).
 */
const agents = {
  'http:': new http.Agent({ keepAlive: true }),
  'https:': new https.Agent({ keepAlive: true }),
};

/** Statuses whose response has no body (`new Response` refuses one). */
const bodiless = new Set([101, 204, 205, 304]);

const bodies = new WeakMap<Response, () => Readable | undefined>();

/**
 * The response's body as the Node stream it came in on, if it came from `leanFetch` and nobody has
 * started reading `response.body`; after this, `response.body` is never fed.
 */
export function takeNodeBody(response: Response): Readable | undefined {
  return bodies.get(response)?.();
}

type BytesBody = string | Uint8Array | ArrayBuffer;
const isBytesBody = (body: unknown): body is BytesBody | null | undefined =>
  body == null || typeof body === 'string' || body instanceof Uint8Array || body instanceof ArrayBuffer;

export const leanFetch: typeof fetch = (input, init) => {
  const url = typeof input === 'string' || input instanceof URL ? new URL(input) : undefined;
  const protocol = url?.protocol;
  if (!url || (protocol !== 'http:' && protocol !== 'https:') || !isBytesBody(init?.body)) return fetch(input, init);
  const signal = init?.signal ?? undefined;
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  const method = (init?.method ?? 'GET').toUpperCase();
  const headers: Record<string, string> = {};
  new Headers(init?.headers).forEach((value, name) => {
    headers[name] = value;
  });
  const body = init?.body == null ? undefined : init.body instanceof ArrayBuffer ? new Uint8Array(init.body) : init.body;
  if (body !== undefined && headers['content-length'] === undefined) headers['content-length'] = String(Buffer.byteLength(body));

  return new Promise<Response>((resolve, reject) => {
    const request = (protocol === 'https:' ? https : http).request(url, { method, headers, agent: agents[protocol] });
    let incoming: http.IncomingMessage | undefined;
    // Before the response: the request fails. After: the body fails, however it is being read.
    const onAbort = (): void => {
      const reason = abortReason(signal!) as Error;
      if (incoming) incoming.destroy(reason);
      else request.destroy(reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const forget = (): void => signal?.removeEventListener('abort', onAbort);
    // `on`, not `once`: an error after the response (a reset socket) must not go unhandled; it fails the body.
    request.on('error', (err) => {
      forget();
      if (incoming) incoming.destroy(err);
      // As Node's fetch does: the caller's abort as itself, anything else as a TypeError with the cause.
      else reject(signal?.aborted ? abortReason(signal) : new TypeError('fetch failed', { cause: err }));
    });
    request.once('response', (res) => {
      incoming = res;
      res.once('close', forget);
      try {
        resolve(toResponse(res, method));
      } catch (err) {
        res.destroy();
        reject(err);
      }
    });
    request.end(body);
  });
};

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

function toResponse(res: http.IncomingMessage, method: string): Response {
  const headers = new Headers();
  for (let i = 0; i < res.rawHeaders.length; i += 2) headers.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
  const status = res.statusCode ?? 0;
  const init = { status, statusText: res.statusMessage, headers };
  if (bodiless.has(status) || method === 'HEAD') {
    res.resume();
    return new Response(null, init);
  }
  const source = decoded(res, headers.get('content-encoding'));
  let taken = false;
  let chunks: NodeChunks | undefined;
  // highWaterMark 0: nothing is pulled until someone reads `body`, so the Node side stays untouched.
  const web = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!chunks) {
        if (taken) return; // handed to `takeNodeBody`: this stream stays unfed
        taken = true;
        chunks = new NodeChunks(source);
      }
      const chunk = await chunks.read();
      if (chunk) controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      else controller.close();
    },
    cancel(reason) {
      if (chunks) chunks.cancel(reason);
      else source.destroy();
    },
  }, { highWaterMark: 0 });
  const response = new Response(web, init);
  bodies.set(response, () => {
    if (taken) return undefined;
    taken = true;
    return source;
  });
  return response;
}

/** Node's fetch decodes compressed bodies; so does this (providers do not compress event streams, but an error page may be). */
function decoded(res: http.IncomingMessage, encoding: string | null): Readable {
  const make = { gzip: zlib.createGunzip, 'x-gzip': zlib.createGunzip, deflate: zlib.createInflate, br: zlib.createBrotliDecompress }[
    (encoding ?? '').trim().toLowerCase()
  ];
  if (!make) return res;
  const decoder = make();
  res.once('error', (err) => decoder.destroy(err));
  return res.pipe(decoder);
}

/**
 * A Node stream read one chunk at a time: chunks that arrive while nobody is reading wait in a
 * queue (the stream pauses), a read that finds none waits for the next `data`. The SSE reader reads
 * a taken body this way, and `body` is fed this way when someone reads it instead.
 */
export class NodeChunks {
  private readonly queue: Buffer[] = [];
  private ended = false;
  private failure: { reason: unknown } | undefined;
  private waiter: { resolve: (chunk: Buffer | null) => void; reject: (reason: unknown) => void } | undefined;

  constructor(private readonly stream: Readable) {
    stream.on('data', (chunk: Buffer) => {
      const waiter = this.take();
      if (waiter) waiter.resolve(chunk);
      else {
        this.queue.push(chunk);
        stream.pause();
      }
    });
    stream.once('end', () => this.finish());
    stream.once('error', (err) => this.fail(err));
    // A connection cut short may close without `end` or `error`.
    stream.once('close', () => (this.ended ? undefined : this.fail(new TypeError('terminated'))));
  }

  read(): Promise<Buffer | null> {
    const queued = this.queue.shift();
    if (queued) {
      if (this.queue.length === 0) this.stream.resume();
      return Promise.resolve(queued);
    }
    if (this.failure) return Promise.reject(this.failure.reason);
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  cancel(reason?: unknown): void {
    this.fail(reason ?? new Error('cancelled'));
    this.queue.length = 0;
    this.stream.destroy();
  }

  private take() {
    const waiter = this.waiter;
    this.waiter = undefined;
    return waiter;
  }

  private finish(): void {
    this.ended = true;
    this.take()?.resolve(null);
  }

  private fail(reason: unknown): void {
    if (this.ended || this.failure) return;
    this.failure = { reason };
    this.take()?.reject(reason);
  }
}
