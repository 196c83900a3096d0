/**
 * The secret scan: drive the main flows of a real server (sign-up, log-in failures, API keys,
 * provider and Stripe keys, identity secret, member invites, widget sessions, chat turns that
 * succeed and fail, checkout, webhooks good and forged) while capturing every HTTP response (body
 * and headers), every log line (the real logger, with its redaction, at `trace`), and every socket
 * event and ack a widget receives. Then no secret may appear anywhere, except the one place each is
 * meant to be shown: a new sk_ key in its create or roll response, the identity secret in its own
 * response, a widget's visitor token in its own `session` event and `identify` ack, the session
 * cookie in Set-Cookie, an invite's token in the link given to the admin who made it.
 */
import crypto from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { io } from 'socket.io-client';
import { createApp } from '../../server/src/app';
import { attachGateway, type Gateway } from '../../server/src/gateway/attach';
import { signUserId } from '../../server/src/identity/secret';
import { createLogger } from '../../server/src/logger';
import { roomNotifier } from '../../server/src/payments/room-notifier';
import { createProviderRegistry } from '../../server/src/providers/registry';
import { startFakeAnthropic } from '../fakes/fake-anthropic';
import { startFakeOpenAI } from '../fakes/fake-openai';
import { startFakeStripe, type FakeStripe } from '../fakes/fake-stripe';
import type { FakeServer } from '../fakes/fake-server';
import { checkoutEvent, sign } from '../payments/helpers';
import { closeDeps, createTestDeps, testConfig } from '../support/app';
import { clientId, siteOrigin, WidgetRecorder, type SessionData, type WidgetClient } from '../support/chat';
import { expectLedgerInvariants } from '../support/ledger';

jest.setTimeout(60_000);

/** One place something was seen: an HTTP response part, a log line, a socket event or ack. */
interface Seen {
  where: string;
  text: string;
}
const seen: Seen[] = [];

const hex = (n: number) => crypto.randomBytes(n).toString('hex');
/** Secrets this test makes up, each distinctive enough that finding it anywhere means it leaked. */
const secrets = {
  ownerPassword: `owner-pass-${hex(12)}`,
  wrongPassword: `wrong-pass-${hex(12)}`,
  shortPassword: `sh${hex(3)}`,
  inviteePassword: `invitee-pass-${hex(12)}`,
  platformOpenAIKey: `sk-platform-openai-${hex(16)}`,
  platformAnthropicKey: `sk-ant-platform-${hex(16)}`,
  tenantOpenAIKey: `sk-proj-tenant-${hex(16)}`,
  tenantAnthropicKey: `sk-ant-tenant-wrong-${hex(16)}`,
  stripeSecretKey: `sk_test_${hex(16)}`,
  stripeWebhookSecret: `whsec_${hex(16)}`,
  sessionSecret: `session-secret-${hex(16)}`,
  masterKey: crypto.randomBytes(32).toString('base64'),
  /** Shaped like a demo checkout link's token, which request logs must not keep. */
  demoCheckoutToken: `dct.${hex(20)}`,
};

/** Found later in the flows; each with where it may appear. */
const issued: Array<{ name: string; value: string; allowed: (where: string) => boolean }> = [];

let server: http.Server;
let url: string;
let gateway: Gateway;
let deps: Awaited<ReturnType<typeof createTestDeps>>;
let openai: FakeServer;
let anthropic: FakeServer;
let stripe: FakeStripe;

/** Copies every response's headers and body as it leaves the server. */
function captureResponses(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  const keep = (chunk: unknown) => {
    if (typeof chunk === 'string' || chunk instanceof Uint8Array) chunks.push(Buffer.from(chunk));
  };
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  (res as unknown as { write: unknown }).write = (chunk: unknown, ...rest: unknown[]) => {
    keep(chunk);
    return write(chunk, ...rest);
  };
  (res as unknown as { end: unknown }).end = (chunk?: unknown, ...rest: unknown[]) => {
    if (typeof chunk !== 'function') keep(chunk);
    const route = `${req.method} ${req.url?.split('?')[0]}`;
    for (const [name, value] of Object.entries(res.getHeaders())) seen.push({ where: `http ${route} header ${name}`, text: String(value) });
    seen.push({ where: `http ${route} body`, text: Buffer.concat(chunks).toString('utf8') });
    return end(chunk, ...rest);
  };
}

