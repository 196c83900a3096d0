/**
 * Provider costs are kept in micro-units of a currency (1 USD = 1,000,000) and revenue in Stripe's
 * minor units (cents), so comparing them needs the currency's exponent. Stripe's zero-decimal
 * currencies are listed; three-decimal ones (KWD, BHD, ...) are rare enough to treat as two-decimal
 * for this comparison only, never for money that moves.
 */
const zeroDecimal = new Set(['BIF', 'CLP', 'DJF', 'GNF', 'JPY', 'KMF', 'KRW', 'MGA', 'PYG', 'RWF', 'UGX', 'VND', 'VUV', 'XAF', 'XOF', 'XPF']);

export const minorExponent = (currency: string): number => (zeroDecimal.has(currency.toUpperCase()) ? 0 : 2);

/** Micro-units to minor units, rounded half up (cost shown next to revenue, not charged). */
export function microsToMinor(micros: number, currency: string): number {
  return Math.round(micros / 10 ** (6 - minorExponent(currency)));
}

export interface CurrencyAmount {
  currency: string;
  amountMinor: number;
}

export interface RevenueRow {
  currency: string;
  grossMinor: number;
  refundedMinor: number;
  netMinor: number;
}

export interface CostRow {
  currency: string;
  micros: number;
}

/**
 * Gross margin per currency: net revenue minus provider cost in the same currency. A currency with
 * cost but no revenue still shows (a loss); the percentage is null when there is no revenue.
 */
export function grossMargin(revenue: RevenueRow[], cost: CostRow[]) {
  const currencies = [...new Set([...revenue.map((r) => r.currency), ...cost.map((c) => c.currency)])].sort();
  return currencies.map((currency) => {
    const net = revenue.find((r) => r.currency === currency)?.netMinor ?? 0;
    const costMinor = microsToMinor(cost.find((c) => c.currency === currency)?.micros ?? 0, currency);
    const marginMinor = net - costMinor;
    return { currency, revenueMinor: net, costMinor, marginMinor, marginPct: net > 0 ? Math.round((marginMinor / net) * 1000) / 10 : null };
  });
}
