import { de } from './de';
import { en, type StringKey, type Strings } from './en';
import { es } from './es';
import { fr } from './fr';

export type { StringKey, Strings };

const tables: Record<string, Strings> = { en, de, fr, es };

/** The first candidate whose language we have (`de-AT` → `de`), else English. */
export function pickLocale(candidates: ReadonlyArray<string | null | undefined>): string {
  for (const candidate of candidates) {
    const lang = candidate?.toLowerCase().split(/[-_]/)[0];
    if (lang && tables[lang]) return lang;
  }
  return 'en';
}

export type Translate = (key: StringKey, vars?: Record<string, string | number>) => string;

/**
 * A lookup for one language with the tenant's overrides on top. Flat overrides (`{ key: text }`)
 * are written in the tenant's own language (`tenantLocale`, English unless the config says
 * otherwise), so they apply only there: a German visitor keeps German labels rather than the
 * tenant's English ones. `{ de: { key: text } }` overrides one language. Unknown keys are ignored.
 */
export function translator(locale: string, overrides: Record<string, unknown> = {}, tenantLocale = 'en'): Translate {
  const table: Record<string, string> = { ...(tables[locale] ?? en) };
  const merge = (source: Record<string, unknown>) => {
    for (const [key, value] of Object.entries(source)) if (typeof value === 'string' && key in en) table[key] = value;
  };
  if (pickLocale([tenantLocale]) === locale) merge(overrides);
  const own = overrides[locale];
  if (own && typeof own === 'object') merge(own as Record<string, unknown>);
  return (key, vars) => (table[key] ?? key).replace(/\{(\w+)\}/g, (whole, name: string) => String(vars?.[name] ?? whole));
}
