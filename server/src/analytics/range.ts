import type { Pool } from 'pg';
import { z } from 'zod';
import { AppError } from '../http/errors';

/**
 * The period every analytics query reads: whole days in the tenant's time zone, `from` and `to`
 * inclusive, cut into hour, day or week buckets (weeks start on Monday, as ISO has it).
 */
export const granularities = ['hour', 'day', 'week'] as const;
export type Granularity = (typeof granularities)[number];

const isoDate = z.iso.date().describe('A calendar day, YYYY-MM-DD, in the time zone');

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export const timeZoneSchema = z.string().min(1).max(64).refine(isTimeZone, 'An IANA time zone such as Europe/Paris');

export const rangeQuery = z.object({
  from: isoDate,
  to: isoDate,
  tz: timeZoneSchema.optional().describe("IANA time zone; the workspace's time zone when omitted"),
});

export const seriesQuery = rangeQuery.extend({ granularity: z.enum(granularities).default('day') });

/** Days a range may span, and hours an hourly series may hold (a month of hours is ~744 points). */
const maxDays = 400;
const maxHourlyDays = 31;

export interface AnalyticsRange {
  tenantId: string;
  tz: string;
  /** First local midnight, as an instant. */
  t0: Date;
  /** Local midnight after the last day (exclusive). */
  t1: Date;
  /** Rollups cover [t0, stable); raw rows [stable, t1). Between t0 and t1. */
  stable: Date;
  /** Where the rollups end, not cut at t1: for reads that follow the range's visitors up to now. */
  rollupsEnd: Date;
  days: number;
}

const dayMs = 86_400_000;
const addDays = (date: string, n: number): string => new Date(Date.parse(`${date}T00:00:00Z`) + n * dayMs).toISOString().slice(0, 10);

/** Days between two calendar days, both counted; throws `validation_failed` for a range it will not serve. */
export function checkRange({ from, to, granularity }: { from: string; to: string; granularity?: Granularity }): number {
  const days = Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / dayMs) + 1;
  const fields = (path: string, message: string) => ({ fields: [{ in: 'query', path, message }] });
  if (days < 1) throw new AppError('validation_failed', '`to` is before `from`', fields('to', 'On or after the start day'));
  if (days > maxDays) throw new AppError('validation_failed', `At most ${maxDays} days at a time`, fields('from', `At most ${maxDays} days`));
  if (granularity === 'hour' && days > maxHourlyDays) {
    throw new AppError('validation_failed', `Hourly series cover at most ${maxHourlyDays} days`, fields('granularity', 'Pick day or week for long ranges'));
  }
  return days;
}

/**
 * Turns local days into instants with PostgreSQL's tz database (the one that also buckets the
 * rows, so both agree across daylight-saving changes), and reads how far the rollups reach.
 */
export async function resolveRange(
  db: Pool,
  options: { tenantId: string; from: string; to: string; tz: string; granularity?: Granularity },
): Promise<AnalyticsRange> {
  const days = checkRange(options);
  const { rows } = await db.query<{ t0: Date; t1: Date; stable: Date | null }>(
    `SELECT ($1::timestamp AT TIME ZONE $3) AS t0, ($2::timestamp AT TIME ZONE $3) AS t1,
            (SELECT CASE WHEN stable_to = '-infinity' THEN NULL ELSE stable_to END FROM analytics_rollup_state WHERE id = 1) AS stable`,
    [`${options.from} 00:00:00`, `${addDays(options.to, 1)} 00:00:00`, options.tz],
  );
  const { t0, t1, stable } = rows[0]!;
  const clamped = new Date(Math.min(t1.getTime(), Math.max(t0.getTime(), stable?.getTime() ?? t0.getTime())));
  const rollupsEnd = new Date(Math.max(t0.getTime(), stable?.getTime() ?? t0.getTime()));
  return { tenantId: options.tenantId, tz: options.tz, t0, t1, stable: clamped, rollupsEnd, days };
}

/** `$1` tenant, `$2`/`$3` the instants, `$4` the zone, `$5` where rollups end: every query's first parameters. */
export const rangeParams = (r: AnalyticsRange): unknown[] => [r.tenantId, r.t0, r.t1, r.tz, r.stable];

/** The workspace's zone, kept in `tenants.settings.timeZone`; UTC until one is chosen. */
export function tenantTimeZone(settings: Record<string, unknown> | null | undefined): string {
  const value = settings?.timeZone;
  return typeof value === 'string' && isTimeZone(value) ? value : 'UTC';
}
