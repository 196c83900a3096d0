/**
 * Where a widget may be embedded. A tenant lists origins exactly as browsers send them
 * (`https://shop.example.com`) or with one leading wildcard label (`https://*.example.com`, which
 * matches any subdomain but not the bare domain). Outside production, localhost and 127.0.0.1 on
 * any port are allowed too, so a developer can try the widget before configuring anything.
 */
export interface OriginCheckOptions {
  origin: string | undefined;
  allowedOrigins: readonly string[];
  production: boolean;
  /**
   * Browsers omit `Origin` on same-origin GETs (the long-polling handshake, the config fetch from a
   * page Parley serves itself); such requests come from Parley's own origin.
   */
  ownOrigin: string;
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function parseOrigin(value: string): URL | undefined {
  try {
    const url = new URL(value);
    // An origin has no path, query or credentials; anything else is not what a browser sends.
    if (url.origin === 'null' || url.username || url.password) return undefined;
    return url;
  } catch {
    return undefined;
  }
}

function matchesPattern(origin: URL, pattern: string): boolean {
  const wildcard = /^(https?):\/\/\*\.([^/:]+)(?::(\d+))?$/i.exec(pattern);
  if (!wildcard) return origin.origin === pattern.toLowerCase().replace(/\/$/, '');
  const [, scheme, domain, port] = wildcard;
  if (`${scheme}:`.toLowerCase() !== origin.protocol) return false;
  if ((port ?? '') !== origin.port) return false;
  const suffix = `.${(domain ?? '').toLowerCase()}`;
  return origin.hostname.endsWith(suffix) && origin.hostname.length > suffix.length;
}

/** The normalised origin when it is allowed, otherwise undefined. */
export function allowedOrigin({ origin, allowedOrigins, production, ownOrigin }: OriginCheckOptions): string | undefined {
  const url = parseOrigin(origin ?? ownOrigin);
  if (!url) return undefined;
  if (!production && LOCAL_HOSTS.has(url.hostname)) return url.origin;
  return allowedOrigins.some((pattern) => matchesPattern(url, pattern)) ? url.origin : undefined;
}
