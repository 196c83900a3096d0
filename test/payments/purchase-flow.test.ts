/**
 * A whole purchase against the real gateway: a widget connects over Socket.IO, the visitor starts
 * checkout (a session is created on the fake Stripe through the official SDK), Stripe's signed
 * webhook arrives, the credits are granted, and the new balance reaches the open widget.
 */
import request from 'supertest';
import { createApp } from '../../server/src/app';
import { roomNotifier } from '../../server/src/payments/room-notifier';
import { startCheckout } from '../../server/src/payments/start-checkout';
import { stripeApiVersion } from '../../server/src/payments/stripe-client';
import type { ServerToClientEvents } from '../../server/src/wire/chat';
import { startFakeStripe, type FakeStripe } from '../fakes/fake-stripe';
import { connectWidget, startChatServer, type ChatServer, type WidgetClient } from '../support/chat';
import { expectLedgerInvariants } from '../support/ledger';
import { loginAgent } from '../support/seed';
import { checkoutEvent, purchaseRow, returnUrl, seedShop, sign, type Shop } from './helpers';

let server: ChatServer;
let stripe: FakeStripe;
let shop: Shop;
const sockets: WidgetClient[] = [];

beforeAll(async () => {
  stripe = await startFakeStripe();
  server = await startChatServer();
  server.deps.stripeApi = { host: stripe.host, port: stripe.port, protocol: stripe.protocol };
  server.deps.visitorNotifier = roomNotifier({ emit: server.gateway.runtime.emit, db: server.deps.pool, clock: server.deps.clock });
  shop = await seedShop(server);
});
afterAll(async () => {
  for (const socket of sockets) socket.close();
  await server.close();
  await stripe.close();
});
afterEach(() => expectLedgerInvariants(server.deps.pool, shop.tenantId));

async function widget() {
  const key = await server.deps.models.ApiKey.findOne({ where: { tenantId: shop.tenantId, kind: 'publishable' } });
  const opened = await connectWidget(server, { key: key!.publicToken! });
  sockets.push(opened.socket);
  return opened;
}

/** The next `event` the widget receives. */
const next = <E extends 'balance' | 'purchase:update'>(socket: WidgetClient, event: E) =>
  new Promise<Parameters<ServerToClientEvents[E]>[0]>((resolve) => socket.once(event, resolve as never));

it('creates the session on Stripe, grants on the signed webhook, and pushes the balance to the open widget', async () => {
  const { socket, session } = await widget();
  const before = session.balance.balance;
  const started = await startCheckout({
    deps: server.deps, config: server.config, tenantId: shop.tenantId, visitorId: session.visitorId, packId: shop.packId, returnUrl,
  });
  expect(started.provider).toBe('stripe');
  expect(started.url).toMatch(/^https:\/\/checkout\.stripe\.com\/c\/pay\/cs_test_/);

  const call = stripe.requests.find((r) => r.path === '/v1/checkout/sessions' && r.method === 'POST')!;
  expect(call.apiKey).toBe(shop.secretKey);
  expect(call.idempotencyKey).toBe(`parley-checkout-${started.purchaseId}`);
  expect(call.headers['stripe-version']).toBe(stripeApiVersion);
  const metadata = { parley_tenant_id: shop.tenantId, parley_visitor_id: session.visitorId, parley_pack_id: shop.packId, parley_purchase_id: started.purchaseId };
  expect(call.body).toMatchObject({
    mode: 'payment',
    client_reference_id: started.purchaseId,
    metadata,
    payment_intent_data: { metadata },
    line_items: [{ quantity: '1', price_data: { currency: 'usd', unit_amount: '500', product_data: { name: 'Starter', description: '10 credits' } } }],
  });
  const success = new URL(String(call.body.success_url));
  expect(success.origin + success.pathname).toBe('https://shop.example/pricing');
  expect(Object.fromEntries(success.searchParams)).toEqual({ plan: 'a', parley_purchase: started.purchaseId, parley_checkout: 'success' });
  expect(success.hash).toBe('#top');
  expect(new URL(String(call.body.cancel_url)).searchParams.get('parley_checkout')).toBe('cancelled');

  const sessionId = [...stripe.sessions.keys()].at(-1)!;
  const paymentIntent = 'pi_flow_0001';
  const balancePushed = next(socket, 'balance');
  const purchasePushed = next(socket, 'purchase:update');
  const signed = sign(checkoutEvent(shop, { ...started, visitorId: session.visitorId, sessionId, paymentIntent }), shop.webhookSecret);
  const res = await request(server.url).post(`/webhooks/stripe/${shop.tenantId}`)
    .set('content-type', 'application/json').set('stripe-signature', signed.header).send(signed.payload);
  expect(res.status).toBe(200);
  expect(res.body).toEqual({ received: true, outcome: 'applied' });

  expect(await purchasePushed).toEqual({ purchaseId: started.purchaseId, status: 'paid', credits: 10_000 });
  expect(await balancePushed).toMatchObject({ balance: before + 10_000, available: before + 10_000, reserved: 0, lowBalance: false });
  expect(await purchaseRow(server, started.purchaseId)).toMatchObject({ status: 'paid' });
});

