/**
 * Fault scenario 4: Stripe webhook chaos spread over two server processes (`server/main.ts` twice,
 * one database). 200 purchases by 40 visitors (5 each, so grants and clawbacks on one account race
 * each other). 400 distinct signed events: a completion for every purchase, a second report of the
 * same payment (async_payment_succeeded) for 60, an open dispute for 40, a partial refund for 80
 * and a full refund for 20 (refunds may arrive before their completion). Each is delivered once,
 * and 30 % of all deliveries are duplicates; shuffled, sent 20 at a time, alternating between the
 * two processes, so copies of one event race each other in different processes.
 *
 * Proves: each purchase is granted exactly once (one grant per payment, its full credits); each
 * refund is clawed back exactly once, floor(credits × refunded / charged); every duplicate is
 * answered `duplicate`; balances and purchase statuses are exact; the ledger verifier finds nothing.
 */
import Stripe from 'stripe';
import { startFakeStripe } from '../fakes/fake-stripe';
import { checkoutEvent, disputeEvent, newVisitor, purchaseGrants, refundEvent, seedShop, startedPurchase, type Purchase } from '../payments/helpers';
import { closeDeps, createTestDeps, testConfig } from '../support/app';
import { scratchDatabase } from '../support/db';
import { faultSecrets, inBatches, printSummary, serverEnv, startServerProcess, tempDataDir, type ServerProcess } from './support/processes';
import { ledgerViolations, tally } from './support/turns';

const PURCHASES = 200;
const VISITORS = 40;
const DUPLICATE_SHARE = 0.3;
const CONCURRENCY = 20;
const CREDITS = 10_000;
const AMOUNT_CENTS = 500;

