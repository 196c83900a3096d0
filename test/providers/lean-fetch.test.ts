import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { leanFetch, takeNodeBody } from '../../server/src/providers/lean-fetch';
import { SseReader } from '../../server/src/providers/sse-reader';

/** A local server whose handler each test sets; records what it was sent. */
let handler: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;
let server: http.Server;
let url: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => handler(req, res, body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function readNode(stream: Readable): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += (chunk as Buffer).toString();
  return text;
}

describe('leanFetch', () => {
  it('sends the method, headers and body, and answers with a Response the SDKs can read', async () => {
    let seen: { method?: string; type?: string; auth?: string; length?: string; body: string } = { body: '' };
    handler = (req, res, body) => {
      seen = { method: req.method, type: req.headers['content-type'], auth: req.headers.authorization, length: req.headers['content-length'], body };
      res.writeHead(429, 'Too Many Requests', { 'content-type': 'application/json', 'retry-after': '2', 'x-multi': ['a', 'b'] });
      res.end('{"error":{"message":"slow down"}}');
    };
    const response = await leanFetch(`${url}/v1/chat/completions`, {
      method: 'post', headers: new Headers({ 'Content-Type': 'application/json', Authorization: 'Bearer sk-x' }), body: '{"q":"é"}',
    });
    expect(seen).toEqual({ method: 'POST', type: 'application/json', auth: 'Bearer sk-x', length: String(Buffer.byteLength('{"q":"é"}')), body: '{"q":"é"}' });
    expect(response.status).toBe(429);
    expect(response.statusText).toBe('Too Many Requests');
    expect(response.ok).toBe(false);
    expect(response.headers.get('retry-after')).toBe('2');
    expect(response.headers.get('x-multi')).toBe('a, b');
    expect(await response.json()).toEqual({ error: { message: 'slow down' } });
    // Once `body` has been read, the Node stream is no longer on offer.
    expect(takeNodeBody(response)).toBeUndefined();
  });

  it('hands the body over as a Node stream once, and `body` then stays unfed', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: one\n\n');
      setTimeout(() => res.end('data: two\n\n'), 20);
    };
    const response = await leanFetch(url);
    const node = takeNodeBody(response);
    expect(node).toBeDefined();
    expect(takeNodeBody(response)).toBeUndefined();
    expect(await readNode(node!)).toBe('data: one\n\ndata: two\n\n');
    // A response that did not come from leanFetch has no Node stream.
    expect(takeNodeBody(new Response('x'))).toBeUndefined();
  });

  it('decodes a compressed body and gives a bodiless status a null body', async () => {
    handler = (req, res) => {
      if (req.url === '/empty') {
        res.writeHead(204);
        res.end();
        return;
      }
      res.writeHead(200, { 'content-encoding': 'gzip' });
      res.end(zlib.gzipSync('hello, compressed'));
    };
    expect(await (await leanFetch(`${url}/gz`)).text()).toBe('hello, compressed');
    expect(await readNode(takeNodeBody(await leanFetch(`${url}/gz`))!)).toBe('hello, compressed');
    const empty = await leanFetch(`${url}/empty`);
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
  });

  it('rejects as fetch does: the caller\'s abort as an AbortError, a refused connection as a TypeError with the cause', async () => {
    handler = () => undefined; // never answers
    const controller = new AbortController();
    const pending = leanFetch(url, { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    await expect(leanFetch(url, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });

    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const refused = await leanFetch(`http://127.0.0.1:${port}/`).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(TypeError);
    expect((refused as TypeError).message).toBe('fetch failed');
    expect(((refused as TypeError).cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
  });

  it('fails a body that is aborted or cut off midway, through `body` and through the SSE reader', async () => {
    handler = (req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: first\n\n');
      if (req.url === '/cut') setTimeout(() => res.socket?.destroy(), 20);
    };
    // Aborted after the headers: the pending read of `body` rejects.
    const controller = new AbortController();
    const response = await leanFetch(`${url}/hang`, { signal: controller.signal });
    const reader = response.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('data: first\n\n');
    const pending = reader.read();
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });

    // Cut off by the server: the SSE reader (on the Node stream) rejects rather than ending quietly.
    const sse = new SseReader({ signal: new AbortController().signal, idleTimeoutMs: 5_000, open: (signal) => leanFetch(`${url}/cut`, { signal }) });
    await sse.open();
    expect(await sse.next()).toEqual(['first']);
    await expect(sse.next()).rejects.toThrow();
    sse.close();
  });

  it('leaves requests it does not handle (a Request object, a stream body) to Node\'s own fetch', async () => {
    handler = (_req, res, body) => res.end(`got ${body}`);
    expect(await (await leanFetch(new Request(url, { method: 'POST', body: 'via Request' }))).text()).toBe('got via Request');
    const stream = new ReadableStream({ start: (c) => { c.enqueue(new TextEncoder().encode('streamed')); c.close(); } });
    const response = await leanFetch(url, { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
    expect(await response.text()).toBe('got streamed');
    expect(takeNodeBody(response)).toBeUndefined();
  });
});
