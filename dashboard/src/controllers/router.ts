import type { ReactiveController, ReactiveControllerHost } from 'lit';

/**
 * History-API routing under /dashboard. Same-app links are plain `<a href="/dashboard/...">`, so
 * they work with the keyboard, open in a new tab, and are caught here (through shadow roots, by
 * the click's composed path) to change page without a reload.
 */
export const basePath = '/dashboard';

export interface Route {
  /** The page key, e.g. "visitors" or "visitor". */
  page: string;
  params: Record<string, string>;
  /** The query string as parsed values. */
  query: URLSearchParams;
}

const patterns: Array<[string, RegExp, string[]]> = [
  ['analytics', /^\/?$/, []],
  ['login', /^\/login$/, []],
  ['signup', /^\/signup$/, []],
  ['invite', /^\/invite\/([A-Za-z0-9_]+)$/, ['token']],
  ['visitor', /^\/visitors\/([0-9a-f-]{36})$/, ['id']],
  ['conversation', /^\/conversations\/([0-9a-f-]{36})$/, ['id']],
  ['page', /^\/([a-z-]+)$/, ['name']],
];

export function matchRoute(pathname: string, search = ''): Route {
  const rest = pathname.startsWith(basePath) ? pathname.slice(basePath.length) : pathname;
  const query = new URLSearchParams(search);
  for (const [page, pattern, names] of patterns) {
    const m = pattern.exec(rest.replace(/\/$/, '') || '/');
    if (!m) continue;
    const params = Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1] ?? '')]));
    return page === 'page' ? { page: params.name!, params: {}, query } : { page, params, query };
  }
  return { page: 'not-found', params: {}, query };
}

export class Router implements ReactiveController {
  route: Route = matchRoute(location.pathname, location.search);

  constructor(private readonly host: ReactiveControllerHost & HTMLElement) {
    host.addController(this);
  }

  hostConnected(): void {
    window.addEventListener('popstate', this.onPop);
    document.addEventListener('click', this.onClick);
  }

  hostDisconnected(): void {
    window.removeEventListener('popstate', this.onPop);
    document.removeEventListener('click', this.onClick);
  }

  /** Goes to `path` (relative to /dashboard, or absolute under it); `replace` keeps history clean for redirects. */
  go(path: string, replace = false): void {
    const url = path.startsWith(basePath) ? path : `${basePath}${path.startsWith('/') ? '' : '/'}${path}`;
    if (url === location.pathname + location.search) return;
    history[replace ? 'replaceState' : 'pushState'](null, '', url);
    this.update();
    window.scrollTo(0, 0);
  }

  private update(): void {
    this.route = matchRoute(location.pathname, location.search);
    this.host.requestUpdate();
  }

  private readonly onPop = (): void => this.update();

  private readonly onClick = (event: MouseEvent): void => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const anchor = event.composedPath().find((n): n is HTMLAnchorElement => n instanceof HTMLAnchorElement);
    if (!anchor || anchor.target || anchor.hasAttribute('download') || anchor.origin !== location.origin) return;
    if (!anchor.pathname.startsWith(basePath)) return;
    event.preventDefault();
    this.go(anchor.pathname + anchor.search);
  };
}
