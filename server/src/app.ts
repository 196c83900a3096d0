import crypto from 'node:crypto';
import express, { type Express, type RequestHandler } from 'express';
import session from 'express-session';
import connectPgSimple from 'connect-pg-simple';
import { pinoHttp } from 'pino-http';
import { csrfSync } from 'csrf-sync';
import type { Config } from './config';
import type { Deps } from './deps';
import { createPassport } from './auth/passport';
import type { AppContext } from './http/context';
import { errorMiddleware, notFoundHandler } from './http/error-middleware';
import { mountRoutes } from './http/mount';
import { securityHeaders } from './http/security-headers';
import type { AnyRoute } from './http/route';
import { allRoutes } from './routes';
import { dashboardAssets } from './dashboard-assets/assets';
import { requestLogSerializer } from './logger';

export interface ParleyApp extends Express {
  /** Every route the app registers, for OpenAPI and the cross-tenant matrix test. */
  readonly parleyRoutes: readonly AnyRoute[];
}

const bodyLimit = '100kb';

function requestTimer(deps: Deps): RequestHandler {
  return (req, res, next) => {
    const end = deps.metrics.httpDuration.startTimer({ method: req.method });
    res.on('finish', () => {
      // The route template (not the raw URL) keeps label cardinality bounded.
      const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
      end({ route: `${req.baseUrl}${route}`, status: String(res.statusCode) });
    });
    next();
  };
}

/** Builds the Express app. No side effects: nothing listens, connects or starts a timer here. */
export function createApp(config: Config, deps: Deps): ParleyApp {
  const app = express() as ParleyApp;
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy ? 1 : false);

  app.use(
    pinoHttp({
      logger: deps.logger,
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && /^[\w-]{1,64}$/.test(given) ? given : crypto.randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/metrics' },
      serializers: { req: requestLogSerializer },
    }),
  );
  app.use(requestTimer(deps));
  app.use(securityHeaders(config));

  // Webhooks verify signatures over the exact bytes, so they keep their raw body (see payments).
  const json = express.json({ limit: bodyLimit });
  app.use((req, res, next) => (req.path.startsWith('/webhooks/') ? next() : json(req, res, next)));

  const PgStore = connectPgSimple(session);
  app.use(
    '/api',
    session({
      name: 'parley.sid',
      secret: config.sessionSecret ?? 'dev-only-session-secret-change-me',
      store: new PgStore({ pool: deps.pool, tableName: 'sessions', createTableIfMissing: false, pruneSessionInterval: false }),
      resave: false,
      saveUninitialized: false,
      rolling: true,
      cookie: { httpOnly: true, sameSite: 'lax', secure: config.production, maxAge: config.sessionTtlMs },
    }),
  );
  const passport = createPassport(deps.models);
  app.use('/api', passport.initialize(), passport.session());

  const csrf = csrfSync({ getTokenFromRequest: (req) => req.get('x-csrf-token') ?? undefined });
  const routes: AnyRoute[] = [];
  const ctx: AppContext = { config, deps, passport, csrf, routes };
  routes.push(...allRoutes(ctx));
  Object.defineProperty(app, 'parleyRoutes', { value: routes });

  const router = express.Router();
  mountRoutes(router, routes, { deps, csrf, validateResponses: config.env === 'test' });
  app.use(router);
  // The dashboard SPA (built files) at /dashboard, with its own strict CSP.
  app.use(dashboardAssets());
  app.use(notFoundHandler());
  app.use(errorMiddleware(deps.logger));
  return app;
}
