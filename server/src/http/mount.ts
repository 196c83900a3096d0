import type { Request, Response, Router } from 'express';
import type { CsrfSync } from 'csrf-sync';
import { authenticate } from '../auth/authenticate';
import type { Deps } from '../deps';
import { AppError } from './errors';
import { isWrite, type AnyRoute } from './route';
import { parseInput } from './validate';

export interface MountOptions {
  deps: Pick<Deps, 'models' | 'clock' | 'logger'>;
  csrf: CsrfSync;
  /** In tests, every JSON response is checked against its declared schema (keeps OpenAPI honest). */
  validateResponses: boolean;
}

/** Express path syntax for a route (`/api/keys/:id`), which is also how the route is named. */
export const routeKey = (route: Pick<AnyRoute, 'method' | 'path'>): string => `${route.method.toUpperCase()} ${route.path}`;

function handlerFor(route: AnyRoute, options: MountOptions) {
  return async (req: Request, res: Response): Promise<void> => {
    const auth = await authenticate(route, req, options.deps);
    // Cookies ride along on cross-site requests; a secret key or an anonymous call cannot be forged that way.
    if (auth.via === 'session' && isWrite(route.method) && !options.csrf.isRequestValid(req)) {
      throw new AppError('csrf_invalid', 'Missing or wrong X-CSRF-Token header');
    }
    const params = route.params ? parseInput(route.params, req.params, 'params') : undefined;
    const query = route.query ? parseInput(route.query, req.query, 'query') : undefined;
    const body = route.body ? parseInput(route.body, req.body ?? {}, 'body') : undefined;
    const result = await route.handler({ req, res, params, query, body, user: auth.user, tenant: auth.tenant });
    if (!route.response || res.headersSent) return;
    if (options.validateResponses) {
      const checked = route.response.safeParse(result);
      if (!checked.success) {
        options.deps.logger.error({ route: routeKey(route), issues: checked.error.issues }, 'response does not match its schema');
        throw new Error(`Response of ${routeKey(route)} does not match its schema: ${checked.error.message}`);
      }
    }
    if (result === undefined) res.status(204).end();
    else res.status(route.status ?? 200).json(result);
  };
}

export function mountRoutes(router: Router, routes: readonly AnyRoute[], options: MountOptions): void {
  for (const route of routes) {
    router[route.method](route.path, ...(route.before ?? []), handlerFor(route, options));
  }
}
