/**
 * Moving one item up or down a list ordered by a numeric key: the new order, and which items need
 * a new key (their index), so a page can save only those and put the old order back on failure.
 */
export function moveItem<T extends { id: string }>(items: T[], id: string, delta: -1 | 1, keyOf: (item: T) => number) {
  const from = items.findIndex((i) => i.id === id);
  const to = from + delta;
  if (from < 0 || to < 0 || to >= items.length) return undefined;
  const next = [...items];
  const [moved] = next.splice(from, 1);
  next.splice(to, 0, moved!);
  const changes = next.map((item, index) => ({ item, index })).filter(({ item, index }) => keyOf(item) !== index);
  return { next, changes };
}
