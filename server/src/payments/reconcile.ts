import type { PoolClient } from 'pg';
import { toAmount } from '../ledger/db';
import { grantInTransaction } from '../ledger/grant';
import { clawbackGrantInTransaction } from './clawback';
import type { PaymentFacts } from './payment-facts';
import type { PurchaseRow, PurchaseStatus } from './purchases';

const actor = { type: 'system', id: 'payments' } as const;

/**
 * How many of a purchase's credits the money taken back entitles Parley to reclaim: the refunded
 * share plus, for a lost dispute, the disputed share, of the amount charged. Rounded down (floor),
 * so any fraction of a millicredit stays with the visitor; a full refund always reclaims all.
 */
export function creditsToReclaim(o: { credits: number; amountMinor: number; facts: PaymentFacts | undefined }): number {
  if (!o.facts) return 0;
  const charged = o.facts.chargeAmountMinor ?? o.amountMinor;
  const lost = o.facts.disputeStatus === 'lost' ? (o.facts.disputeAmountMinor ?? charged) : 0;
  const reversed = Math.min(charged, o.facts.amountRefundedMinor + lost);
  if (reversed <= 0) return 0;
  if (reversed >= charged) return o.credits;
  // BigInt: credits (up to 1e12) times cents (up to 1e8) is beyond 2^53.
  return Number((BigInt(o.credits) * BigInt(reversed)) / BigInt(charged));
}

/** Open or lost disputes show as disputed; a won one shows what refunds say. */
export function purchaseStatusOf(o: { paid: boolean; failed: boolean; amountMinor: number; facts: PaymentFacts | undefined }): PurchaseStatus {
  if (!o.paid) return o.failed ? 'failed' : 'pending';
  const dispute = o.facts?.disputeStatus;
  if (dispute && dispute !== 'won' && dispute !== 'warning_closed' && dispute !== 'prevented') return 'disputed';
  const refunded = o.facts?.amountRefundedMinor ?? 0;
  const charged = o.facts?.chargeAmountMinor ?? o.amountMinor;
  if (refunded >= charged) return 'refunded';
  return refunded > 0 ? 'partially_refunded' : 'paid';
}

export interface Reconciled {
  status: PurchaseStatus;
  /** The visitor whose balance moved last (the grant's holder after any identity merge). */
  visitorId: string;
  balanceChanged: boolean;
}

/**
 * Brings one locked purchase's ledger state to what its facts require, idempotently: the grant
 * once it is paid (keyed by its payment reference), then a clawback of whatever of
 * `creditsToReclaim` has not been reclaimed yet. A refund that arrived before the payment
 * completed is therefore applied right after the grant, in the same transaction.
 */
export async function reconcilePurchase(client: PoolClient, o: { purchase: PurchaseRow; facts: PaymentFacts | undefined; now: Date }): Promise<Reconciled> {
  const p = o.purchase;
  const credits = toAmount(p.credits);
  const amountMinor = toAmount(p.amount_minor);
  let grantId = p.grant_id;
  let visitorId = p.visitor_id;
  let balanceChanged = false;
  if (p.paid_at && !grantId) {
    const posting = await grantInTransaction(client, {
      tenantId: p.tenant_id, visitorId: p.visitor_id, amount: credits, source: 'purchase',
      externalRef: p.payment_ref!, idempotencyKey: `purchase:${p.id}`, reason: `Bought ${p.pack_name}`,
      actor, metadata: { purchaseId: p.id, provider: p.provider }, now: o.now,
    });
    grantId = posting.grantId;
    balanceChanged = !posting.replayed;
  }

  let reversed = toAmount(p.credits_reversed);
  let uncollected = toAmount(p.credits_uncollected);
  const target = grantId ? creditsToReclaim({ credits, amountMinor, facts: o.facts }) : 0;
  if (grantId && target > reversed) {
    const result = await clawbackGrantInTransaction(client, {
      tenantId: p.tenant_id, grantId, amount: target - reversed,
      // Each step is named by the total it brings the purchase to: a replay of the same step is a no-op.
      idempotencyKey: `clawback:${p.id}:${target}`,
      reason: `Refund or lost dispute of ${p.pack_name}`, actor, metadata: { purchaseId: p.id }, now: o.now,
    });
    reversed = target;
    uncollected += result.uncollected;
    visitorId = result.visitorId || visitorId;
    balanceChanged ||= result.taken > 0;
  }

  const status = purchaseStatusOf({ paid: Boolean(p.paid_at), failed: Boolean(p.failed_at), amountMinor, facts: o.facts });
  await client.query(
    `UPDATE purchases SET grant_id = $3, credits_reversed = $4, credits_uncollected = $5, status = $6,
            amount_refunded_minor = $7, dispute_status = $8, updated_at = $9
      WHERE tenant_id = $1 AND id = $2`,
    [p.tenant_id, p.id, grantId, reversed, uncollected, status, o.facts?.amountRefundedMinor ?? 0, o.facts?.disputeStatus ?? null, o.now],
  );
  return { status, visitorId, balanceChanged };
}
