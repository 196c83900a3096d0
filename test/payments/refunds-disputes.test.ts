import { adjust } from '../../server/src/ledger/adjust';
import { grant, reserve, settle } from '../../server/src/ledger';
import { transfer } from '../../server/src/ledger/transfer';
import { creditsToReclaim } from '../../server/src/payments/reconcile';
import { expectLedgerInvariants, systemActor } from '../support/ledger';
import {
  balanceOf, checkoutEvent, disputeEvent, newVisitor, paymentsHarness, purchaseGrants, purchaseRow, refundEvent, seedShop, send,
  startedPurchase, type PaymentsHarness, type Shop,
} from './helpers';

let h: PaymentsHarness;
let shop: Shop;

beforeAll(async () => {
  h = await paymentsHarness();
  shop = await seedShop(h.t);
});
afterAll(() => h.close());
afterEach(() => expectLedgerInvariants(h.t.deps.pool, shop.tenantId));

async function systemBalance(kind: string): Promise<number> {
  const { rows } = await h.t.deps.pool.query<{ n: string }>(
    `SELECT coalesce(sum(e.amount), 0) AS n FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id WHERE a.tenant_id = $1 AND a.kind = $2`,
    [shop.tenantId, kind],
  );
  return Number(rows[0]!.n);
}

const blockedAt = async (visitorId: string) =>
  (await h.t.deps.pool.query<{ blocked_at: Date | null }>('SELECT blocked_at FROM visitors WHERE id = $1', [visitorId])).rows[0]!.blocked_at;

const spend = (visitorId: string, amount: number) =>
  adjust({ db: h.t.deps.pool, tenantId: shop.tenantId, visitorId, amount: -amount, reason: 'spent in chat (test)', actor: systemActor, now: h.t.clock.now() });

describe('refunds', () => {
  it('a refund that arrives before the completion ends with nothing granted, whatever the order', async () => {
    const p = await startedPurchase(h.t, shop);
    expect(await send(h.t, shop, refundEvent(p, 500, { withMetadata: false }))).toBe('unmatched');
    expect(await send(h.t, shop, checkoutEvent(shop, p))).toBe('applied');
    expect(await balanceOf(h.t, shop.tenantId, p.visitorId)).toBe(0);
    expect(await purchaseRow(h.t, p.purchaseId)).toMatchObject({ status: 'refunded', credits_reversed: '10000', credits_uncollected: '0' });
    // The grant happened (the payment was real) and was taken back in the same transaction.
    expect((await purchaseGrants(h.t, shop.tenantId)).filter((g) => g.external_ref === p.paymentIntent)).toHaveLength(1);
    expect(await blockedAt(p.visitorId)).toBeNull();
  });

  it('a partial refund takes back the refunded share, rounded down in the visitor’s favour', async () => {
    const p = await startedPurchase(h.t, shop);
    await send(h.t, shop, checkoutEvent(shop, p));
    // 10,000 millicredits for 500 cents; 333 cents refunded -> floor(10,000 * 333 / 500) = 6,660.
    await send(h.t, shop, refundEvent(p, 333));
    expect(await balanceOf(h.t, shop.tenantId, p.visitorId)).toBe(10_000 - 6_660);
    expect(await purchaseRow(h.t, p.purchaseId)).toMatchObject({ status: 'partially_refunded', credits_reversed: '6660', amount_refunded_minor: '333' });
    // A later, larger refund takes only the difference; an older, smaller report changes nothing.
    await send(h.t, shop, refundEvent(p, 500));
    await send(h.t, shop, refundEvent(p, 100));
    expect(await balanceOf(h.t, shop.tenantId, p.visitorId)).toBe(0);
    expect(await purchaseRow(h.t, p.purchaseId)).toMatchObject({ status: 'refunded', credits_reversed: '10000' });
    expect(creditsToReclaim({ credits: 1, amountMinor: 3, facts: { chargeAmountMinor: 3, amountRefundedMinor: 2, disputeStatus: null, disputeAmountMinor: null } })).toBe(0);
    expect(creditsToReclaim({ credits: 1e12, amountMinor: 99_999_999, facts: { chargeAmountMinor: 99_999_999, amountRefundedMinor: 99_999_998, disputeStatus: null, disputeAmountMinor: null } }))
      .toBe(999_999_989_999); // exact: floor(1e12 - 10,000.0001); floats would be off here
  });

  it('takes back only what is left; the shortfall goes to uncollected and blocks the visitor', async () => {
    const p = await startedPurchase(h.t, shop);
    await send(h.t, shop, checkoutEvent(shop, p));
    await spend(p.visitorId, 7_000);
    const uncollectedBefore = await systemBalance('uncollected');
    await send(h.t, shop, refundEvent(p, 500));
    expect(await balanceOf(h.t, shop.tenantId, p.visitorId)).toBe(0);
    expect(await purchaseRow(h.t, p.purchaseId)).toMatchObject({ status: 'refunded', credits_reversed: '10000', credits_uncollected: '7000' });
    expect((await systemBalance('uncollected')) - uncollectedBefore).toBe(-7_000);
    expect(await blockedAt(p.visitorId)).not.toBeNull();
    // A blocked visitor cannot start another checkout.
    await expect(startedPurchase(h.t, shop, p.visitorId)).rejects.toMatchObject({ code: 'visitor_blocked' });
  });

  it('leaves credits reserved by a reply in flight alone: the held part is owed, and the turn can still settle', async () => {
    const p = await startedPurchase(h.t, shop);
    await send(h.t, shop, checkoutEvent(shop, p));
    // A second, younger grant: spending burns the purchase first (oldest), so the hold sits on it,
    // while "available" (11,000) is larger than the purchase's unheld part (6,000).
    await grant({
      db: h.t.deps.pool, tenantId: shop.tenantId, visitorId: p.visitorId, amount: 5_000, source: 'promotion',
      actor: systemActor, reason: 'test promotion', now: h.t.clock.now(),
    });
    const now = h.t.clock.now();
    const held = await reserve({
      db: h.t.deps.pool, tenantId: shop.tenantId, visitorId: p.visitorId, min: 4_000, max: 4_000,
      expiresAt: new Date(now.getTime() + 60_000), idempotencyKey: `turn-${p.purchaseId}`, price: {}, now,
    });
    expect(held.ok).toBe(true);
    await send(h.t, shop, refundEvent(p, 500));
    // 6,000 unheld credits come back at once; the 4,000 a reply is using are booked as owed.
    expect(await purchaseRow(h.t, p.purchaseId)).toMatchObject({ status: 'refunded', credits_reversed: '10000', credits_uncollected: '4000' });
    expect(await blockedAt(p.visitorId)).not.toBeNull();
    if (held.ok) {
      const settled = await settle({ db: h.t.deps.pool, tenantId: shop.tenantId, holdId: held.hold.id, amount: 4_000, now: h.t.clock.now() });
      expect(settled).toMatchObject({ charged: 4_000, balance: 5_000, reserved: 0 });
    }
  });

  it('follows a grant that moved with an identity merge', async () => {
    const p = await startedPurchase(h.t, shop);
    await send(h.t, shop, checkoutEvent(shop, p));
    const identified = await newVisitor(h.t, shop.tenantId);
    await transfer({ db: h.t.deps.pool, tenantId: shop.tenantId, fromVisitorId: p.visitorId, toVisitorId: identified, idempotencyKey: `merge-${p.purchaseId}`, actor: systemActor, now: h.t.clock.now() });
    await send(h.t, shop, refundEvent(p, 250));
    expect(await balanceOf(h.t, shop.tenantId, identified)).toBe(5_000);
    expect(h.notifier.recorded.balances.at(-1)).toEqual({ tenantId: shop.tenantId, visitorId: identified });
  });
});

