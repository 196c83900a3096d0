import type { Pool } from 'pg';
import { rangeParams, type AnalyticsRange, type Granularity } from './range';
import { costMicros, paramsCte, usageRows, visitorRows } from './sources';

/**
 * One row per bucket, empty buckets included, so a chart's x axis is continuous. Buckets are
 * local wall-clock times (`date_trunc` of the local timestamp); each source is grouped on its own
 * and joined to the series, so no source multiplies another's rows.
 */
interface Row {
  bucket: string;
  conversations: string;
  messages: string;
  active_visitors: string;
  credits_spent: string;
  cost_micros: string;
  credits_sold: string;
  purchases: string;
  revenue: Record<string, string> | null;
}

export interface SeriesPoint {
  /** Local start of the bucket, `YYYY-MM-DDTHH:mm` in the range's time zone. */
  bucket: string;
  conversations: number;
  messages: number;
  activeVisitors: number;
  creditsSpent: number;
  creditsSold: number;
  purchases: number;
  /** Provider cost in micro-units, all cost currencies together (catalogues are nearly always in USD). */
  providerCostMicros: number;
  /** Net revenue in minor units, by currency. */
  revenue: Record<string, number>;
}

export async function timeseries(db: Pool, range: AnalyticsRange, granularity: Granularity): Promise<SeriesPoint[]> {
  const local = (column: string) => `date_trunc($6, ${column} AT TIME ZONE $4)`;
  const { rows } = await db.query<Row>(
    `WITH ${paramsCte}, series AS (
       SELECT generate_series(date_trunc($6::text, $2::timestamptz AT TIME ZONE $4::text), ($3::timestamptz AT TIME ZONE $4::text) - interval '1 second',
                              ('1 ' || $6::text)::interval) AS bucket),
     usage AS (
       SELECT ${local('u.at')} AS bucket, u.model_id, sum(u.conversations) AS conversations, sum(u.replies) AS replies, sum(u.spent) AS spent,
              sum(u.input_tokens) AS input_tokens, sum(u.output_tokens) AS output_tokens
         FROM (${usageRows}) u GROUP BY 1, 2),
     usage_total AS (
       SELECT g.bucket, sum(g.conversations) AS conversations, sum(g.replies) AS messages, sum(g.spent) AS spent,
              round(sum(${costMicros('g')}) / 1000000.0) AS cost
         FROM usage g LEFT JOIN catalogue_models cm ON cm.id = g.model_id AND cm.tenant_id = $1 GROUP BY 1),
     active AS (
       SELECT d.bucket, count(*) AS visitors FROM (SELECT DISTINCT ${local('v.at')} AS bucket, v.visitor_id FROM (${visitorRows}) v) d GROUP BY 1),
     paid_by_currency AS (
       SELECT ${local('p.paid_at')} AS bucket, p.currency, sum(p.credits) AS credits, count(*) AS n,
              sum(p.amount_minor - p.amount_refunded_minor) AS net
         FROM purchases p
        WHERE p.tenant_id = $1 AND p.paid_at IS NOT NULL AND p.paid_at >= $2 AND p.paid_at < $3 GROUP BY 1, 2),
     paid AS (SELECT bucket, sum(credits) AS credits, sum(n) AS n, jsonb_object_agg(currency, net) AS revenue FROM paid_by_currency GROUP BY 1)
     SELECT to_char(s.bucket, 'YYYY-MM-DD"T"HH24:MI') AS bucket,
            coalesce(t.conversations, 0) AS conversations, coalesce(t.messages, 0) AS messages, coalesce(a.visitors, 0) AS active_visitors,
            coalesce(t.spent, 0) AS credits_spent, coalesce(t.cost, 0) AS cost_micros,
            coalesce(paid.credits, 0) AS credits_sold, coalesce(paid.n, 0) AS purchases, paid.revenue
       FROM series s
       LEFT JOIN usage_total t ON t.bucket = s.bucket
       LEFT JOIN active a ON a.bucket = s.bucket
       LEFT JOIN paid ON paid.bucket = s.bucket
      ORDER BY s.bucket`,
    [...rangeParams(range), granularity],
  );
  return rows.map((r) => ({
    bucket: r.bucket,
    conversations: Number(r.conversations),
    messages: Number(r.messages),
    activeVisitors: Number(r.active_visitors),
    creditsSpent: Number(r.credits_spent),
    creditsSold: Number(r.credits_sold),
    purchases: Number(r.purchases),
    providerCostMicros: Number(r.cost_micros),
    revenue: Object.fromEntries(Object.entries(r.revenue ?? {}).map(([currency, v]) => [currency, Number(v)])),
  }));
}
