/** The script tag a site owner pastes, with the `data-*` options the loader reads (widget/src/loader/options.ts). */
export interface SnippetOptions {
  position: '' | 'left' | 'right';
  open: boolean;
  locale: '' | 'en' | 'de' | 'es' | 'fr';
  launcher: boolean;
  zIndex: string;
  color: string;
}

export const defaultSnippetOptions: SnippetOptions = { position: '', open: false, locale: '', launcher: true, zIndex: '', color: '' };

const attr = (value: string): string => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export function snippet(origin: string, key: string, o: SnippetOptions): string {
  const attrs = [`src="${attr(origin)}/widget.js"`, `data-key="${attr(key)}"`];
  if (o.position) attrs.push(`data-position="${o.position}"`);
  if (o.open) attrs.push('data-open="true"');
  if (o.locale) attrs.push(`data-locale="${o.locale}"`);
  if (!o.launcher) attrs.push('data-launcher="false"');
  if (/^\d{1,10}$/.test(o.zIndex)) attrs.push(`data-z-index="${o.zIndex}"`);
  if (/^#[0-9a-fA-F]{6}$/.test(o.color)) attrs.push(`data-color="${o.color}"`);
  return `<script ${attrs.join(' ')} async></script>`;
}