describe('disputes', () => {
  it('a lost dispute claws back; the open dispute before it takes nothing', async () => {
    const p = await startedPurchase(h.t, shop);
    await send(h.t, shop, checkoutEvent(shop, p));
    await send(h.t, shop, disputeEvent(p, 'needs_response'));
    expect(await balanceOf(h.t, shop.tenantId, p.visitorId)).toBe(10_000);
    expect((await purchaseRow(h.t, p.purchaseId)).status).toBe('disputed');
    await send(h.t, shop, disputeEvent(p, 'lost'));
    expect(await balanceOf(h.t, shop.tenantId, p.visitorId)).toBe(0);
    expect(await purchaseRow(h.t, p.purchaseId)).toMatchObject({ status: 'disputed', dispute_status: 'lost', credits_reversed: '10000' });
  });

  it('a lost dispute reported before its creation and before the completion still ends clawed back', async () => {
    const p = await startedPurchase(h.t, shop);
    await send(h.t, shop, disputeEvent(p, 'lost'));
    await send(h.t, shop, disputeEvent(p, 'needs_response'));
    await send(h.t, shop, checkoutEvent(shop, p));
    expect(await balanceOf(h.t, shop.tenantId, p.visitorId)).toBe(0);
    expect(await purchaseRow(h.t, p.purchaseId)).toMatchObject({ status: 'disputed', dispute_status: 'lost' });
  });

  it('a won dispute takes nothing and the purchase reads as paid again', async () => {
    const p = await startedPurchase(h.t, shop);
    await send(h.t, shop, checkoutEvent(shop, p));
    await send(h.t, shop, disputeEvent(p, 'needs_response'));
    await send(h.t, shop, disputeEvent(p, 'won'));
    expect(await balanceOf(h.t, shop.tenantId, p.visitorId)).toBe(10_000);
    expect(await purchaseRow(h.t, p.purchaseId)).toMatchObject({ status: 'paid', dispute_status: 'won', credits_reversed: '0' });
  });
});

describe('asynchronous payment methods', () => {
  it('an async payment failure marks the purchase failed and grants nothing, in either order', async () => {
    const a = await startedPurchase(h.t, shop);
    await send(h.t, shop, checkoutEvent(shop, a, { paymentStatus: 'unpaid' }));
    await send(h.t, shop, checkoutEvent(shop, a, { type: 'checkout.session.async_payment_failed' }));
    const b = await startedPurchase(h.t, shop);
    await send(h.t, shop, checkoutEvent(shop, b, { type: 'checkout.session.async_payment_failed' }));
    await send(h.t, shop, checkoutEvent(shop, b, { paymentStatus: 'unpaid' }));
    for (const p of [a, b]) {
      expect((await purchaseRow(h.t, p.purchaseId)).status).toBe('failed');
      expect(await balanceOf(h.t, shop.tenantId, p.visitorId)).toBe(0);
    }
    expect(h.notifier.recorded.purchases.filter((u) => u.purchaseId === a.purchaseId).map((u) => u.status)).toEqual(['pending', 'failed']);
  });
});
