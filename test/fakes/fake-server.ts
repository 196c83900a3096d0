import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { countPromptTokens } from '../../server/src/providers/tokens';
import type { ChatMessage } from '../../server/src/providers/types';
import {
  DEFAULT_BEHAVIOUR, chooseFault, createRng, parseBehaviourHeader, replyPieces, writePaced, type FakeBehaviour,
} from './sse';

export type RequestOutcome = 'completed' | 'http_error' | 'reset' | 'client_closed';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body, as the SDK sent it. */
  body: unknown;
  behaviour: FakeBehaviour;
  status: number;
  /** The full reply this request was meant to get (after `max_tokens`). */
  replyText: string;
  tokensSent: number;
  outcome: RequestOutcome | 'pending';
  /** Settles when the response is over, however it ended ('client_closed' for a client abort). */
  ended: Promise<RequestOutcome>;
}

export interface FakeServerStats {
  requests: number;
  completed: number;
  httpErrors: number;
  resets: number;
  clientClosed: number;
}

/** What a parsed request tells the fake, in either dialect. */
export interface ParsedRequest {
  model: string;
  stream: boolean;
  maxTokens: number | undefined;
  includeUsage: boolean;
  system: string | undefined;
  messages: ChatMessage[];
}

export interface ReplyPlan {
  id: string;
  model: string;
  created: number;
  includeUsage: boolean;
  usage: { inputTokens: number; outputTokens: number };
  finishReason: 'stop' | 'length';
  text: string;
}

/** One provider's wire format. */
export interface FakeDialect {
  idPrefix: string;
  matches(path: string): boolean;
  parse(body: unknown): ParsedRequest | undefined;
  error(status: number, retryAfterSeconds: number): { body: unknown; headers: Record<string, string> };
  /** Built once per reply, so each piece costs one small string concatenation. */
  stream(plan: ReplyPlan): { head: string; piece(text: string): string; tail: string };
  json(plan: ReplyPlan): unknown;
  /** The API key a request presents (checked only when the server was started with `apiKey`). */
  presentedKey?(headers: IncomingHttpHeaders): string | undefined;
  /** Whether a GET asks for the model list, and its body (for "test connection" calls). */
  listsModels?(path: string): boolean;
  models?(): unknown;
}

export interface FakeServerOptions {
  behaviour?: Partial<FakeBehaviour>;
  /** Keep a `RecordedRequest` per request (default true); benchmarks can turn it off. */
  record?: boolean;
  /** When set, any request not presenting this key gets the provider's 401, as the real API does. */
  apiKey?: string;
}

export interface FakeServer {
  /** The base URL to give the SDK. */
  url: string;
  port: number;
  requests: RecordedRequest[];
  stats: FakeServerStats;
  setBehaviour(partial: Partial<FakeBehaviour>): void;
  close(): Promise<void>;
}

