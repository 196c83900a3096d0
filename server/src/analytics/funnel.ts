import type { Pool } from 'pg';
import { rangeParams, type AnalyticsRange } from './range';
import { paramsCte, visitorRows } from './sources';

/**
 * The funnel follows a cohort: the visitors whose widget first opened in the range (a visitor is
 * created when the widget first connects). For each, did they ever send a message, buy, buy again?
 * "Ever" (up to now) rather than "within the range", so a cohort's later purchases still count.
 */
export interface FunnelStep {
  step: 'opened' | 'first_message' | 'first_purchase' | 'repeat_purchase';
  visitors: number;
  /** Of the step before (1 for the first step). */
  rateFromPrevious: number | null;
  /** Of the visitors who opened the widget. */
  rateFromStart: number | null;
}

const ratio = (a: number, b: number): number | null => (b > 0 ? Math.round((a / b) * 10_000) / 10_000 : null);

export async function funnel(db: Pool, range: AnalyticsRange): Promise<FunnelStep[]> {
  // Who chatted, from t0 up to now: visitor rollups then raw rows (the range's end is replaced by
  // "no end", and the rollups' end is not cut at it). A hash join, not a lookup per visitor.
  const params = [range.tenantId, range.t0, new Date(8.64e15), range.tz, range.rollupsEnd, range.t1];
  const { rows } = await db.query<{ opened: string; chatted: string; bought: string; repeat: string }>(
    `WITH ${paramsCte},
     cohort AS (SELECT v.id FROM visitors v WHERE v.tenant_id = $1 AND v.created_at >= $2 AND v.created_at < $6::timestamptz),
     chatted AS (SELECT DISTINCT a.visitor_id FROM (${visitorRows}) a),
     paid AS (
       SELECT p.visitor_id, count(*) AS n FROM purchases p
        WHERE p.tenant_id = $1 AND p.paid_at IS NOT NULL AND p.paid_at >= $2 GROUP BY p.visitor_id)
     SELECT count(*) AS opened, count(chatted.visitor_id) AS chatted, count(paid.visitor_id) AS bought,
            count(paid.visitor_id) FILTER (WHERE paid.n >= 2) AS repeat
       FROM cohort c LEFT JOIN chatted ON chatted.visitor_id = c.id LEFT JOIN paid ON paid.visitor_id = c.id`,
    params,
  );
  const r = rows[0];
  const counts = [Number(r?.opened ?? 0), Number(r?.chatted ?? 0), Number(r?.bought ?? 0), Number(r?.repeat ?? 0)];
  const steps = ['opened', 'first_message', 'first_purchase', 'repeat_purchase'] as const;
  return steps.map((step, i) => ({
    step,
    visitors: counts[i]!,
    rateFromPrevious: i === 0 ? 1 : ratio(counts[i]!, counts[i - 1]!),
    rateFromStart: ratio(counts[i]!, counts[0]!),
  }));
}

/**
 * How often running out of credits leads to a purchase: visitors shown the insufficient-credits
 * prompt in the range (the reply recorded with that error), and how many of them paid within
 * `windowHours` of the first time they saw it.
 */
export async function insufficientCredits(db: Pool, range: AnalyticsRange, windowHours: number) {
  const { rows } = await db.query<{ prompts: string; visitors: string; converted: string; median_minutes: string | null }>(
    `WITH ${paramsCte},
     walls AS (
       SELECT m.visitor_id, min(m.created_at) AS first_at, count(*) AS n FROM chat_messages m
        WHERE m.tenant_id = $1 AND m.error_code = 'insufficient_credits' AND m.created_at >= $2 AND m.created_at < $3
        GROUP BY m.visitor_id),
     outcome AS (
       SELECT w.n, (SELECT min(p.paid_at) FROM purchases p
                     WHERE p.tenant_id = $1 AND p.visitor_id = w.visitor_id AND p.paid_at >= w.first_at
                       AND p.paid_at < w.first_at + make_interval(hours => $6::int)) - w.first_at AS delay
         FROM walls w)
     SELECT coalesce(sum(n), 0) AS prompts, count(*) AS visitors, count(delay) AS converted,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM delay) / 60) AS median_minutes
       FROM outcome`,
    [...rangeParams(range), windowHours],
  );
  const r = rows[0];
  const visitors = Number(r?.visitors ?? 0);
  const converted = Number(r?.converted ?? 0);
  return {
    windowHours,
    prompts: Number(r?.prompts ?? 0),
    visitors,
    converted,
    conversionRate: ratio(converted, visitors),
    medianMinutesToPurchase: r?.median_minutes == null ? null : Math.round(Number(r.median_minutes) * 10) / 10,
  };
}
