/**
 * widget.js: the only file a site includes. It must stay under 4 KB gzip, so it holds no framework:
 * it reads the script tag's options, installs `window.Parley`, draws the launcher at once, and
 * imports the full widget (one module chunk) only on intent.
 */
import { openFlag, save, visitorItems, load } from '../shared/storage';
import type { CommandName, CommandTarget, ParleyGlobal } from '../shared/commands';
import { createHost, keepAttached } from './launcher';
import { findScript, parseCachedTheme, readOptions, type LoaderOptions } from './options';

/** Replaced at build time with the hashed file name of the widget chunk. */
declare const __PARLEY_CHAT_FILE__: string;

type Listener = (detail: unknown) => void;
const win = window as Window & { Parley?: ParleyGlobal };

function start(): void {
  // Back from checkout in the window the widget opened: the visitor's first tab already has the
  // news by push, so this one closes itself (best effort; browsers allow it for script-opened windows).
  if (window.name === 'parley-checkout' && /[?&]parley_checkout=/.test(location.search)) window.close();
  if (win.Parley?.loaded) {
    console.warn('[parley] widget.js is included more than once; the extra copy does nothing.');
    return;
  }
  const script = findScript();
  const options = script && readOptions(script);
  if (!options?.key) {
    console.error('[parley] add data-key="pk_…" to the widget.js script tag.');
    return;
  }
  const pending: unknown[][] = Array.from(win.Parley?.q ?? [], (args) => Array.from(args));
  const parley = install(options, pending);
  parley.loaded = true;
  win.Parley = parley;
  for (const args of pending.splice(0)) parley(...(args as [CommandName, ...unknown[]]));
}

function install(options: LoaderOptions, queue: unknown[][]): ParleyGlobal {
  const { host, button } = createHost(options, parseCachedTheme(load(options.key, 'theme')));
  const chatUrl = new URL(`widget/${__PARLEY_CHAT_FILE__}`, options.base).href;
  let target: CommandTarget | undefined;
  let loading: Promise<unknown> | undefined;
  const listeners = new Map<Listener, Map<string, EventListener>>();
  // `Parley('on', 'ready', fn)` after the widget became ready still calls `fn`.
  let ready: unknown;
  win.addEventListener('parley:ready', (event) => (ready = (event as CustomEvent).detail));

  const link = (rel: string, href: string) => {
    const el = document.createElement('link');
    el.rel = rel;
    el.href = href;
    el.crossOrigin = 'anonymous';
    document.head.append(el);
  };
  // Hover or focus is a hint: warm the connection and fetch (not run) the chunk, so a click opens fast.
  const warm = () => {
    link('preconnect', new URL(options.base).origin);
    link('modulepreload', chatUrl);
  };
  const loadWidget = () =>
    (loading ??= import(/* @vite-ignore */ chatUrl).then(
      () => {
        target = host as unknown as CommandTarget;
        for (const [name, ...args] of queue.splice(0)) target.command(name as CommandName, args);
      },
      (err: unknown) => {
        loading = undefined;
        console.error('[parley] could not load the widget. If the page sends a Content-Security-Policy, see the Parley README for what to allow.', err);
      },
    ));

  const parley: ParleyGlobal = (name, ...args) => {
    if (name === 'on' || name === 'off') {
      listen(listeners, name, args);
      if (name === 'on' && args[0] === 'ready' && ready && typeof args[1] === 'function') (args[1] as Listener)(ready);
      return;
    }
    if (target) return target.command(name, args);
    // Before the widget exists, logout must still forget the visitor, or the next load would reuse them.
    if (name === 'logout') return visitorItems.forEach((item) => save(options.key, item, null));
    queue.push([name, ...args]);
    if (name === 'open' || name === 'toggle') void loadWidget();
  };

  button.addEventListener('pointerenter', warm, { once: true });
  button.addEventListener('focus', warm, { once: true });
  button.addEventListener('click', () => parley('toggle'));
  const attach = () => {
    keepAttached(host);
    // Opened by the page's settings, not by the visitor: never steal focus from the page on load.
    if (options.open || openFlag(options.key)) parley('open', { focus: false });
  };
  if (document.body) attach();
  else document.addEventListener('DOMContentLoaded', attach, { once: true });
  return parley;
}

/** `Parley('on', 'message', fn)`: `fn` gets the detail of the `parley:message` window event. */
function listen(listeners: Map<Listener, Map<string, EventListener>>, action: 'on' | 'off', [name, fn]: unknown[]): void {
  if (typeof name !== 'string' || typeof fn !== 'function') return;
  const byName = listeners.get(fn as Listener) ?? new Map<string, EventListener>();
  listeners.set(fn as Listener, byName);
  const type = `parley:${name}`;
  const existing = byName.get(type);
  if (existing) win.removeEventListener(type, existing);
  byName.delete(type);
  if (action === 'off') return;
  const wrapped: EventListener = (event) => (fn as Listener)((event as CustomEvent).detail);
  byName.set(type, wrapped);
  win.addEventListener(type, wrapped);
}

start();