beforeAll(async () => {
  openai = await startFakeOpenAI({ apiKey: secrets.tenantOpenAIKey, behaviour: { retryAfterMs: 1 } });
  anthropic = await startFakeAnthropic({ apiKey: `sk-ant-the-right-one-${hex(8)}`, behaviour: { retryAfterMs: 1 } });
  stripe = await startFakeStripe();
  const logger = createLogger('trace', { write: (line: string) => void seen.push({ where: 'log', text: line }) });
  deps = await createTestDeps({ logger });
  deps.stripeApi = { host: stripe.host, port: stripe.port, protocol: stripe.protocol };
  const config = testConfig({
    sessionSecret: secrets.sessionSecret, masterKey: secrets.masterKey,
    openaiApiKey: secrets.platformOpenAIKey, openaiBaseUrl: openai.url, anthropicApiKey: secrets.platformAnthropicKey, anthropicBaseUrl: anthropic.url,
  });
  server = http.createServer();
  server.on('request', captureResponses);
  server.on('request', createApp(config, deps));
  const providers = createProviderRegistry({
    platform: { openai: { apiKey: secrets.platformOpenAIKey, baseURL: openai.url }, anthropic: { apiKey: secrets.platformAnthropicKey, baseURL: anthropic.url } },
    sdk: { maxRetries: 0, idleTimeoutMs: 2000, timeoutMs: 5000 },
  });
  gateway = attachGateway(server, config, deps, { providers });
  deps.visitorNotifier = roomNotifier({ emit: gateway.runtime.emit, db: deps.pool, clock: deps.clock });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await gateway.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await Promise.all([openai.close(), anthropic.close(), stripe.close()]);
  await closeDeps(deps);
});

/** A widget whose every incoming event and ack is recorded. */
async function widget(key: string, visitorToken?: string): Promise<{ socket: WidgetClient; session: SessionData; call: (event: string, payload: object) => Promise<any> }> {
  const socket: WidgetClient = io(`${url}/widget`, {
    transports: ['websocket'], forceNew: true, reconnection: false,
    auth: { key, ...(visitorToken ? { visitorToken } : {}) }, extraHeaders: { origin: siteOrigin },
  });
  socket.onAny((event: string, ...args: unknown[]) => void seen.push({ where: `socket event ${event}`, text: JSON.stringify(args) }));
  const session = await new Promise<SessionData>((resolve, reject) => {
    socket.once('session', resolve);
    socket.once('connect_error', (err) => {
      seen.push({ where: 'socket connect_error', text: JSON.stringify({ message: err.message, data: (err as { data?: unknown }).data }) });
      reject(err);
    });
  });
  const call = async (event: string, payload: object) => {
    const ack = await (socket.timeout(10_000) as unknown as { emitWithAck(e: string, p: object): Promise<unknown> }).emitWithAck(event, payload);
    seen.push({ where: `socket ack ${event}`, text: JSON.stringify(ack) });
    return ack;
  };
  return { socket, session, call };
}

