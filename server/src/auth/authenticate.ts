import type { Request } from 'express';
import type { Models } from '../db/models';
import type { Clock } from '../deps';
import { AppError } from '../http/errors';
import { requiredRole, type AnyRoute, type UserPrincipal } from '../http/route';
import { assertRole, type TenantScope } from '../tenancy/scope';
import { findLiveKey } from '../api-keys/service';

export interface Authenticated {
  via: 'none' | 'session' | 'secret_key';
  user?: UserPrincipal;
  tenant?: TenantScope;
}

function bearerToken(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match?.[1]) throw new AppError('invalid_key', 'The Authorization header must be "Bearer sk_..."');
  return match[1];
}

const touchEveryMs = 60_000;

async function bySecretKey(route: AnyRoute, token: string, deps: { models: Models; clock: Clock }): Promise<Authenticated> {
  if (route.auth !== 'tenant' || !route.secretKey) {
    throw new AppError('forbidden', 'Secret keys cannot use this route; it needs a dashboard session');
  }
  const key = await findLiveKey({ models: deps.models, kind: 'secret', token, clock: deps.clock });
  if (!key) throw new AppError('invalid_key', 'Unknown, revoked or expired secret key');
  const now = deps.clock.now();
  // Recording use on every call would turn each read into a write; once a minute is plenty.
  if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() > touchEveryMs) {
    await key.update({ lastUsedAt: now });
  }
  // A secret key acts for the tenant's backend with admin rights, never owner (no member changes).
  const tenant: TenantScope = { tenantId: key.tenantId, role: 'admin', actor: { type: 'api_key', id: key.id } };
  assertRole(tenant, requiredRole(route));
  return { via: 'secret_key', tenant };
}

async function bySession(route: AnyRoute, req: Request, models: Models): Promise<Authenticated> {
  const userId = req.user?.id;
  if (!userId) throw new AppError('unauthenticated', 'Log in first');
  if (route.auth === 'user') return { via: 'session', user: { userId } };
  const tenantId = req.session.tenantId;
  const membership = tenantId ? await models.Membership.findOne({ where: { tenantId, userId } }) : null;
  if (!membership) throw new AppError('forbidden', 'Choose a workspace you are a member of');
  const tenant: TenantScope = { tenantId: membership.tenantId, role: membership.role, actor: { type: 'user', id: userId } };
  assertRole(tenant, requiredRole(route));
  return { via: 'session', user: { userId }, tenant };
}

/** Works out who is calling a route, enforcing its auth mode and least role. */
export async function authenticate(route: AnyRoute, req: Request, deps: { models: Models; clock: Clock }): Promise<Authenticated> {
  if (route.auth === 'none') return { via: 'none', user: req.user ? { userId: req.user.id } : undefined };
  const token = bearerToken(req);
  if (token) return bySecretKey(route, token, deps);
  return bySession(route, req, deps.models);
}
