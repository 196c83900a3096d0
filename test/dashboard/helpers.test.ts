/** The dashboard's pure helpers: money and credit text, prices as typed, reordering, the snippet. */
import { z } from 'zod';
import { labelStride, niceScale } from '../../dashboard/src/components/chart/scale';
import { friendlyMessage } from '../../dashboard/src/lib/api';
import { credits, micros, money, parseCredits, parseMoney } from '../../dashboard/src/lib/format';
import { moveItem } from '../../dashboard/src/lib/reorder';
import { defaultSnippetOptions, snippet } from '../../dashboard/src/pages/embed/snippet';
import { parseMicros, turnCostMicros, turnPrice } from '../../dashboard/src/pages/models/price';
import { rangeProblem } from '../../dashboard/src/pages/analytics/range';

it('shows and reads credits and money without floating point', () => {
  expect(credits(12_345)).toBe('12.345');
  expect(credits(20_000)).toBe('20');
  expect(credits(-2_500)).toBe('-2.5');
  expect(parseCredits('2.5')).toBe(2_500);
  expect(parseCredits('-0.001')).toBe(-1);
  expect(parseCredits('1.2345')).toBeUndefined();
  expect(parseMoney('5', 'USD')).toBe(500);
  expect(parseMoney('0.1', 'USD')).toBe(10);
  expect(parseMoney('500', 'JPY')).toBe(500);
  expect(parseMoney('5.5', 'JPY')).toBeUndefined();
  expect(money(1999, 'EUR')).toBe('€19.99');
});

it('prices a sample message the way the server charges it', () => {
  const price = { messageFee: 100, inputPer1k: 500, outputPer1k: 1000, inputCostPer1mMicros: 150_000, outputCostPer1mMicros: 600_000 };
  expect(turnPrice(price, 500, 300)).toBe(100 + 250 + 300);
  expect(turnPrice(price, 1, 1)).toBe(100 + 1 + 1); // each part rounds up
  expect(turnCostMicros(price, 1_000_000, 0)).toBe(150_000);
  expect(parseMicros('0.15')).toBe(150_000);
});

it('moves an item and names only the rows whose position changes', () => {
  const items = [{ id: 'a', p: 0 }, { id: 'b', p: 1 }, { id: 'c', p: 2 }];
  const moved = moveItem(items, 'c', -1, (i) => i.p)!;
  expect(moved.next.map((i) => i.id)).toEqual(['a', 'c', 'b']);
  expect(moved.changes.map((c) => [c.item.id, c.index])).toEqual([['c', 1], ['b', 2]]);
  expect(moveItem(items, 'a', -1, (i) => i.p)).toBeUndefined();
});

it('writes the snippet with only the options that were chosen, escaped', () => {
  expect(snippet('https://parley.example', 'pk_abc', defaultSnippetOptions)).toBe('<script src="https://parley.example/widget.js" data-key="pk_abc" async></script>');
  const all = snippet('https://p.example', 'pk_"x', { position: 'left', open: true, locale: 'fr', launcher: false, zIndex: '99', color: '#112233' });
  expect(all).toContain('data-key="pk_&quot;x"');
  expect(all).toContain('data-position="left" data-open="true" data-locale="fr" data-launcher="false" data-z-index="99" data-color="#112233"');
  expect(snippet('https://p.example', 'pk_1', { ...defaultSnippetOptions, zIndex: '1; x', color: 'red' })).not.toMatch(/z-index|data-color/);
});

it('scales chart axes to round numbers and checks ranges before asking', () => {
  expect(niceScale(93)).toEqual({ top: 100, step: 25 });
  expect(niceScale(0)).toEqual({ top: 1, step: 0.25 });
  expect(labelStride(90, 720)).toBe(9);
  expect(rangeProblem({ preset: 'custom', from: '2026-03-10', to: '2026-03-01', granularity: 'day' })).toMatch(/before/);
  expect(rangeProblem({ preset: 'custom', from: '2026-01-01', to: '2026-03-01', granularity: 'hour' })).toMatch(/31 days/);
  expect(rangeProblem({ preset: '30', from: '2026-02-01', to: '2026-03-02', granularity: 'day' })).toBeUndefined();
});

it('keeps the digits of provider costs under a cent', () => {
  expect(micros(255, 'USD')).toBe('$0.000255');
  expect(micros(2_560_000, 'USD')).toBe('$2.56');
  expect(micros(0, 'USD')).toBe('$0.00');
});

it("turns zod's generic validation messages (as the API sends them) into plain words, and keeps specific ones", () => {
  const said = (schema: z.ZodType, value: unknown): string => friendlyMessage(schema.safeParse(value).error!.issues[0]!.message);
  expect(said(z.string().min(1), '')).toBe('Required');
  expect(said(z.object({ name: z.string() }), {})).toBe('Required');
  expect(said(z.string().min(8), 'short')).toBe('At least 8 characters');
  expect(said(z.string().max(3), 'long')).toBe('At most 3 characters');
  expect(said(z.number().int().min(1), 0)).toBe('At least 1');
  expect(said(z.number().positive(), 0)).toBe('More than 0');
  expect(said(z.number().max(10), 11)).toBe('At most 10');
  expect(said(z.number().int(), 1.5)).toBe('A whole number');
  expect(said(z.number(), 'x')).toBe('A number');
  expect(said(z.url(), 'nope')).toBe('A full address, like https://example.com');
  expect(friendlyMessage("At most 20, this server's limit")).toBe("At most 20, this server's limit");
});
