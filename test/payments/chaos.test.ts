/**
 * Chaos: 1,000 signed deliveries for 300 purchases, 30 % of them duplicates, shuffled and sent 20
 * at a time. 700 distinct events: a completion for each of the 300 purchases, a second report of
 * the same payment (async_payment_succeeded) for 150, a partial refund for another 150 (some of
 * which arrive before their completion), and an open dispute for 100. 60 visitors with 5 purchases
 * each, so grants and clawbacks on one account race each other.
 */
import http from 'node:http';
import request from 'supertest';
import { expectLedgerInvariants } from '../support/ledger';
import {
  checkoutEvent, disputeEvent, newVisitor, paymentsHarness, purchaseGrants, refundEvent, seedShop, sign, startedPurchase,
  type PaymentsHarness, type Purchase, type Shop,
} from './helpers';

const PURCHASES = 300;
const VISITORS = 60;
const DELIVERIES = 1000;
const CONCURRENCY = 20;

let h: PaymentsHarness;
let shop: Shop;
let server: http.Server;

/** Deterministic shuffles, so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

beforeAll(async () => {
  h = await paymentsHarness();
  shop = await seedShop(h.t);
  server = http.createServer(h.t.app).listen(0);
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await h.close();
});

async function inBatches<T, R>(items: readonly T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}

it('grants each of 300 purchases exactly once and claws back each refund once', async () => {
  const random = rng(20261121);
  const visitors = await inBatches(Array.from({ length: VISITORS }, (_, i) => i), CONCURRENCY, () => newVisitor(h.t, shop.tenantId));
  const purchases: Purchase[] = await inBatches(Array.from({ length: PURCHASES }, (_, i) => i), CONCURRENCY, (i) =>
    startedPurchase(h.t, shop, visitors[i % VISITORS]));
  expect(h.stripe.requests.filter((r) => r.path === '/v1/checkout/sessions')).toHaveLength(PURCHASES);

  const refundCents = new Map<string, number>();
  const events: unknown[] = [];
  purchases.forEach((p, i) => {
    events.push(checkoutEvent(shop, p));
    if (i < 150) events.push(checkoutEvent(shop, p, { type: 'checkout.session.async_payment_succeeded' }));
    else {
      const cents = 1 + Math.floor(random() * 499);
      refundCents.set(p.purchaseId, cents);
      events.push(refundEvent(p, cents, { withMetadata: i % 2 === 0 }));
    }
    if (i < 100) events.push(disputeEvent(p, 'needs_response'));
  });
  expect(events).toHaveLength(700);
  const deliveries = [...events];
  while (deliveries.length < DELIVERIES) deliveries.push(events[Math.floor(random() * events.length)]);
  for (let i = deliveries.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [deliveries[i], deliveries[j]] = [deliveries[j], deliveries[i]];
  }

  const statuses = await inBatches(deliveries, CONCURRENCY, async (event) => {
    const signed = sign(event, shop.webhookSecret);
    const res = await request(server).post(`/webhooks/stripe/${shop.tenantId}`)
      .set('content-type', 'application/json').set('stripe-signature', signed.header).send(signed.payload);
    return `${res.status} ${(res.body as { outcome?: string }).outcome}`;
  });
  const tally = statuses.reduce<Record<string, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {});
  expect(Object.keys(tally).every((k) => k.startsWith('200 '))).toBe(true);
  expect(tally['200 duplicate']).toBe(DELIVERIES - 700);

  const grants = await purchaseGrants(h.t, shop.tenantId);
  expect(grants).toHaveLength(PURCHASES);
  expect(new Set(grants.map((g) => g.external_ref))).toEqual(new Set(purchases.map((p) => p.paymentIntent)));
  expect(grants.every((g) => g.amount === '10000')).toBe(true);

  // Each visitor holds 5 purchases' credits less each refunded share (10,000 millicredits per 500 cents: 20 per cent).
  const expected = new Map<string, number>();
  for (const p of purchases) expected.set(p.visitorId, (expected.get(p.visitorId) ?? 0) + 10_000 - 20 * (refundCents.get(p.purchaseId) ?? 0));
  const { rows } = await h.t.deps.pool.query<{ visitor_id: string; balance: string }>(
    `SELECT visitor_id, balance FROM ledger_accounts WHERE tenant_id = $1 AND kind = 'visitor'`, [shop.tenantId]);
  expect(new Map(rows.map((r) => [r.visitor_id, Number(r.balance)]))).toEqual(expected);
  const { rows: statusRows } = await h.t.deps.pool.query<{ status: string; n: string }>(
    'SELECT status, count(*) AS n FROM purchases WHERE tenant_id = $1 GROUP BY status ORDER BY status', [shop.tenantId]);
  expect(Object.fromEntries(statusRows.map((r) => [r.status, Number(r.n)]))).toEqual({ disputed: 100, paid: 50, partially_refunded: 150 });
  await expectLedgerInvariants(h.t.deps.pool, shop.tenantId);
}, 120_000);
