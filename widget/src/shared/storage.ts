/**
 * Browser storage shared by the loader and the widget. Keys are namespaced by publishable key so two
 * tenants embedded on one origin never mix visitors. Every access is guarded: storage throws in
 * sandboxed iframes and some private modes, and the widget must still work (just without memory).
 */
export type StoredItem = 'token' | 'conversation' | 'outbox' | 'theme' | 'persona' | 'model' | 'identity';

/** Items that belong to one visitor; `logout` removes them all. */
export const visitorItems: readonly StoredItem[] = ['token', 'conversation', 'outbox', 'identity'];

const name = (key: string, item: string) => `parley:${key}:${item}`;

export function load(key: string, item: StoredItem): string | null {
  try {
    return localStorage.getItem(name(key, item));
  } catch {
    return null;
  }
}

export function save(key: string, item: StoredItem, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(name(key, item));
    else localStorage.setItem(name(key, item), value);
  } catch {
    /* storage unavailable or full: keep working in memory */
  }
}

/** The open flag lives in sessionStorage: an open panel stays open across this tab's page loads only. */
export function openFlag(key: string, open?: boolean): boolean {
  try {
    if (open === undefined) return sessionStorage.getItem(name(key, 'open')) === '1';
    if (open) sessionStorage.setItem(name(key, 'open'), '1');
    else sessionStorage.removeItem(name(key, 'open'));
  } catch {
    /* ignore */
  }
  return !!open;
}