it('drives the main flows', async () => {
  const api = request.agent(url);
  let csrf = '';
  const write = (method: 'post' | 'put' | 'patch' | 'delete', path: string, body: object = {}) => api[method](path).set('x-csrf-token', csrf).send(body);

  // Sign-up: a weak password refused, then the real one; log-in failures; log-in.
  const email = `owner-${hex(4)}@example.test`;
  await request(url).post('/api/auth/signup').send({ email, password: secrets.shortPassword, workspaceName: 'Scan' }).expect(400);
  const signup = await api.post('/api/auth/signup').send({ email, password: secrets.ownerPassword, workspaceName: 'Scan', name: 'Owner' }).expect(201);
  const tenantId = (signup.body as { currentWorkspaceId: string }).currentWorkspaceId;
  await request(url).post('/api/auth/login').send({ email, password: secrets.wrongPassword }).expect(401);
  await request(url).post('/api/auth/login').send({ email: `nobody-${hex(4)}@example.test`, password: secrets.wrongPassword }).expect(401);
  csrf = (await api.post('/api/auth/login').send({ email, password: secrets.ownerPassword }).expect(200)).body.csrfToken;
  await api.get('/api/auth/me').expect(200);
  const sessionCookie = /parley\.sid=([^;]+)/.exec(String(signup.headers['set-cookie']))![1]!;
  issued.push({ name: 'session cookie', value: decodeURIComponent(sessionCookie).replace(/^s:/, '').split('.')[0]!, allowed: (w) => w.endsWith('header set-cookie') });

  // API keys: a secret key, used, rolled, used again (the old one now refused), listed.
  const created = await write('post', '/api/keys', { kind: 'secret', name: 'backend' }).expect(201);
  const firstKey = created.body.token as string;
  issued.push({ name: 'sk_ key', value: firstKey, allowed: (w) => w === 'http POST /api/keys body' });
  await request(url).get('/api/workspace').set('authorization', `Bearer ${firstKey}`).expect(200);
  const rolled = await write('post', `/api/keys/${created.body.key.id}/roll`, { graceHours: 0 }).expect(201);
  const secondKey = rolled.body.token as string;
  issued.push({ name: 'rolled sk_ key', value: secondKey, allowed: (w) => w === `http POST /api/keys/${created.body.key.id}/roll body` });
  await request(url).get('/api/workspace').set('authorization', `Bearer ${firstKey}`).expect(401);
  await request(url).get('/api/purchases').set('authorization', `Bearer ${secondKey}`).expect(200);
  await api.get('/api/keys').expect(200);
  const publishable = ((await api.get('/api/keys').expect(200)).body.data as Array<{ kind: string; status: string; prefix: string }>)
    .find((k) => k.kind === 'publishable' && k.status === 'active');
  const pk = (await deps.models.ApiKey.findOne({ where: { tenantId, kind: 'publishable' } }))!.publicToken!;
  expect(publishable).toBeDefined();

  // Identity secret (shown to admins and sk_ keys, on purpose).
  const identity = await api.get('/api/workspace/identity-secret').expect(200);
  const identitySecret = identity.body.secret as string;
  expect(identitySecret).toEqual(expect.any(String));
  issued.push({ name: 'identity secret', value: identitySecret, allowed: (w) => w === 'http GET /api/workspace/identity-secret body' });

  // Provider keys: the tenant's OpenAI key works; its Anthropic key is wrong.
  await write('put', '/api/provider-keys', { provider: 'openai', apiKey: secrets.tenantOpenAIKey, baseUrl: openai.url }).expect(200);
  await write('put', '/api/provider-keys', { provider: 'anthropic', apiKey: secrets.tenantAnthropicKey, baseUrl: anthropic.url }).expect(200);
  await api.get('/api/provider-keys').expect(200);
  expect((await write('post', '/api/provider-keys/openai/test').expect(200)).body.ok).toBe(true);
  expect((await write('post', '/api/provider-keys/anthropic/test').expect(200)).body).toMatchObject({ ok: false, code: 'invalid_key' });

  // Stripe keys, tested.
  await write('put', '/api/payments/stripe', { secretKey: secrets.stripeSecretKey, webhookSecret: secrets.stripeWebhookSecret }).expect(200);
  await api.get('/api/payments/stripe').expect(200);
  await write('post', '/api/payments/stripe/test').expect(200);

  // The catalogue: a working model and a failing one, a persona each, a pack; origins allowed.
  await write('patch', '/api/workspace', { allowedOrigins: [siteOrigin] }).expect(200);
  const good = await write('post', '/api/models', { provider: 'openai', providerModelId: 'gpt-fake', displayName: 'Good', inputPer1k: 1, outputPer1k: 1 }).expect(201);
  const bad = await write('post', '/api/models', { provider: 'anthropic', providerModelId: 'claude-fake', displayName: 'Bad', inputPer1k: 1, outputPer1k: 1 }).expect(201);
  const goodPersona = await write('post', '/api/personas', { name: 'Good', modelId: good.body.id }).expect(201);
  const badPersona = await write('post', '/api/personas', { name: 'Bad', modelId: bad.body.id }).expect(201);
  const pack = await write('post', '/api/packs', { name: 'Pack', credits: 10_000, amountMinor: 500, currency: 'usd' }).expect(201);
  await write('patch', '/api/widget/settings', { welcomeCredits: 20_000 }).expect(200);

  // Member invites: create, preview, sign up through it.
  const invite = await write('post', '/api/workspace/invites', { role: 'analyst' }).expect(201);
  const inviteToken = (invite.body.url as string).split('/').pop()!;
  issued.push({ name: 'invite token', value: inviteToken, allowed: (w) => w === 'http POST /api/workspace/invites body' });
  await request(url).get(`/api/invites/${inviteToken}`).expect(200);
  await request(url).post(`/api/invites/${inviteToken}/signup`).send({ email: `invitee-${hex(4)}@example.test`, password: secrets.inviteePassword, name: 'Invitee' }).expect(201);
  await api.get('/api/workspace/invites').expect(200);
  await api.get('/api/workspace/members').expect(200);

  // The widget: a session, a good turn, a failing turn, identify, a checkout, the webhook.
  const w = await widget(pk);
  const recorder = new WidgetRecorder(w.socket);
  const sent = await w.call('message:send', { clientMessageId: clientId('scan'), personaId: goodPersona.body.id, text: 'Hello' });
  expect(sent).toMatchObject({ ok: true });
  expect((await recorder.ended(sent.messageId)).end.status).toBe('done');
  const failed = await w.call('message:send', { clientMessageId: clientId('scan'), personaId: badPersona.body.id, text: 'Hello again' });
  if (failed.ok) expect((await recorder.end(failed.messageId)).status).toBe('failed');
  else expect(failed.error.code).toBe('provider_unavailable');
  await w.call('conversations:list', {});
  await w.call('sync', { conversationId: sent.conversationId, afterSeq: 0 });
  const userId = `user-${hex(4)}`;
  await w.call('identify', { userId, signature: signUserId('not-the-secret', userId) });
  const identified = await w.call('identify', { userId, signature: signUserId(identitySecret, userId) });
  expect(identified.ok).toBe(true);
  const tokenPlaces = (x: string) => x === 'socket event session' || x === 'socket ack identify';
  issued.push({ name: 'visitor token', value: w.session.visitorToken, allowed: tokenPlaces });
  issued.push({ name: 'identified visitor token', value: identified.visitorToken, allowed: tokenPlaces });
  w.socket.close();

  const buyer = await widget(pk, identified.visitorToken);
  const purchase = await buyer.call('purchase:start', { packId: pack.body.id, returnUrl: `${siteOrigin}/shop` });
  expect(purchase.ok).toBe(true);
  const { rows } = await deps.pool.query<{ checkout_session_id: string }>('SELECT checkout_session_id FROM purchases WHERE id = $1', [purchase.purchaseId]);
  const event = checkoutEvent(
    { tenantId, packId: pack.body.id, owner: undefined as never, webhookSecret: secrets.stripeWebhookSecret, secretKey: secrets.stripeSecretKey },
    { purchaseId: purchase.purchaseId, visitorId: identified.visitorId, sessionId: rows[0]!.checkout_session_id, paymentIntent: `pi_${hex(12)}` } as never,
  );
  const forged = sign(event, `whsec_${hex(16)}`);
  await request(url).post(`/webhooks/stripe/${tenantId}`).set('content-type', 'application/json').set('stripe-signature', forged.header).send(forged.payload).expect(400);
  const signed = sign(event, secrets.stripeWebhookSecret);
  const pushed = new Promise<void>((resolve) => buyer.socket.once('purchase:update', () => resolve()));
  await request(url).post(`/webhooks/stripe/${tenantId}`).set('content-type', 'application/json').set('stripe-signature', signed.header).send(signed.payload).expect(200);
  await pushed;
  await buyer.call('purchases:list', {});
  buyer.socket.close();

  // A demo checkout link (its token in the query), tried with a token that is not valid.
  await request(url).get(`/demo-checkout/${crypto.randomUUID()}?t=${secrets.demoCheckoutToken}`);

  // The dashboard's reads of all of it.
  for (const path of ['/api/workspace', '/api/visitors', `/api/visitors/${identified.visitorId}`, '/api/purchases', '/api/conversations', '/api/analytics/summary']) {
    await api.get(path);
  }
  await expectLedgerInvariants(deps.pool, tenantId);
});

