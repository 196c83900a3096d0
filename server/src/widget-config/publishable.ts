import { findLiveKey } from '../api-keys/service';
import { hashToken, looksLikeToken } from '../api-keys/tokens';
import type { Models } from '../db/models';
import type { Clock } from '../deps';
import { AppError } from '../http/errors';
import type { Queryable } from '../ledger/db';
import type { TenantCache, TenantSnapshot } from '../tenant-cache/cache';
import { readTenant } from '../tenant-cache/tenant';
import { allowedOrigin } from './origin';

export interface PublishableAccess {
  tenant: TenantSnapshot;
  /** The page's origin, checked against the tenant's list. */
  origin: string;
}

/**
 * What the widget's two entry points (the config fetch and the socket handshake) both check: a live
 * publishable key, used from a page the tenant allows. A key is public by design; the origin check
 * is what stops another site from embedding a tenant's widget and spending its visitors' credits.
 * With a `cache`, the key and the workspace row come from this process's copy, which every process
 * drops the moment a key is revoked or the origins change (see server/src/tenant-cache).
 */
export async function checkPublishableAccess(options: {
  models: Models;
  db: Queryable;
  cache?: TenantCache;
  clock: Clock;
  key: string | undefined;
  origin: string | undefined;
  production: boolean;
  ownOrigin: string;
}): Promise<PublishableAccess> {
  const tenantId = await liveKeyTenant(options);
  const tenant = tenantId ? await readTenant({ db: options.db, tenantId, cache: options.cache }) : undefined;
  if (!tenant) throw new AppError('invalid_key', 'Unknown, revoked or expired publishable key');
  const origin = allowedOrigin({
    origin: options.origin,
    allowedOrigins: tenant.allowedOrigins,
    production: options.production,
    ownOrigin: options.ownOrigin,
  });
  if (!origin) throw new AppError('origin_not_allowed', 'This site is not allowed to embed this widget; add its origin in the dashboard');
  return { tenant, origin };
}

async function liveKeyTenant({ models, cache, clock, key }: { models: Models; cache?: TenantCache; clock: Clock; key: string | undefined }): Promise<string | undefined> {
  if (!key || !looksLikeToken('publishable', key)) return undefined;
  const load = async () => {
    const found = await findLiveKey({ models, kind: 'publishable', token: key, clock });
    return found ? { tenantId: found.tenantId, expiresAt: found.expiresAt ?? null } : undefined;
  };
  const entry = cache ? await cache.publishableKey(hashToken(key), clock.now(), load) : await load();
  return entry?.tenantId;
}
