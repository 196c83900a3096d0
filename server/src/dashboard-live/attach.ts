import type { Namespace, Server } from 'socket.io';
import type { Config } from '../config';
import type { Deps } from '../deps';
import { dashboardNamespace, type DashboardClientToServer, type DashboardServerToClient } from '../wire/dashboard';
import { listen, type DashboardNotification } from './notifications';
import { identityOf, unsignSessionId, type LiveIdentity } from './session-cookie';

/**
 * The dashboard's live namespace on the gateway's Socket.IO server: a member's browser connects
 * with its session cookie and joins its workspace's room; new conversations and purchase changes
 * (from PostgreSQL notifications, which every process receives) are emitted to that room on this
 * process only, so each socket gets each event once however many processes there are.
 */
type LiveNamespace = Namespace<DashboardClientToServer, DashboardServerToClient, Record<string, never>, LiveIdentity>;

const tenantRoom = (tenantId: string): string => `tenant:${tenantId}`;
/** A removed member or an ended session loses the feed within this long. */
const recheckMs = 60_000;

class LiveAuthError extends Error {
  readonly data: { code: string };
  constructor(code: 'unauthenticated' | 'origin_not_allowed', message: string) {
    super(message);
    this.data = { code };
  }
}

export interface DashboardLive {
  close(): Promise<void>;
}

export function attachDashboardLive(io: Server, config: Config, deps: Deps): DashboardLive {
  const nsp = io.of(dashboardNamespace) as unknown as LiveNamespace;
  const secret = config.sessionSecret ?? 'dev-only-session-secret-change-me';
  const logger = deps.logger.child({ feature: 'dashboard-live' });

  nsp.use(async (socket, next) => {
    try {
      // Cookies ride along on cross-site WebSocket handshakes: only this site's pages may connect.
      const { origin, host } = socket.handshake.headers;
      if (origin && new URL(origin).host !== host) throw new LiveAuthError('origin_not_allowed', 'The dashboard feed is for this site only');
      const sessionId = unsignSessionId(socket.handshake.headers.cookie, secret);
      const identity = sessionId ? await identityOf(deps.pool, sessionId) : undefined;
      if (!identity) throw new LiveAuthError('unauthenticated', 'Log in to the dashboard first');
      socket.data = identity;
      next();
    } catch (err) {
      next(err instanceof LiveAuthError ? err : new LiveAuthError('unauthenticated', 'Could not check the session'));
    }
  });

  nsp.on('connection', (socket) => {
    void socket.join(tenantRoom(socket.data.tenantId));
    const sessionId = unsignSessionId(socket.handshake.headers.cookie, secret);
    const timer = setInterval(async () => {
      const still = sessionId ? await identityOf(deps.pool, sessionId).catch(() => undefined) : undefined;
      if (!still || still.tenantId !== socket.data.tenantId) socket.disconnect(true);
    }, recheckMs);
    timer.unref();
    socket.on('disconnect', () => clearInterval(timer));
  });

  const emit = (n: DashboardNotification): void => {
    const room = nsp.local.to(tenantRoom(n.tenantId));
    if (n.type === 'conversation') {
      room.emit('conversation:new', { id: n.id, visitorId: n.visitorId, personaId: n.personaId, title: n.title, createdAt: n.createdAt });
    } else {
      room.emit('purchase:update', {
        id: n.id, visitorId: n.visitorId, status: n.status, packName: n.packName, credits: n.credits, amountMinor: n.amountMinor,
        currency: n.currency, paidAt: n.paidAt,
      });
    }
  };
  const listener = listen({ pool: deps.pool, logger, onNotification: emit });

  return {
    async close() {
      nsp.disconnectSockets(true);
      await listener.close();
    },
  };
}
