import type { Pool, PoolClient } from 'pg';
import { toAmount, withTransaction } from '../ledger/db';
import type { PurchaseChange } from './notifier';
import type { PurchaseRow } from './purchases';
import { reconcilePurchase } from './reconcile';
import { recordFacts, readFacts } from './payment-facts';
import type { PaymentFact } from './stripe-events';

/**
 * The one fulfilment path: a Stripe webhook and the demo checkout's Pay button both end here.
 *
 * One READ COMMITTED transaction (retried whole on a deadlock or a lost race):
 *  1. an advisory lock on the payment (its payment intent, else the purchase), so a refund and the
 *     completion of the same payment never interleave, whichever arrives first;
 *  2. the event id is inserted into `stripe_events` (ON CONFLICT DO NOTHING): a redelivery stops
 *     here with nothing changed;
 *  3. the fact is recorded (refunds and disputes per payment intent; checkout outcomes on the
 *     purchase, locked FOR UPDATE);
 *  4. the purchase is reconciled: granted once if paid (the ledger's unique external_ref is the last
 *     word on "once"), and clawed back to what the recorded refunds and disputes require.
 * The visitor's widgets are told after the commit, by the caller.
 */
export interface ApplyPaymentFactOptions {
  db: Pool;
  tenantId: string;
  fact: PaymentFact;
  /** The Stripe event that reported it; absent for the demo checkout. */
  event?: { id: string; type: string };
  now: Date;
}

export type ApplyOutcome = 'duplicate' | 'applied' | 'unmatched' | 'mismatch';

export interface ApplyResult {
  outcome: ApplyOutcome;
  purchaseId: string | null;
  change?: PurchaseChange;
}

export async function applyPaymentFact(o: ApplyPaymentFactOptions): Promise<ApplyResult> {
  return withTransaction(o.db, async (client) => {
    const lockOn = o.fact.paymentIntentId ?? o.fact.purchaseId ?? o.event?.id ?? 'none';
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 5))', [`payment:${o.tenantId}:${lockOn}`]);
    if (o.event && !(await claimEvent(client, o))) return { outcome: 'duplicate', purchaseId: null };
    const result = await apply(client, o);
    if (o.event) {
      await client.query('UPDATE stripe_events SET outcome = $3, purchase_id = $4 WHERE tenant_id = $1 AND event_id = $2', [
        o.tenantId, o.event.id, result.outcome, result.purchaseId,
      ]);
    }
    return result;
  });
}

async function claimEvent(client: PoolClient, o: ApplyPaymentFactOptions): Promise<boolean> {
  const { rowCount } = await client.query(
    `INSERT INTO stripe_events (tenant_id, event_id, type, outcome, received_at) VALUES ($1, $2, $3, 'processing', $4)
     ON CONFLICT (tenant_id, event_id) DO NOTHING`,
    [o.tenantId, o.event!.id, o.event!.type, o.now],
  );
  return rowCount === 1;
}

async function apply(client: PoolClient, o: ApplyPaymentFactOptions): Promise<ApplyResult> {
  const { fact, tenantId, now } = o;
  if (fact.kind !== 'checkout') await recordFacts(client, { tenantId, fact, now });
  const purchase = await lockPurchase(client, tenantId, fact);
  if (!purchase) return { outcome: 'unmatched', purchaseId: null };

  if (fact.kind === 'checkout') {
    // A session id that is not this purchase's, or a payment intent already tied to another
    // purchase, is not ours to act on (the unique index would refuse the second anyway).
    if (purchase.checkout_session_id && purchase.checkout_session_id !== fact.sessionId) return { outcome: 'mismatch', purchaseId: purchase.id };
    const paymentRef = purchase.payment_ref ?? fact.paymentIntentId ?? fact.sessionId;
    const paid = fact.outcome === 'paid';
    const failed = fact.outcome === 'failed';
    // Paid and failed are both final; paid wins (money arrived), and neither is ever undone here.
    await client.query(
      `UPDATE purchases SET checkout_session_id = coalesce(checkout_session_id, $3), payment_ref = coalesce(payment_ref, $4),
              paid_at = CASE WHEN $5 THEN coalesce(paid_at, $7) ELSE paid_at END,
              failed_at = CASE WHEN $6 AND paid_at IS NULL THEN coalesce(failed_at, $7) ELSE failed_at END
        WHERE tenant_id = $1 AND id = $2`,
      [tenantId, purchase.id, fact.sessionId, paymentRef, paid, failed, now],
    );
  }
  const current = await readPurchase(client, tenantId, purchase.id);
  const facts = current.payment_ref ? await readFacts(client, tenantId, current.payment_ref) : undefined;
  const reconciled = await reconcilePurchase(client, { purchase: current, facts, now });
  return {
    outcome: 'applied',
    purchaseId: purchase.id,
    change: {
      tenantId, visitorId: reconciled.visitorId, purchaseId: purchase.id, status: reconciled.status,
      credits: toAmount(current.credits), balanceChanged: reconciled.balanceChanged,
    },
  };
}

/** The purchase a fact is about, locked: by payment intent first, then by the id Parley put in metadata. */
async function lockPurchase(client: PoolClient, tenantId: string, fact: PaymentFact): Promise<PurchaseRow | undefined> {
  const byRef = fact.paymentIntentId
    ? await client.query<PurchaseRow>('SELECT * FROM purchases WHERE tenant_id = $1 AND payment_ref = $2 FOR UPDATE', [tenantId, fact.paymentIntentId])
    : undefined;
  if (byRef?.rows[0]) return byRef.rows[0];
  if (!fact.purchaseId) return undefined;
  const { rows } = await client.query<PurchaseRow>(
    `SELECT * FROM purchases WHERE tenant_id = $1 AND id = $2 AND provider = $3 FOR UPDATE`,
    [tenantId, fact.purchaseId, fact.paymentIntentId?.startsWith('demo_') ? 'demo' : 'stripe'],
  );
  const row = rows[0];
  // A purchase already paid through another payment intent is not this payment's.
  if (row?.payment_ref && fact.paymentIntentId && row.payment_ref !== fact.paymentIntentId) return undefined;
  return row;
}

async function readPurchase(client: PoolClient, tenantId: string, id: string): Promise<PurchaseRow> {
  const { rows } = await client.query<PurchaseRow>('SELECT * FROM purchases WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
  return rows[0]!;
}
