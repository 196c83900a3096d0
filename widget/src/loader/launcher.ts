import { adoptCss, hostRules, icons, isHexColor, launcherCss, openLabels, type CachedTheme } from '../shared/launcher';
import type { LoaderOptions } from './options';

const svgNs = 'http://www.w3.org/2000/svg';

/**
 * Creates `<parley-chat>` (not yet defined) and draws the launcher in its shadow root with DOM calls
 * only: no innerHTML (Trusted Types) and no inline style (CSP). The adopted stylesheet is a
 * constructable one, which `style-src` does not govern.
 */
export function createHost(options: LoaderOptions, theme: CachedTheme): { host: HTMLElement; button: HTMLButtonElement } {
  const host = document.createElement('parley-chat');
  host.setAttribute('key', options.key);
  host.setAttribute('api', options.base);
  const position = options.position ?? theme.position;
  if (position === 'left') host.setAttribute('position', 'left');
  if (options.locale) host.setAttribute('locale', options.locale);
  if (!options.launcher) host.setAttribute('hide-launcher', '');
  const brand = isHexColor(options.color) ? options.color : theme.brand;
  if (brand) host.setAttribute('brand', brand);
  if (options.zIndex) host.setAttribute('z-index', options.zIndex);

  const root = host.attachShadow({ mode: 'open' });
  adoptCss(root, launcherCss + hostRules({ brand, zIndex: options.zIndex }));

  const button = document.createElement('button');
  button.className = 'launcher';
  button.setAttribute('part', 'launcher');
  button.setAttribute('aria-expanded', 'false');
  const lang = (options.locale ?? navigator.language).slice(0, 2);
  button.setAttribute('aria-label', openLabels[lang] ?? openLabels.en!);
  const svg = document.createElementNS(svgNs, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS(svgNs, 'path');
  path.setAttribute('d', icons[theme.icon ?? 'chat'] ?? icons.chat!);
  svg.append(path);
  button.append(svg);
  root.append(button);
  return { host, button };
}

/**
 * Keeps the host in the page when a single-page app replaces `<body>` or clears its children; the
 * same element (and so the open socket and the conversation) is put back.
 */
export function keepAttached(host: HTMLElement): void {
  const attach = () => {
    if (!host.isConnected && document.body) document.body.append(host);
  };
  let watched: HTMLElement | null = null;
  const observer = new MutationObserver(() => {
    if (document.body !== watched) watch();
    attach();
  });
  const watch = () => {
    watched = document.body;
    observer.observe(document.documentElement, { childList: true });
    if (watched) observer.observe(watched, { childList: true });
  };
  watch();
  attach();
}
