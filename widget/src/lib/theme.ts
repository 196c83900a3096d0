import { hostRules, isHexColor, type HostLook } from '../shared/launcher';
import type { ThemeView } from '../wire/config';

/**
 * The tenant's theme and the page's `brand` / `z-index` as `:host` custom properties, adopted by the
 * element as a constructable stylesheet, so a page's own `parley-chat { --parley-brand: … }` still
 * wins. Colours are validated hex: a tenant string can never inject CSS. Custom surface colours
 * apply to the light look only; the dark look keeps its own contrast-checked pair.
 */
export function hostCss(look: HostLook, theme?: ThemeView): string {
  let extra = '';
  if (isHexColor(theme?.background)) extra += `--_tenant-bg:${theme.background};`;
  if (isHexColor(theme?.text)) extra += `--_tenant-fg:${theme.text};`;
  if (theme?.radiusPx !== undefined) extra += `--_tenant-radius:${Math.min(32, Math.max(0, Math.round(theme.radiusPx)))}px;`;
  return `${hostRules({ ...look, brand: theme?.brandColor ?? look.brand })}:host{${extra}}`;
}
