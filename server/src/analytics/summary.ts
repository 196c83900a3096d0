import type { Pool } from 'pg';
import { grossMargin, type CostRow, type RevenueRow } from './money';
import { rangeParams, type AnalyticsRange } from './range';
import { costMicros, paramsCte, usageRows, visitorRows } from './sources';

/**
 * The KPI strip. The figures come from three statements run side by side on the pool:
 * - usage (rollups + recent raw rows): conversations, messages (one per turn), credits spent, and
 *   tokens per model, priced at each model's provider cost;
 * - active visitors: distinct visitors who sent a message;
 * - purchases (raw, by when they were paid): credits sold, paying visitors, revenue by currency.
 */
const n = (v: string | number | null | undefined): number => Number(v ?? 0);

export async function summary(db: Pool, range: AnalyticsRange) {
  const p = rangeParams(range);
  const [usage, visitors, purchases, revenue] = await Promise.all([
    db.query<{ conversations: string; replies: string; spent: string; currency: string | null; cost: string }>(
      `WITH ${paramsCte}, u AS (${usageRows}), by_model AS (
         SELECT model_id, sum(conversations) AS conversations, sum(replies) AS replies, sum(spent) AS spent,
                sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens FROM u GROUP BY model_id)
       SELECT sum(g.conversations) AS conversations, sum(g.replies) AS replies, sum(g.spent) AS spent, cm.cost_currency AS currency,
              round(sum(${costMicros('g')}) / 1000000.0) AS cost
         FROM by_model g LEFT JOIN catalogue_models cm ON cm.id = g.model_id AND cm.tenant_id = $1
        GROUP BY cm.cost_currency`, p),
    // DISTINCT in a subquery hashes; count(DISTINCT) would sort every row first.
    db.query<{ n: string }>(`WITH ${paramsCte} SELECT count(*) AS n FROM (SELECT DISTINCT visitor_id FROM (${visitorRows}) v) d`, p),
    db.query<{ sold: string; payers: string; purchases: string }>(
      `WITH ${paramsCte} SELECT coalesce(sum(p.credits), 0) AS sold, count(DISTINCT p.visitor_id) AS payers, count(*) AS purchases
         FROM purchases p WHERE p.tenant_id = $1 AND p.paid_at IS NOT NULL AND p.paid_at >= $2 AND p.paid_at < $3`, p),
    revenueByCurrency(db, p),
  ]);
  const total = (key: 'conversations' | 'replies' | 'spent') => usage.rows.reduce((sum, r) => sum + n(r[key]), 0);
  const cost: CostRow[] = usage.rows.filter((r) => r.currency && n(r.cost) > 0).map((r) => ({ currency: r.currency!, micros: n(r.cost) }));
  return {
    conversations: total('conversations'),
    messages: total('replies'),
    activeVisitors: n(visitors.rows[0]?.n),
    payingVisitors: n(purchases.rows[0]?.payers),
    purchases: n(purchases.rows[0]?.purchases),
    creditsSold: n(purchases.rows[0]?.sold),
    creditsSpent: total('spent'),
    revenue,
    providerCost: cost,
    grossMargin: grossMargin(revenue, cost),
  };
}

/** Net of refunds so far (a refund counts against the period the purchase was paid in). */
export async function revenueByCurrency(db: Pool, params: unknown[]): Promise<RevenueRow[]> {
  const { rows } = await db.query<{ currency: string; gross: string; refunded: string }>(
    `SELECT p.currency, sum(p.amount_minor) AS gross, sum(p.amount_refunded_minor) AS refunded
       FROM purchases p
      WHERE p.tenant_id = $1 AND p.paid_at IS NOT NULL AND p.paid_at >= $2 AND p.paid_at < $3
      GROUP BY p.currency ORDER BY p.currency`,
    params.slice(0, 3),
  );
  return rows.map((r) => ({ currency: r.currency, grossMinor: n(r.gross), refundedMinor: n(r.refunded), netMinor: n(r.gross) - n(r.refunded) }));
}
