import crypto from 'node:crypto';
import Stripe from 'stripe';
import request from 'supertest';
import type { ParleyApp } from '../../server/src/app';
import type { VisitorNotifier } from '../../server/src/payments/notifier';
import { setStripeAccount } from '../../server/src/payments/stripe-account';
import { startCheckout } from '../../server/src/payments/start-checkout';
import { createVisitor } from '../../server/src/visitors/service';
import { startFakeStripe, type FakeStripe } from '../fakes/fake-stripe';
import { createTestApp, type TestApp } from '../support/app';

/** What the helpers need of a test app or a chat server: its deps and config. */
export type Env = Pick<TestApp, 'deps' | 'config'>;
import { seedTenant, type SeededTenant } from '../support/seed';

export const shopOrigin = 'https://shop.example';
export const returnUrl = `${shopOrigin}/pricing?plan=a#top`;

export interface Recorded {
  balances: Array<{ tenantId: string; visitorId: string }>;
  purchases: Array<{ purchaseId: string; status: string; credits: number; visitorId: string }>;
}

export function recordingNotifier(): VisitorNotifier & { recorded: Recorded } {
  const recorded: Recorded = { balances: [], purchases: [] };
  return {
    recorded,
    notifyBalance: (e) => { recorded.balances.push(e); },
    notifyPurchase: (e) => { recorded.purchases.push(e); },
  };
}

export interface PaymentsHarness {
  t: TestApp;
  stripe: FakeStripe;
  notifier: ReturnType<typeof recordingNotifier>;
  close(): Promise<void>;
}

/** A test app whose Stripe SDK calls go to a fake Stripe, and whose pushes are recorded. */
export async function paymentsHarness(options: { production?: boolean } = {}): Promise<PaymentsHarness> {
  const stripe = await startFakeStripe();
  const t = await createTestApp({ config: options.production ? { production: true, env: 'production' } : {} });
  const notifier = recordingNotifier();
  t.deps.stripeApi = { host: stripe.host, port: stripe.port, protocol: stripe.protocol };
  t.deps.visitorNotifier = notifier;
  return { t, stripe, notifier, close: async () => { await t.close(); await stripe.close(); } };
}

export interface Shop {
  owner: SeededTenant;
  tenantId: string;
  packId: string;
  webhookSecret: string;
  secretKey: string;
}

let shopCounter = 0;

/** A tenant with its site's origin allowed, one pack (10 credits for $5.00), and Stripe keys unless `demo`. */
export async function seedShop(t: Env, options: { demo?: boolean; credits?: number; amountMinor?: number } = {}): Promise<Shop> {
  const owner = await seedTenant(t.deps, `shop${(shopCounter += 1)}`);
  const { tenantId } = owner;
  await t.deps.pool.query('UPDATE tenants SET allowed_origins = $2 WHERE id = $1', [tenantId, [shopOrigin]]);
  const { rows } = await t.deps.pool.query<{ id: string }>(
    `INSERT INTO credit_packs (tenant_id, name, credits, amount_minor, currency, badge) VALUES ($1, 'Starter', $2, $3, 'USD', 'Best value') RETURNING id`,
    [tenantId, options.credits ?? 10_000, options.amountMinor ?? 500],
  );
  const secretKey = `sk_test_${crypto.randomBytes(12).toString('hex')}`;
  const webhookSecret = `whsec_${crypto.randomBytes(16).toString('hex')}`;
  if (!options.demo) {
    await setStripeAccount({
      db: t.deps.pool, masterKey: t.config.masterKey, tenantId, publicUrl: t.config.publicUrl, secretKey, webhookSecret, now: t.deps.clock.now(),
    });
  }
  return { owner, tenantId, packId: rows[0]!.id, webhookSecret, secretKey };
}

export async function newVisitor(t: Env, tenantId: string): Promise<string> {
  return (await createVisitor({ db: t.deps.pool, tenantId, now: t.deps.clock.now() })).id;
}

/** A visitor who has started checkout for the shop's pack. */
export async function startedPurchase(t: Env, shop: Shop, visitorId?: string) {
  const visitor = visitorId ?? (await newVisitor(t, shop.tenantId));
  const started = await startCheckout({ deps: t.deps, config: t.config, tenantId: shop.tenantId, visitorId: visitor, packId: shop.packId, returnUrl });
  const { rows } = await t.deps.pool.query<{ checkout_session_id: string | null }>('SELECT checkout_session_id FROM purchases WHERE id = $1', [started.purchaseId]);
  return { ...started, visitorId: visitor, sessionId: rows[0]!.checkout_session_id ?? `cs_test_${crypto.randomUUID()}`, paymentIntent: `pi_${crypto.randomBytes(12).toString('hex')}` };
}

