import crypto from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the Stripe API calls Parley makes: create a Checkout Session, and list
 * sessions (the dashboard's connection test). It reads the form-encoded bodies the official SDK
 * sends (`line_items[0][price_data][currency]=usd`), honours `Idempotency-Key` as Stripe does (the
 * same key answers the first response again), and records every request for assertions.
 * The SDK reaches it through its `host`, `port` and `protocol` options.
 */
export interface RecordedStripeRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  idempotencyKey: string | undefined;
  apiKey: string | undefined;
  body: Record<string, unknown>;
}

export interface FakeCheckoutSession {
  id: string;
  object: 'checkout.session';
  url: string;
  mode: string;
  status: 'open' | 'complete' | 'expired';
  payment_status: 'unpaid' | 'paid' | 'no_payment_required';
  payment_intent: string | null;
  client_reference_id: string | null;
  metadata: Record<string, string>;
  amount_total: number;
  amount_subtotal: number;
  currency: string;
  success_url: string;
  cancel_url: string;
  livemode: boolean;
  created: number;
  expires_at: number;
}

export interface FakeStripe {
  host: string;
  port: number;
  protocol: 'http';
  requests: RecordedStripeRequest[];
  sessions: Map<string, FakeCheckoutSession>;
  /** The next `n` API calls answer this HTTP error (e.g. 500, or 401 for a bad key). */
  failNext(n: number, status: number): void;
  close(): Promise<void>;
}

/** `a[b][0][c]=1` -> { a: { b: [ { c: '1' } ] } }, as Stripe reads its form bodies. */
export function parseStripeForm(text: string): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const path = key.replace(/\]/g, '').split('[');
    let node: Record<string, unknown> | unknown[] = root;
    path.forEach((part, i) => {
      const last = i === path.length - 1;
      const nextIsIndex = !last && /^\d+$/.test(path[i + 1]!);
      const slot = node as Record<string, unknown>;
      if (last) slot[part] = value;
      else node = (slot[part] ??= nextIsIndex ? [] : {}) as Record<string, unknown> | unknown[];
    });
  }
  return root;
}

const randomId = (prefix: string) => `${prefix}_${crypto.randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}`;

interface LineItem { quantity?: string; price_data?: { currency?: string; unit_amount?: string } }

function sessionFrom(body: Record<string, unknown>, livemode: boolean): FakeCheckoutSession {
  const items = (body.line_items as LineItem[] | undefined) ?? [];
  const total = items.reduce((sum, item) => sum + Number(item.price_data?.unit_amount ?? 0) * Number(item.quantity ?? 1), 0);
  const id = randomId(livemode ? 'cs_live' : 'cs_test');
  const now = Math.floor(Date.now() / 1000);
  return {
    id, object: 'checkout.session', url: `https://checkout.stripe.com/c/pay/${id}`, mode: String(body.mode ?? 'payment'),
    status: 'open', payment_status: 'unpaid', payment_intent: null,
    client_reference_id: typeof body.client_reference_id === 'string' ? body.client_reference_id : null,
    metadata: (body.metadata as Record<string, string> | undefined) ?? {},
    amount_total: total, amount_subtotal: total, currency: String(items[0]?.price_data?.currency ?? 'usd'),
    success_url: String(body.success_url ?? ''), cancel_url: String(body.cancel_url ?? ''),
    livemode, created: now, expires_at: now + 86_400,
  };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'request-id': randomId('req'), ...headers });
  res.end(text);
}

const stripeError = (status: number) => ({
  error: status === 401
    ? { type: 'invalid_request_error', message: 'Invalid API Key provided' }
    : { type: 'api_error', message: `Fake Stripe was told to fail with ${status}` },
});

export async function startFakeStripe(): Promise<FakeStripe> {
  const requests: RecordedStripeRequest[] = [];
  const sessions = new Map<string, FakeCheckoutSession>();
  const replies = new Map<string, { status: number; body: unknown }>();
  let failures: { left: number; status: number } = { left: 0, status: 500 };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://fake');
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const apiKey = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const idempotencyKey = typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'] : undefined;
    const body = parseStripeForm(req.method === 'GET' ? url.search.slice(1) : rawBody);
    requests.push({ method: req.method ?? 'GET', path: url.pathname, headers: req.headers, idempotencyKey, apiKey, body });

    if (failures.left > 0) {
      failures.left -= 1;
      // Stripe marks transient failures retryable; the SDK then retries with the same Idempotency-Key.
      return send(res, failures.status, stripeError(failures.status), failures.status >= 500 ? { 'stripe-should-retry': 'true' } : {});
    }
    if (!apiKey || !/^(sk|rk)_(test|live)_/.test(apiKey)) return send(res, 401, stripeError(401));
    const replayed = idempotencyKey ? replies.get(`${apiKey}:${idempotencyKey}`) : undefined;
    if (replayed) return send(res, replayed.status, replayed.body, { 'idempotent-replayed': 'true' });

    if (req.method === 'POST' && url.pathname === '/v1/checkout/sessions') {
      const session = sessionFrom(body, apiKey.includes('_live_'));
      sessions.set(session.id, session);
      if (idempotencyKey) replies.set(`${apiKey}:${idempotencyKey}`, { status: 200, body: session });
      return send(res, 200, session);
    }
    if (req.method === 'GET' && url.pathname === '/v1/checkout/sessions') {
      return send(res, 200, { object: 'list', url: '/v1/checkout/sessions', has_more: false, data: [...sessions.values()].slice(-1) });
    }
    return send(res, 404, { error: { type: 'invalid_request_error', message: `Unrecognized request URL (${req.method}: ${url.pathname})` } });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => send(res, 500, { error: { type: 'api_error', message: String(err) } }));
  });
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1' }, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: '127.0.0.1', port, protocol: 'http', requests, sessions,
    failNext: (n, status) => { failures = { left: n, status }; },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
