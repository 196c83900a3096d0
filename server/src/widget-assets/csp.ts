/**
 * The Content-Security-Policy directives a host page needs for the widget, given Parley's origin.
 * No 'unsafe-inline' and no 'unsafe-eval': the widget runs no inline script, never evaluates
 * strings, and styles itself with constructable stylesheets (adoptedStyleSheets), which style-src
 * does not govern. `img-src` is for persona avatars; list the hosts they live on.
 */
export function widgetCspSources(parleyOrigin: string): Record<'script-src' | 'connect-src' | 'img-src', string[]> {
  const url = new URL(parleyOrigin);
  const socket = `${url.protocol === 'https:' ? 'wss:' : 'ws:'}//${url.host}`;
  return {
    'script-src': [url.origin],
    'connect-src': [url.origin, socket],
    'img-src': [url.origin, 'https:'],
  };
}

/** A complete strict policy for a page whose only third-party code is the widget (the demo page uses it). */
export function strictHostCsp(parleyOrigin: string, self = "'self'"): string {
  const sources = widgetCspSources(parleyOrigin);
  return [
    "default-src 'none'",
    `script-src ${self} ${sources['script-src'].join(' ')}`,
    `connect-src ${self} ${sources['connect-src'].join(' ')}`,
    `img-src ${self} data: ${sources['img-src'].join(' ')}`,
    `style-src ${self}`,
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}