it('lists the purchase in the dashboard API, filtered by visitor', async () => {
  // The chat server wraps the app in its HTTP server; a second app over the same deps serves Supertest.
  const app = createApp(server.config, server.deps);
  const owner = await loginAgent(app, shop.owner);
  const { rows } = await server.deps.pool.query<{ visitor_id: string; id: string }>('SELECT visitor_id, id FROM purchases WHERE tenant_id = $1', [shop.tenantId]);
  const res = await owner.agent.get(`/api/purchases?visitorId=${rows[0]!.visitor_id}`).expect(200);
  expect(res.body.data).toEqual([expect.objectContaining({ id: rows[0]!.id, status: 'paid', credits: 10_000, amountMinor: 500, currency: 'USD', provider: 'stripe', paymentIntentId: 'pi_flow_0001' })]);
  const one = await owner.agent.get(`/api/purchases/${rows[0]!.id}`).expect(200);
  expect(one.body.packName).toBe('Starter');
  expect((await owner.agent.get('/api/purchases?status=refunded').expect(200)).body.data).toEqual([]);
});

it('refuses a return URL off the tenant’s site, an inactive pack, and answers unavailable when Stripe fails', async () => {
  const { session } = await widget();
  const base = { deps: server.deps, config: server.config, tenantId: shop.tenantId, visitorId: session.visitorId, packId: shop.packId };
  await expect(startCheckout({ ...base, returnUrl: 'https://evil.example/steal' })).rejects.toMatchObject({ code: 'origin_not_allowed' });
  await expect(startCheckout({ ...base, returnUrl: 'javascript:alert(1)' })).rejects.toMatchObject({ code: 'origin_not_allowed' });
  await expect(startCheckout({ ...base, packId: '00000000-0000-4000-8000-000000000000', returnUrl })).rejects.toMatchObject({ code: 'not_found' });

  // A transient 500 is retried by the SDK with the same Idempotency-Key: one session, one purchase.
  stripe.failNext(1, 500);
  const retried = await startCheckout({ ...base, returnUrl });
  const attempts = stripe.requests.filter((r) => r.idempotencyKey === `parley-checkout-${retried.purchaseId}`);
  expect(attempts).toHaveLength(2);
  expect(new Set(attempts.map((a) => a.idempotencyKey)).size).toBe(1);

  stripe.failNext(1, 401);
  await expect(startCheckout({ ...base, returnUrl })).rejects.toMatchObject({ code: 'unavailable' });
  const { rows } = await server.deps.pool.query<{ status: string }>('SELECT status FROM purchases WHERE tenant_id = $1 ORDER BY created_at DESC LIMIT 1', [shop.tenantId]);
  expect(rows[0]!.status).toBe('failed');
});
