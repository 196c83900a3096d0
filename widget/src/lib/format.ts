import type { Translate } from '../i18n';
import type { ModelPrice } from '../wire/config';

/** Millicredits as credits for display: 12500 → "12.5" (the ledger itself never leaves integers). */
export function credits(milli: number, locale: string): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 3 }).format(milli / 1000);
}

/** Integer minor units in the currency's own precision: 999 USD → "$9.99", 500 JPY → "¥500". */
export function money(minor: number, currency: string, locale: string): string {
  try {
    const format = new Intl.NumberFormat(locale, { style: 'currency', currency });
    return format.format(minor / 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2));
  } catch {
    return `${minor} ${currency}`;
  }
}

/** A typical turn for the estimate: a short question with some context, a medium answer. */
const typicalInputTokens = 400;
const typicalOutputTokens = 300;

/** The same formula the server charges with: fee + ⌈in × rate / 1000⌉ + ⌈out × rate / 1000⌉. */
export function typicalCost(price: ModelPrice): number {
  return price.perMessage + Math.ceil((typicalInputTokens * price.per1kInput) / 1000) + Math.ceil((typicalOutputTokens * price.per1kOutput) / 1000);
}

/** "About 0.7 credits for a typical reply" and the exact rates in one sentence. */
export function priceInWords(price: ModelPrice, t: Translate, locale: string): { summary: string; detail: string } {
  const amount = (milli: number) => (milli === 0 ? t('free') : t('credits', { n: credits(milli, locale) }));
  return {
    summary: typicalCost(price) === 0 ? t('free') : t('typical', { n: credits(typicalCost(price), locale) }),
    detail: t('priceParts', { fee: amount(price.perMessage), in: amount(price.per1kInput), out: amount(price.per1kOutput) }),
  };
}
