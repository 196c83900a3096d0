/**
 * The launcher's look, shared by the loader (which draws it at once) and `<parley-chat>` (which takes
 * over the same shadow root when it loads), so the upgrade is invisible.
 */
export const launcherCss = `
:host{all:initial;display:block}
.launcher{position:fixed;bottom:var(--parley-offset-y,20px);right:var(--parley-offset-x,20px);z-index:var(--parley-z-index,2147483000);box-sizing:border-box;width:56px;height:56px;margin:0;padding:0;border:0;border-radius:50%;cursor:pointer;display:grid;place-items:center;background:var(--parley-brand,#1d4ed8);color:var(--parley-on-brand,#fff);box-shadow:0 4px 14px rgba(0,0,0,.28);transition:transform .15s}
:host([position=left]) .launcher{right:auto;left:var(--parley-offset-x,20px)}
:host([hide-launcher]) .launcher{display:none}
.launcher:hover{transform:scale(1.06)}
.launcher:focus-visible{outline:3px solid var(--parley-focus,#f59e0b);outline-offset:3px}
.launcher svg,.launcher img{width:28px;height:28px;fill:currentColor;border-radius:50%}
@media (prefers-reduced-motion:reduce){.launcher{transition:none}}
`;

/** 24×24 Material-style icon paths; a tenant picks one by name (`theme.launcherIcon`). */
export const icons: Record<string, string> = {
  chat: 'M20 2H4a2 2 0 0 0-2 2v18l4-4h14a2 2 0 0 0 2-2V4a2 2 0 0 0-2-2z',
  help: 'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm1 17h-2v-2h2v2zm2.07-7.75-.9.92A3.4 3.4 0 0 0 13 15h-2v-.5a4 4 0 0 1 1.17-2.83l1.24-1.26A2 2 0 1 0 10 9H8a4 4 0 1 1 7.07 2.25z',
  sparkle: 'M12 2l2.4 6.6L21 11l-6.6 2.4L12 20l-2.4-6.6L3 11l6.6-2.4z',
  close: 'M19 6.41 17.59 5 12 10.59 6.41 5 5 6.41 10.59 12 5 17.59 6.41 19 12 13.41 17.59 19 19 17.59 13.41 12z',
};

/** The launcher's accessible name before the widget (and its string tables) has loaded. */
export const openLabels: Record<string, string> = {
  en: 'Open chat',
  de: 'Chat öffnen',
  fr: 'Ouvrir le chat',
  es: 'Abrir el chat',
};

/** What the loader remembers of the tenant's theme, so the next page view draws the right launcher at once. */
export interface CachedTheme {
  brand?: string;
  position?: 'left' | 'right';
  icon?: string;
}

/** WCAG relative luminance of a validated #rgb / #rrggbb colour. */
function luminance(hex: string): number {
  const h = hex.length < 7 ? hex.replace(/[0-9a-f]/gi, '$&$&') : hex;
  let sum = 0;
  for (const [i, weight] of [0.2126, 0.7152, 0.0722].entries()) {
    const c = parseInt(h.slice(1 + i * 2, 3 + i * 2), 16) / 255;
    sum += weight * (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  }
  return sum;
}

/** White or near-black, whichever has the higher contrast on the brand colour (AA wants ≥ 4.5). */
export function onBrand(brand: string): string {
  const l = luminance(brand);
  return 1.05 / (l + 0.05) >= (l + 0.05) / 0.0593 ? '#ffffff' : '#111827';
}

export interface HostLook {
  brand?: string | null;
  zIndex?: string | null;
}

/**
 * Per-page values as `:host` custom properties in a constructable stylesheet: a page's own
 * `parley-chat { --parley-brand: … }` still wins, and nothing is written to a style attribute.
 */
export function hostRules({ brand, zIndex }: HostLook): string {
  let rules = '';
  if (isHexColor(brand)) rules += `--parley-brand:${brand};--parley-on-brand:${onBrand(brand)};`;
  if (zIndex && /^\d{1,10}$/.test(zIndex)) rules += `--parley-z-index:${zIndex};`;
  return `:host{${rules}}`;
}

/** Only `#rgb`, `#rrggbb` or `#rrggbbaa` ever reach a stylesheet: a tenant string cannot inject CSS. */
export const isHexColor = (value: unknown): value is string => typeof value === 'string' && /^#(?:[0-9a-f]{3}|[0-9a-f]{6}|[0-9a-f]{8})$/i.test(value);

/** Constructable stylesheets (Safari 16.4+, Chrome 73+, Firefox 101+): the only styling a strict style-src allows. */
export const canAdoptSheets = typeof ShadowRoot !== 'undefined' && 'adoptedStyleSheets' in ShadowRoot.prototype && 'replaceSync' in CSSStyleSheet.prototype;

/**
 * Styles a shadow root: an adopted constructable stylesheet, or on older browsers a `<style>`
 * element (which a page with a strict style-src blocks: the widget then works unstyled).
 */
export function adoptCss(root: ShadowRoot, cssText: string, keep: CSSStyleSheet[] = []): void {
  if (canAdoptSheets) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(cssText);
    root.adoptedStyleSheets = [...keep, sheet];
    return;
  }
  const style = (root.querySelector('style[data-parley]') as HTMLStyleElement | null) ?? root.appendChild(document.createElement('style'));
  style.dataset.parley = '';
  style.textContent = cssText;
}
