import type { PoolClient } from 'pg';
import { toAmount, toNullableAmount } from '../ledger/db';
import type { PaymentFact } from './stripe-events';

/**
 * Refunds and disputes, kept per payment intent. Each column only moves forward, so replaying,
 * reordering or duplicating events converges on the same row:
 *  - `amount_refunded_minor` is Stripe's running total on the charge: keep the largest seen;
 *  - a dispute's final status (won, lost, warning_closed, prevented) is never replaced by an open one.
 */
export const finalDisputeStatuses = ['won', 'lost', 'warning_closed', 'prevented'] as const;

export interface PaymentFacts {
  chargeAmountMinor: number | null;
  amountRefundedMinor: number;
  disputeStatus: string | null;
  disputeAmountMinor: number | null;
}

export async function recordFacts(client: PoolClient, o: { tenantId: string; fact: Exclude<PaymentFact, { kind: 'checkout' }>; now: Date }): Promise<void> {
  const { fact } = o;
  if (fact.kind === 'refund') {
    await client.query(
      `INSERT INTO stripe_payment_facts (tenant_id, payment_intent_id, charge_amount_minor, amount_refunded_minor, updated_at)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (tenant_id, payment_intent_id) DO UPDATE SET
         charge_amount_minor = coalesce(stripe_payment_facts.charge_amount_minor, EXCLUDED.charge_amount_minor),
         amount_refunded_minor = GREATEST(stripe_payment_facts.amount_refunded_minor, EXCLUDED.amount_refunded_minor),
         updated_at = EXCLUDED.updated_at`,
      [o.tenantId, fact.paymentIntentId, fact.chargeAmount, fact.amountRefunded, o.now],
    );
    return;
  }
  await client.query(
    `INSERT INTO stripe_payment_facts (tenant_id, payment_intent_id, dispute_id, dispute_status, dispute_amount_minor, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (tenant_id, payment_intent_id) DO UPDATE SET
       dispute_id = EXCLUDED.dispute_id,
       dispute_status = CASE WHEN stripe_payment_facts.dispute_status = ANY($7::text[]) AND stripe_payment_facts.dispute_id = EXCLUDED.dispute_id
                             THEN stripe_payment_facts.dispute_status ELSE EXCLUDED.dispute_status END,
       dispute_amount_minor = EXCLUDED.dispute_amount_minor,
       updated_at = EXCLUDED.updated_at`,
    [o.tenantId, fact.paymentIntentId, fact.disputeId, fact.status, fact.amount, o.now, finalDisputeStatuses],
  );
}

export async function readFacts(client: PoolClient, tenantId: string, paymentIntentId: string): Promise<PaymentFacts | undefined> {
  const { rows } = await client.query<{ charge_amount_minor: string | null; amount_refunded_minor: string; dispute_status: string | null; dispute_amount_minor: string | null }>(
    `SELECT charge_amount_minor, amount_refunded_minor, dispute_status, dispute_amount_minor
       FROM stripe_payment_facts WHERE tenant_id = $1 AND payment_intent_id = $2`,
    [tenantId, paymentIntentId],
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    chargeAmountMinor: toNullableAmount(row.charge_amount_minor),
    amountRefundedMinor: toAmount(row.amount_refunded_minor),
    disputeStatus: row.dispute_status,
    disputeAmountMinor: toNullableAmount(row.dispute_amount_minor),
  };
}