export type Purchase = Awaited<ReturnType<typeof startedPurchase>>;

const eventId = () => `evt_${crypto.randomBytes(12).toString('hex')}`;

function envelope(type: string, object: Record<string, unknown>, id = eventId()) {
  return { id, object: 'event', api_version: '2026-10-28.endive', created: Math.floor(Date.now() / 1000), livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null }, type, data: { object } };
}

export function checkoutEvent(shop: Shop, p: Purchase, options: { type?: string; paymentStatus?: 'paid' | 'unpaid'; id?: string } = {}) {
  const type = options.type ?? 'checkout.session.completed';
  const paid = options.paymentStatus ?? (type === 'checkout.session.async_payment_failed' ? 'unpaid' : 'paid');
  return envelope(type, {
    id: p.sessionId, object: 'checkout.session', mode: 'payment', status: 'complete', payment_status: paid,
    payment_intent: p.paymentIntent, client_reference_id: p.purchaseId, amount_total: 500, currency: 'usd', livemode: false,
    metadata: { parley_tenant_id: shop.tenantId, parley_visitor_id: p.visitorId, parley_pack_id: shop.packId, parley_purchase_id: p.purchaseId },
  }, options.id);
}

export function refundEvent(p: Purchase, amountRefunded: number, options: { amount?: number; id?: string; withMetadata?: boolean } = {}) {
  const amount = options.amount ?? 500;
  return envelope('charge.refunded', {
    id: `ch_${p.paymentIntent.slice(3)}`, object: 'charge', amount, amount_captured: amount, amount_refunded: amountRefunded,
    refunded: amountRefunded >= amount, currency: 'usd', payment_intent: p.paymentIntent, status: 'succeeded',
    metadata: options.withMetadata === false ? {} : { parley_purchase_id: p.purchaseId },
  }, options.id);
}

export function disputeEvent(p: Purchase, status: string, options: { type?: string; amount?: number; id?: string } = {}) {
  return envelope(options.type ?? (['won', 'lost', 'warning_closed'].includes(status) ? 'charge.dispute.closed' : 'charge.dispute.created'), {
    id: `dp_${p.paymentIntent.slice(3)}`, object: 'dispute', amount: options.amount ?? 500, currency: 'usd', status,
    charge: `ch_${p.paymentIntent.slice(3)}`, payment_intent: p.paymentIntent, reason: 'fraudulent', metadata: {},
  }, options.id);
}

/** Signs as Stripe does, with the SDK's own helper. */
export function sign(event: unknown, secret: string, timestamp?: number): { payload: string; header: string } {
  const payload = JSON.stringify(event);
  return { payload, header: Stripe.webhooks.generateTestHeaderString({ payload, secret, ...(timestamp === undefined ? {} : { timestamp }) }) };
}

export function deliver(app: ParleyApp, tenantId: string, signed: { payload: string; header: string }) {
  return request(app)
    .post(`/webhooks/stripe/${tenantId}`)
    .set('content-type', 'application/json')
    .set('stripe-signature', signed.header)
    .send(signed.payload);
}

/** Signs with the shop's secret and delivers; expects 200. */
export async function send(t: TestApp, shop: Shop, event: unknown): Promise<string> {
  const res = await deliver(t.app, shop.tenantId, sign(event, shop.webhookSecret));
  if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${JSON.stringify(res.body)}`);
  return (res.body as { outcome: string }).outcome;
}

export async function purchaseGrants(t: Env, tenantId: string): Promise<Array<{ external_ref: string; amount: string; account_id: string }>> {
  const { rows } = await t.deps.pool.query<{ external_ref: string; amount: string; account_id: string }>(
    `SELECT external_ref, amount, account_id FROM grants WHERE tenant_id = $1 AND source = 'purchase' AND transferred_from IS NULL ORDER BY external_ref`,
    [tenantId],
  );
  return rows;
}

export async function balanceOf(t: Env, tenantId: string, visitorId: string): Promise<number> {
  const { rows } = await t.deps.pool.query<{ balance: string }>('SELECT balance FROM ledger_accounts WHERE tenant_id = $1 AND visitor_id = $2', [tenantId, visitorId]);
  return Number(rows[0]!.balance);
}

export async function purchaseRow(t: Env, purchaseId: string) {
  const { rows } = await t.deps.pool.query<{ status: string; credits_reversed: string; credits_uncollected: string; amount_refunded_minor: string; dispute_status: string | null; grant_id: string | null }>(
    'SELECT status, credits_reversed, credits_uncollected, amount_refunded_minor, dispute_status, grant_id FROM purchases WHERE id = $1',
    [purchaseId],
  );
  return rows[0]!;
}
