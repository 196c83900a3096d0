import { AppError } from '../http/errors';
import { allowedOrigin } from '../widget-config/origin';

/**
 * Where checkout sends the visitor back. Only to a page of the tenant's own site (its allowed
 * origins; localhost too outside production) or Parley's own pages: anything else would make
 * Parley an open redirect that carries a purchase id.
 */
export function checkReturnUrl(o: { returnUrl: string; allowedOrigins: readonly string[]; production: boolean; publicUrl: string }): URL {
  let url: URL;
  try {
    url = new URL(o.returnUrl);
  } catch {
    throw new AppError('origin_not_allowed', 'returnUrl is not a URL');
  }
  const ownOrigin = new URL(o.publicUrl).origin;
  const httpish = url.protocol === 'https:' || url.protocol === 'http:';
  const permitted =
    httpish && !url.username && !url.password &&
    (url.origin === ownOrigin || allowedOrigin({ origin: url.origin, allowedOrigins: o.allowedOrigins, production: o.production, ownOrigin }) !== undefined);
  if (!permitted) throw new AppError('origin_not_allowed', 'returnUrl must be a page of a site this widget may be embedded on');
  return url;
}

/** The return URL with Parley's outcome appended, keeping the page's own query and fragment. */
export function returnUrlWith(returnUrl: string, params: Record<string, string>): string {
  const url = new URL(returnUrl);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url.toString();
}
