import type { RequestHandler } from 'express';
import helmet from 'helmet';
import type { Config } from '../config';

/**
 * The policy every response starts with. Most responses are JSON, which no browser should render,
 * frame or run anything from, so the default is the tightest there is. Pages that need more
 * (the dashboard, the demo host page, the demo checkout) set a policy of their own afterwards,
 * each with `frame-ancestors 'none'` except the dashboard's widget preview (framed by the
 * dashboard itself); the widget's scripts override Cross-Origin-Resource-Policy to load on any site.
 */
export const apiCsp = {
  'default-src': ["'none'"],
  'frame-ancestors': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
};

/** One year, subdomains included, as browsers' preload lists ask; production only (see below). */
export const hstsMaxAgeSec = 365 * 24 * 3600;

export function securityHeaders(config: Pick<Config, 'production'>): RequestHandler {
  return helmet({
    contentSecurityPolicy: { useDefaults: false, directives: apiCsp },
    // HSTS pins the host to HTTPS for a year: only in production, where PUBLIC_URL is HTTPS. On
    // http://localhost it would break every other local service on that name.
    strictTransportSecurity: config.production ? { maxAge: hstsMaxAgeSec, includeSubDomains: true } : false,
    // For browsers without frame-ancestors.
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  });
}
