import type { Config } from '../config';
import type { Deps } from '../deps';
import { AppError } from '../http/errors';
import { handshakeAuth } from '../wire/chat';
import { checkPublishableAccess } from '../widget-config/publishable';
import { readChatSettings } from '../widget-config/settings';
import type { ChatRuntime } from '../chat/runtime';
import type { WidgetSocket } from './types';
import { createConnectionLimits } from './connection-limit';
import { resolveVisitor } from './visitor-session';
import { HandshakeError, isExpected } from './wire-errors';

/** Client address: the proxy's view of it when the app sits behind one (as Express's trust proxy 1). */
function clientIp(socket: WidgetSocket, trustProxy: boolean): string {
  const forwarded = socket.handshake.headers['x-forwarded-for'];
  if (trustProxy && typeof forwarded === 'string') {
    const hops = forwarded.split(',').map((h) => h.trim()).filter(Boolean);
    const last = hops[hops.length - 1];
    if (last) return last;
  }
  return socket.handshake.address;
}

export interface HandshakeContext {
  config: Config;
  deps: Deps;
  rt: ChatRuntime;
  tokenKey: Buffer;
}

/**
 * The namespace's auth middleware, and the only writer of `socket.data`: a live publishable key,
 * an allowed origin, a visitor (existing, or new with welcome credits) who is not blocked.
 * Failures reach the client as `connect_error` with `err.data.code`.
 */
export function handshakeMiddleware(ctx: HandshakeContext) {
  const { config, deps, rt, tokenKey } = ctx;
  const ownOrigin = new URL(config.publicUrl).origin;
  const connectionLimits = createConnectionLimits({ db: rt.relaxedDb, limits: config.chat });
  return (socket: WidgetSocket, next: (err?: Error) => void): void => {
    const run = async () => {
      const ip = clientIp(socket, config.trustProxy);
      await connectionLimits.perIp(ip);
      const auth = handshakeAuth.safeParse(socket.handshake.auth);
      if (!auth.success) throw new AppError('invalid_key', 'The handshake needs auth.key, a publishable key');
      const origin = socket.handshake.headers.origin;
      const { tenant, origin: checkedOrigin } = await checkPublishableAccess({
        models: deps.models, db: deps.pool, cache: deps.tenantCache, clock: deps.clock, key: auth.data.key, origin, production: config.production, ownOrigin,
      });
      await connectionLimits.perTenant(tenant.id);
      const settings = readChatSettings(tenant.settings);
      const session = await resolveVisitor({
        db: deps.pool, tokenKey, tenantId: tenant.id, visitorToken: auth.data.visitorToken, settings,
        newVisitorLimiter: rt.limiters.newVisitors, ip, now: deps.clock.now(),
      });
      socket.data = {
        tenantId: tenant.id,
        visitorId: session.visitor.id,
        origin: checkedOrigin,
        ip,
        visitorToken: session.visitorToken,
        identified: session.visitor.externalUserId !== null,
        welcomeGranted: session.welcomeGranted,
        lowBalanceThreshold: settings.lowBalanceThreshold,
      };
    };
    run().then(
      () => next(),
      (error: unknown) => {
        if (!isExpected(error)) deps.logger.error({ err: error }, 'widget handshake failed');
        next(HandshakeError.from(error));
      },
    );
  };
}
