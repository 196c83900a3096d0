/**
 * Display formatting. Credits are integers of millicredits (1 credit = 1,000) and money is
 * integer minor units: both are turned into text here and nowhere else, never into floats that
 * flow back to the server.
 */
const zeroDecimal = new Set(['BIF', 'CLP', 'DJF', 'GNF', 'JPY', 'KMF', 'KRW', 'MGA', 'PYG', 'RWF', 'UGX', 'VND', 'VUV', 'XAF', 'XOF', 'XPF']);

export const minorDigits = (currency: string): number => (zeroDecimal.has(currency.toUpperCase()) ? 0 : 2);

/** 12345 millicredits -> "12.345" credits, trimmed: "12.345", "12.3", "12". */
export function credits(millicredits: number): string {
  const sign = millicredits < 0 ? '-' : '';
  const abs = Math.abs(millicredits);
  const whole = Math.trunc(abs / 1000).toLocaleString('en-US');
  const frac = String(abs % 1000).padStart(3, '0').replace(/0+$/, '');
  return `${sign}${whole}${frac ? `.${frac}` : ''}`;
}

/** "12.5" credits typed by a person -> 12500 millicredits; undefined when not a number with at most 3 decimals. */
export function parseCredits(text: string): number | undefined {
  const match = /^\s*(-)?(\d{1,12})(?:\.(\d{0,3}))?\s*$/.exec(text.replace(/,/g, ''));
  if (!match) return undefined;
  const value = Number(match[2]) * 1000 + Number((match[3] ?? '').padEnd(3, '0'));
  return match[1] ? -value : value;
}

export function money(minor: number, currency: string): string {
  const digits = minorDigits(currency);
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits }).format(minor / 10 ** digits);
  } catch {
    return `${(minor / 10 ** digits).toFixed(digits)} ${currency}`;
  }
}

/** "12.34" in a currency -> 1234 minor units. */
export function parseMoney(text: string, currency: string): number | undefined {
  const digits = minorDigits(currency);
  const match = new RegExp(`^\\s*(\\d{1,9})(?:\\.(\\d{0,${digits}}))?\\s*$`).exec(text.replace(/,/g, ''));
  if (!match || (digits === 0 && text.includes('.'))) return undefined;
  return Number(match[1]) * 10 ** digits + Number((match[2] ?? '').padEnd(digits, '0') || 0);
}

export const integer = (n: number): string => n.toLocaleString('en-US');

export const percent = (ratio: number | null | undefined): string => (ratio === null || ratio === undefined ? '–' : `${(ratio * 100).toFixed(1)}%`);

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '–';
  return new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
}

export function relative(iso: string, now = Date.now()): string {
  const seconds = Math.round((Date.parse(iso) - now) / 1000);
  const units: Array<[Intl.RelativeTimeFormatUnit, number]> = [['day', 86400], ['hour', 3600], ['minute', 60]];
  const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
  for (const [unit, size] of units) if (Math.abs(seconds) >= size) return rtf.format(Math.round(seconds / size), unit);
  return rtf.format(seconds, 'second');
}

/** Micro-units of a currency (provider costs) as money; amounts under one cent keep their digits ($0.000255). */
export function micros(value: number, currency: string): string {
  const minor = 10 ** (6 - minorDigits(currency));
  if (value === 0 || Math.abs(value) >= minor) return money(Math.round(value / minor), currency);
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency, maximumFractionDigits: 6 }).format(value / 1_000_000);
  } catch {
    return `${(value / 1_000_000).toFixed(6)} ${currency}`;
  }
}
