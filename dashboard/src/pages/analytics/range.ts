import type { Granularity } from '../../../../server/src/wire/dashboard';

/** The period the analytics page shows, as the API takes it (calendar days in the workspace's zone). */
export interface RangeState {
  preset: '7' | '30' | '90' | 'custom';
  from: string;
  to: string;
  granularity: Granularity;
}

/** Today's calendar day in a time zone (en-CA formats as YYYY-MM-DD). */
export const todayIn = (tz: string, now = new Date()): string => new Intl.DateTimeFormat('en-CA', { timeZone: tz }).format(now);

const shift = (day: string, days: number): string => new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

export function presetRange(preset: '7' | '30' | '90', tz: string): Pick<RangeState, 'from' | 'to' | 'granularity'> {
  const to = todayIn(tz);
  return { from: shift(to, -(Number(preset) - 1)), to, granularity: preset === '90' ? 'week' : 'day' };
}

export const rangeQuery = (r: RangeState, tz: string): string => `from=${r.from}&to=${r.to}&tz=${encodeURIComponent(tz)}`;

export function rangeProblem(r: RangeState): string | undefined {
  if (!r.from || !r.to) return 'Pick both days';
  if (r.to < r.from) return 'The end is before the start';
  const days = (Date.parse(r.to) - Date.parse(r.from)) / 86_400_000 + 1;
  if (days > 400) return 'At most 400 days at a time';
  if (r.granularity === 'hour' && days > 31) return 'Hourly charts cover at most 31 days';
  return undefined;
}