export async function startFakeServer(options: { dialect: FakeDialect; urlPath: string } & FakeServerOptions): Promise<FakeServer> {
  const { dialect } = options;
  let behaviour: FakeBehaviour = { ...DEFAULT_BEHAVIOUR, ...options.behaviour };
  let rng = createRng(behaviour.seed);
  const failuresSoFar = new Map<string, number>();
  const requests: RecordedRequest[] = [];
  const stats: FakeServerStats = { requests: 0, completed: 0, httpErrors: 0, resets: 0, clientClosed: 0 };
  let sequence = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    stats.requests += 1;
    const path = req.url ?? '/';
    const rawBody = await readBody(req);
    const headerValue = req.headers['x-fake-behaviour'];
    const effective: FakeBehaviour = { ...behaviour, ...parseBehaviourHeader(headerValue) };
    const body: unknown = rawBody.length > 0 ? JSON.parse(rawBody) : undefined;
    const parsed = req.method === 'POST' && dialect.matches(path) ? dialect.parse(body) : undefined;
    const record = newRecord({ req, path, body, behaviour: effective });
    if (options.record !== false) requests.push(record.request);
    let resetByUs = false;
    res.once('close', () => record.settle(resetByUs ? 'reset' : res.writableFinished ? undefined : 'client_closed', stats));
    if (options.apiKey !== undefined && dialect.presentedKey?.(req.headers) !== options.apiKey) {
      return sendJson({ res, status: 401, body: dialect.error(401, 0).body, record });
    }
    const listing = req.method === 'GET' && dialect.models !== undefined && dialect.listsModels?.(path) === true;
    if (!parsed && !listing) return sendJson({ res, status: 404, body: dialect.error(404, 0).body, record });

    // Counted per behaviour header, so `failFirst` works for concurrent tests with different headers.
    const failKey = typeof headerValue === 'string' ? headerValue : '';
    const failed = failuresSoFar.get(failKey) ?? 0;
    const failNow = effective.failFirst === undefined || failed < effective.failFirst;
    const allPieces = replyPieces(effective);
    const fault = chooseFault({ behaviour: effective, pieces: allPieces.length, rng, failNow });
    if (fault.type === 'http') {
      failuresSoFar.set(failKey, failed + 1);
      const answer = dialect.error(fault.status, effective.retryAfterSeconds);
      if (effective.retryAfterMs !== undefined) answer.headers['retry-after-ms'] = String(effective.retryAfterMs);
      return sendJson({ res, status: fault.status, body: answer.body, headers: answer.headers, record });
    }
    if (!parsed) return sendJson({ res, status: 200, body: dialect.models!(), record });

    const pieces = parsed.maxTokens === undefined ? allPieces : allPieces.slice(0, Math.max(0, parsed.maxTokens));
    const plan: ReplyPlan = {
      id: `${dialect.idPrefix}${(sequence += 1).toString(36).padStart(8, '0')}`,
      model: parsed.model,
      created: Math.floor(Date.now() / 1000),
      includeUsage: parsed.includeUsage && !effective.omitUsage,
      usage: {
        inputTokens: effective.inputTokens ?? countPromptTokens({ system: parsed.system, messages: parsed.messages }),
        outputTokens: effective.outputTokens ?? pieces.length,
      },
      finishReason: pieces.length < allPieces.length ? 'length' : 'stop',
      text: pieces.join(''),
    };
    record.request.replyText = plan.text;
    if (!parsed.stream) {
      setTimeout(() => sendJson({ res, status: 200, body: dialect.json(plan), record }), effective.firstTokenMs);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    record.request.status = 200;
    const encoder = dialect.stream(plan);
    writePaced({
      res,
      head: encoder.head,
      pieces,
      firstTokenMs: effective.firstTokenMs,
      tokensPerSecond: effective.tokensPerSecond,
      interruption: fault.type === 'none' ? undefined : fault,
      encodePiece: encoder.piece,
      onProgress: (sent) => { record.request.tokensSent = sent; },
      onComplete: () => res.end(encoder.tail),
      onReset: () => { resetByUs = true; },
    });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: String(error) } }));
    });
  });
  // Hundreds of concurrent streams from one client: keep the accept queue deep enough.
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 1024 }, resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}${options.urlPath}`,
    port,
    requests,
    stats,
    setBehaviour(partial) {
      behaviour = { ...behaviour, ...partial };
      if (partial.seed !== undefined) rng = createRng(partial.seed);
      failuresSoFar.clear();
    },
    async close() {
      // Stalled streams would otherwise keep `close()` waiting forever.
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function newRecord(options: { req: IncomingMessage; path: string; body: unknown; behaviour: FakeBehaviour }) {
  let resolveEnded: (outcome: RequestOutcome) => void = () => undefined;
  const request: RecordedRequest = {
    method: options.req.method ?? 'GET',
    path: options.path,
    headers: options.req.headers,
    body: options.body,
    behaviour: options.behaviour,
    status: 0,
    replyText: '',
    tokensSent: 0,
    outcome: 'pending',
    ended: new Promise<RequestOutcome>((resolve) => { resolveEnded = resolve; }),
  };
  const settle = (outcome: RequestOutcome | undefined, stats: FakeServerStats): void => {
    if (request.outcome !== 'pending') return;
    const final = outcome ?? (request.status >= 400 ? 'http_error' : 'completed');
    request.outcome = final;
    if (final === 'completed') stats.completed += 1;
    else if (final === 'http_error') stats.httpErrors += 1;
    else if (final === 'reset') stats.resets += 1;
    else stats.clientClosed += 1;
    resolveEnded(final);
  };
  return { request, settle };
}

function sendJson(options: { res: ServerResponse; status: number; body: unknown; headers?: Record<string, string>; record: { request: RecordedRequest } }): void {
  const { res, status } = options;
  if (res.destroyed) return;
  options.record.request.status = status;
  const payload = JSON.stringify(options.body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...options.headers });
  res.end(payload);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Message content as plain text: a string, or an array of `{ type: 'text', text }` parts. */
export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part: unknown) => (isRecord(part) && typeof part.text === 'string' ? part.text : '')).join('');
}

/** The path without its query string. */
export function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
