/** String tables: every language complete, locale choice, and tenant overrides in the tenant's language only. */
import { de } from '../../widget/src/i18n/de';
import { en } from '../../widget/src/i18n/en';
import { es } from '../../widget/src/i18n/es';
import { fr } from '../../widget/src/i18n/fr';
import { pickLocale, translator } from '../../widget/src/i18n';
import { onBrand } from '../../widget/src/shared/launcher';

describe('languages', () => {
  it.each([['de', de], ['fr', fr], ['es', es]])('%s has every key, with the same placeholders', (_name, table) => {
    expect(Object.keys(table).sort()).toEqual(Object.keys(en).sort());
    for (const [key, text] of Object.entries(en)) {
      const vars = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
      expect([key, vars((table as Record<string, string>)[key]!)]).toEqual([key, vars(text)]);
    }
  });

  it('picks the first supported language', () => {
    expect(pickLocale([undefined, 'pt-BR', 'de-AT', 'fr'])).toBe('de');
    expect(pickLocale(['xx'])).toBe('en');
  });

  it("applies flat tenant overrides in the tenant's language, per-language ones in theirs", () => {
    const overrides = { send: 'Go', de: { send: 'Los' } };
    expect(translator('en', overrides)('send')).toBe('Go');
    expect(translator('de', overrides)('send')).toBe('Los');
    expect(translator('fr', overrides)('send')).toBe('Envoyer');
    expect(translator('en', { unknown: 'x', send: 42 })('send')).toBe('Send');
    expect(translator('en')('credits', { n: '1.5' })).toBe('1.5 credits');
  });
});

describe('contrast on the brand colour', () => {
  it('picks white on dark brands and near-black on light ones', () => {
    expect(onBrand('#1d4ed8')).toBe('#ffffff');
    expect(onBrand('#fde047')).toBe('#111827');
    expect(onBrand('#fff')).toBe('#111827');
  });
});
