import type { Pool } from 'pg';
import { toAmount, type Queryable } from '../ledger/db';
import type { PackView } from '../wire/chat';

/**
 * The packs a visitor is offered, in the tenant's order, in the wire shape the widget config and
 * `insufficient_credits` details carry.
 */
export async function listActivePacks({ db, tenantId }: { db: Pool | Queryable; tenantId: string }): Promise<PackView[]> {
  const { rows } = await db.query<{ id: string; name: string; credits: string; amount_minor: string; currency: string; badge: string | null }>(
    `SELECT id, name, credits, amount_minor, currency, badge FROM credit_packs
      WHERE tenant_id = $1 AND active ORDER BY sort_order, created_at, id`,
    [tenantId],
  );
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    credits: toAmount(row.credits),
    amountMinor: toAmount(row.amount_minor),
    currency: row.currency,
    badge: row.badge,
  }));
}
