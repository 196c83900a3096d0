import type { Pool } from 'pg';
import { withTransaction } from '../ledger/db';
import { grantInTransaction } from '../ledger/grant';
import { consumeOrThrow } from '../http/rate-limit';
import { createVisitor, findVisitor, type VisitorRecord } from '../visitors/service';
import type { ChatSettings } from '../widget-config/settings';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { AppError } from '../http/errors';
import { issueVisitorToken, verifyVisitorToken } from './visitor-token';

export interface VisitorSession {
  visitor: VisitorRecord;
  visitorToken: string;
  /** Millicredits granted on this connection (a new visitor's welcome credits), else 0. */
  welcomeGranted: number;
}

export interface ResolveVisitorOptions {
  db: Pool;
  tokenKey: Buffer;
  tenantId: string;
  /** The token the widget kept, if any. */
  visitorToken: string | undefined;
  settings: ChatSettings;
  newVisitorLimiter: RateLimiterAbstract;
  ip: string;
  now: Date;
}

/**
 * The visitor behind a connection. A valid token for this tenant names an existing visitor; no
 * token, or one that does not verify (another tenant's, a rotated secret, a deleted visitor), makes
 * a new visitor, limited per address because each new visitor receives the welcome credits.
 * A blocked visitor is refused.
 */
export async function resolveVisitor(o: ResolveVisitorOptions): Promise<VisitorSession> {
  const claims = o.visitorToken ? verifyVisitorToken({ key: o.tokenKey, token: o.visitorToken }) : undefined;
  if (claims && claims.tenantId === o.tenantId) {
    const existing = await findVisitor({ db: o.db, tenantId: o.tenantId, visitorId: claims.visitorId }).catch((err: unknown) => {
      if (err instanceof AppError && err.code === 'not_found') return undefined;
      throw err;
    });
    if (existing) {
      if (existing.blockedAt) throw new AppError('visitor_blocked', 'This visitor has been blocked by the site');
      return { visitor: existing, visitorToken: o.visitorToken!, welcomeGranted: 0 };
    }
  }
  await consumeOrThrow(o.newVisitorLimiter, `${o.tenantId}:${o.ip}`);
  const { visitor, welcomeGranted } = await createWithWelcome(o);
  return { visitor, welcomeGranted, visitorToken: issueVisitorToken({ key: o.tokenKey, tenantId: o.tenantId, visitorId: visitor.id, now: o.now }) };
}

/**
 * One transaction: a visitor never exists without their welcome credits. The external reference
 * `welcome:<visitor id>` makes a second welcome grant impossible, whatever retries happen.
 */
async function createWithWelcome(o: ResolveVisitorOptions): Promise<{ visitor: VisitorRecord; welcomeGranted: number }> {
  return withTransaction(o.db, async (client) => {
    const visitor = await createVisitor({ db: client, tenantId: o.tenantId, now: o.now });
    const amount = o.settings.welcomeCredits;
    if (amount <= 0) return { visitor, welcomeGranted: 0 };
    const days = o.settings.welcomeExpiryDays;
    const posting = await grantInTransaction(client, {
      tenantId: o.tenantId,
      visitorId: visitor.id,
      amount,
      source: 'welcome',
      expiresAt: days === null ? null : new Date(o.now.getTime() + days * 86_400_000),
      externalRef: `welcome:${visitor.id}`,
      reason: 'Welcome credits',
      actor: { type: 'system', id: 'welcome' },
      now: o.now,
    });
    return { visitor, welcomeGranted: posting.replayed ? 0 : posting.amount };
  });
}