describe('the scan', () => {
  const locate = (value: string) => seen.filter((s) => s.text.includes(value)).map((s) => s.where);
  /** Halves of a secret too: a key truncated or masked but for a long run is still a leak. */
  const fragments = (value: string) => (value.length >= 32 ? [value, value.slice(0, Math.ceil(value.length / 2)), value.slice(Math.floor(value.length / 2))] : [value]);

  it('saw what it scans: logs (with redacted credentials), responses and socket traffic', () => {
    const logs = seen.filter((s) => s.where === 'log');
    expect(logs.length).toBeGreaterThan(30);
    expect(logs.some((s) => s.text.includes('"authorization":"[redacted]"'))).toBe(true);
    expect(seen.some((s) => s.where === 'socket event message:end')).toBe(true);
    expect(seen.some((s) => s.where === 'socket event purchase:update')).toBe(true);
    // Each shown-once secret was seen where it is meant to be, so the scan can see it at all.
    for (const secret of issued) expect({ name: secret.name, shown: locate(secret.value).some(secret.allowed) }).toEqual({ name: secret.name, shown: true });
  });

  it.each(Object.keys(secrets) as Array<keyof typeof secrets>)('%s appears nowhere', (name) => {
    const leaks = fragments(secrets[name]).flatMap(locate);
    expect({ name, leaks }).toEqual({ name, leaks: [] });
  });

  it('shows each issued secret only where it is meant to be shown', () => {
    for (const secret of issued) {
      const leaks = fragments(secret.value).flatMap(locate).filter((where) => !secret.allowed(where));
      expect({ name: secret.name, leaks }).toEqual({ name: secret.name, leaks: [] });
    }
  });

  it('never shows a password hash', () => {
    expect(seen.filter((s) => /\$argon2|\$2[aby]\$\d\d\$/.test(s.text)).map((s) => s.where)).toEqual([]);
  });
});
