import { z } from 'zod';
import { toAmount, type Queryable } from '../ledger/db';

/**
 * Purchases as the dashboard and the visitor read them. Statuses: pending (checkout started),
 * paid, failed (an asynchronous payment failed), refunded, partially_refunded, disputed.
 */
export const purchaseStatuses = ['pending', 'paid', 'failed', 'refunded', 'partially_refunded', 'disputed'] as const;
export type PurchaseStatus = (typeof purchaseStatuses)[number];

export const purchaseView = z.object({
  id: z.uuid(),
  visitorId: z.uuid(),
  packId: z.uuid().nullable(),
  packName: z.string(),
  credits: z.number().int().describe('Millicredits the purchase grants'),
  amountMinor: z.number().int(),
  currency: z.string(),
  provider: z.enum(['stripe', 'demo']),
  status: z.enum(purchaseStatuses),
  amountRefundedMinor: z.number().int(),
  creditsReversed: z.number().int().describe('Millicredits taken back after refunds or a lost dispute'),
  creditsUncollected: z.number().int().describe('Of those, what the visitor had already spent (booked as uncollected)'),
  disputeStatus: z.string().nullable(),
  checkoutSessionId: z.string().nullable(),
  paymentIntentId: z.string().nullable(),
  createdAt: z.iso.datetime(),
  paidAt: z.iso.datetime().nullable(),
});
export type PurchaseView = z.infer<typeof purchaseView>;

export interface PurchaseRow {
  id: string;
  tenant_id: string;
  visitor_id: string;
  pack_id: string | null;
  pack_name: string;
  credits: string;
  amount_minor: string;
  currency: string;
  provider: 'stripe' | 'demo';
  status: PurchaseStatus;
  return_url: string;
  checkout_session_id: string | null;
  payment_ref: string | null;
  grant_id: string | null;
  credits_reversed: string;
  credits_uncollected: string;
  amount_refunded_minor: string;
  dispute_status: string | null;
  paid_at: Date | null;
  failed_at: Date | null;
  created_at: Date;
}

export function toPurchaseView(row: PurchaseRow): PurchaseView {
  return {
    id: row.id,
    visitorId: row.visitor_id,
    packId: row.pack_id,
    packName: row.pack_name,
    credits: toAmount(row.credits),
    amountMinor: toAmount(row.amount_minor),
    currency: row.currency,
    provider: row.provider,
    status: row.status,
    amountRefundedMinor: toAmount(row.amount_refunded_minor),
    creditsReversed: toAmount(row.credits_reversed),
    creditsUncollected: toAmount(row.credits_uncollected),
    disputeStatus: row.dispute_status,
    checkoutSessionId: row.checkout_session_id,
    paymentIntentId: row.provider === 'stripe' ? row.payment_ref : null,
    createdAt: row.created_at.toISOString(),
    paidAt: row.paid_at?.toISOString() ?? null,
  };
}

export interface ListPurchasesOptions {
  db: Queryable;
  tenantId: string;
  visitorId?: string;
  status?: PurchaseStatus;
  /** ISO time: only purchases created before it (the previous page's last `createdAt`). */
  before?: string;
  limit: number;
}

/** Newest first; every query is bound to the tenant. */
export async function listPurchases(o: ListPurchasesOptions): Promise<PurchaseView[]> {
  const { rows } = await o.db.query<PurchaseRow>(
    `SELECT * FROM purchases
      WHERE tenant_id = $1 AND ($2::uuid IS NULL OR visitor_id = $2) AND ($3::text IS NULL OR status = $3)
        AND ($4::timestamptz IS NULL OR created_at < $4)
      ORDER BY created_at DESC, id DESC LIMIT $5`,
    [o.tenantId, o.visitorId ?? null, o.status ?? null, o.before ?? null, o.limit],
  );
  return rows.map(toPurchaseView);
}

export async function getPurchase({ db, tenantId, id }: { db: Queryable; tenantId: string; id: string }): Promise<PurchaseView | undefined> {
  const { rows } = await db.query<PurchaseRow>('SELECT * FROM purchases WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
  return rows[0] ? toPurchaseView(rows[0]) : undefined;
}

/** A visitor's own purchase history, in the wire shape of `purchases:list`. */
export async function listVisitorPurchases({ db, tenantId, visitorId, limit = 50 }: { db: Queryable; tenantId: string; visitorId: string; limit?: number }) {
  const purchases = await listPurchases({ db, tenantId, visitorId, limit });
  return purchases.map((p) => ({ id: p.id, status: p.status, credits: p.credits, amountMinor: p.amountMinor, currency: p.currency, createdAt: p.createdAt }));
}
