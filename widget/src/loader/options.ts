import type { CachedTheme } from '../shared/launcher';

/** What a site owner can set on the script tag with `data-*` attributes. */
export interface LoaderOptions {
  /** `data-key`: the tenant's publishable key (`pk_…`). Required. */
  key: string;
  /** Base URL of the Parley server (where widget.js came from), ending in `/`. */
  base: string;
  /** `data-position`: `left` or `right` (default: the tenant's theme, else right). */
  position?: string;
  /** `data-open="true"`: open the panel as soon as the page loads. */
  open: boolean;
  /** `data-locale`: force a language (`en`, `de`, `fr`, `es`). */
  locale?: string;
  /** `data-z-index`: stacking order of the launcher and panel. */
  zIndex?: string;
  /** `data-launcher="false"`: no launcher; the page opens the chat with `Parley('open')`. */
  launcher: boolean;
  /** `data-color`: brand colour before the tenant's config has loaded. */
  color?: string;
}

/** The script element that loaded us: `currentScript` while executing, else the first tag with a key. */
export function findScript(): HTMLScriptElement | null {
  const current = document.currentScript;
  if (current instanceof HTMLScriptElement && current.dataset.key) return current;
  return document.querySelector<HTMLScriptElement>('script[data-key][src*="widget.js"]');
}

export function readOptions(script: HTMLScriptElement): LoaderOptions {
  const d = script.dataset;
  return {
    key: d.key ?? '',
    base: new URL('.', script.src).href,
    position: d.position,
    open: d.open === 'true',
    locale: d.locale,
    zIndex: d.zIndex,
    launcher: d.launcher !== 'false',
    color: d.color,
  };
}

export function parseCachedTheme(raw: string | null): CachedTheme {
  try {
    const value: unknown = raw ? JSON.parse(raw) : {};
    return value && typeof value === 'object' ? (value as CachedTheme) : {};
  } catch {
    return {};
  }
}