/** Deterministic, so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

it('webhook chaos over two processes: each purchase granted once, each refund clawed back once', async () => {
  const db = await scratchDatabase({ migrated: true });
  const dataA = await tempDataDir('webhooks-a');
  const dataB = await tempDataDir('webhooks-b');
  const stripe = await startFakeStripe();
  const deps = await createTestDeps({ databaseUrl: db.url });
  deps.stripeApi = { host: stripe.host, port: stripe.port, protocol: stripe.protocol };
  // The processes decrypt the shop's webhook secret with the same master key the test stored it under.
  const t = { deps, config: testConfig({ masterKey: faultSecrets.MASTER_KEY, sessionSecret: faultSecrets.SESSION_SECRET }) };
  const servers: ServerProcess[] = [];
  try {
    servers.push(await startServerProcess({ env: serverEnv({ databaseUrl: db.url, dataDir: dataA.dir }) }));
    servers.push(await startServerProcess({ env: serverEnv({ databaseUrl: db.url, dataDir: dataB.dir }) }));
    const shop = await seedShop(t, { credits: CREDITS, amountMinor: AMOUNT_CENTS });
    const random = rng(20261122);
    const visitors = await inBatches(Array.from({ length: VISITORS }, (_, i) => i), CONCURRENCY, () => newVisitor(t, shop.tenantId));
    const purchases: Purchase[] = await inBatches(Array.from({ length: PURCHASES }, (_, i) => i), CONCURRENCY, (_, i) =>
      startedPurchase(t, shop, visitors[i % VISITORS]));

    const refundCents = new Map<string, number>();
    const events: unknown[] = [];
    purchases.forEach((p, i) => {
      events.push(checkoutEvent(shop, p));
      if (i < 60) events.push(checkoutEvent(shop, p, { type: 'checkout.session.async_payment_succeeded' }));
      if (i < 40) events.push(disputeEvent(p, 'needs_response'));
      if (i >= 100) {
        const cents = i >= 180 ? AMOUNT_CENTS : 1 + Math.floor(random() * (AMOUNT_CENTS - 1));
        refundCents.set(p.purchaseId, cents);
        events.push(refundEvent(p, cents, { withMetadata: i % 2 === 0 }));
      }
    });
    expect(events.length).toBe(400);
    const deliveries = [...events];
    const total = Math.ceil(events.length / (1 - DUPLICATE_SHARE));
    while (deliveries.length < total) deliveries.push(events[Math.floor(random() * events.length)]);
    for (let i = deliveries.length - 1; i > 0; i -= 1) {
      const j = Math.floor(random() * (i + 1));
      [deliveries[i], deliveries[j]] = [deliveries[j], deliveries[i]];
    }

    const answers = await inBatches(deliveries, CONCURRENCY, async (event, i) => {
      const server = servers[i % 2]!;
      const payload = JSON.stringify(event);
      const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: shop.webhookSecret });
      const res = await fetch(`${server.url}/webhooks/stripe/${shop.tenantId}`, {
        method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': header }, body: payload,
      });
      const body = (await res.json()) as { outcome?: string };
      return { process: i % 2 === 0 ? 'A' : 'B', answer: `${res.status} ${body.outcome ?? JSON.stringify(body)}` };
    });
    const outcomes = tally(answers.map((a) => a.answer));
    expect(Object.keys(outcomes).filter((k) => !k.startsWith('200 '))).toEqual([]);
    expect(outcomes['200 duplicate']).toBe(deliveries.length - events.length);

    const grants = await purchaseGrants(t, shop.tenantId);
    expect(grants).toHaveLength(PURCHASES);
    expect(new Set(grants.map((g) => g.external_ref))).toEqual(new Set(purchases.map((p) => p.paymentIntent)));
    expect(grants.every((g) => g.amount === String(CREDITS))).toBe(true);

    // Each refund took back floor(credits × refunded / charged), once: 20 millicredits per cent here.
    const clawback = (cents: number): number => Math.floor((CREDITS * cents) / AMOUNT_CENTS);
    const { rows: reversed } = await deps.pool.query<{ id: string; credits_reversed: string; status: string }>(
      'SELECT id, credits_reversed, status FROM purchases WHERE tenant_id = $1', [shop.tenantId]);
    expect(reversed.filter((r) => Number(r.credits_reversed) !== clawback(refundCents.get(r.id) ?? 0))).toEqual([]);
    const expected = new Map<string, number>();
    for (const p of purchases) expected.set(p.visitorId, (expected.get(p.visitorId) ?? 0) + CREDITS - clawback(refundCents.get(p.purchaseId) ?? 0));
    const { rows: balances } = await deps.pool.query<{ visitor_id: string; balance: string }>(
      `SELECT visitor_id, balance FROM ledger_accounts WHERE tenant_id = $1 AND kind = 'visitor'`, [shop.tenantId]);
    expect(new Map(balances.map((r) => [r.visitor_id, Number(r.balance)]))).toEqual(expected);
    const statuses = tally(reversed.map((r) => r.status));
    expect(statuses).toEqual({ disputed: 40, paid: 60, partially_refunded: 80, refunded: 20 });
    const violations = await ledgerViolations(deps.pool);
    expect(violations).toEqual([]);

    const perProcess = tally(answers.map((a) => a.process));
    printSummary('Fault 4: Stripe webhook chaos over two server processes', [
      `purchases: ${PURCHASES} by ${VISITORS} visitors; distinct signed events: ${events.length}; deliveries: ${deliveries.length} (${deliveries.length - events.length} duplicates, ${Math.round((100 * (deliveries.length - events.length)) / deliveries.length)} %), shuffled, ${CONCURRENCY} at a time`,
      `deliveries per process: A ${perProcess.A}, B ${perProcess.B}; answers: ${JSON.stringify(outcomes)}`,
      `grants: ${grants.length} (one per purchase, ${CREDITS} millicredits each); refunds clawed back: ${refundCents.size} (${[...refundCents.values()].filter((c) => c === AMOUNT_CENTS).length} full), ${[...refundCents.values()].reduce((a, c) => a + clawback(c), 0)} millicredits in all, each exactly once`,
      `purchase statuses: ${JSON.stringify(statuses)}; ledger verifier violations: ${violations.length}`,
    ]);
  } finally {
    for (const server of servers) await server.stop();
    await stripe.close();
    await closeDeps(deps);
    await db.drop();
    await dataA.remove();
    await dataB.remove();
  }
});
