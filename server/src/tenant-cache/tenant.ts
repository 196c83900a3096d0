import type { Queryable } from '../ledger/db';
import type { TenantCache, TenantSnapshot } from './cache';

/** The cache entry every reader of a workspace's row shares. */
export const tenantEntry = 'tenant';

/** A workspace's cached row (name, allowed origins, settings) or undefined; `cache` is optional. */
export async function readTenant({ db, tenantId, cache }: { db: Queryable; tenantId: string; cache?: TenantCache }): Promise<TenantSnapshot | undefined> {
  const load = async (): Promise<TenantSnapshot | undefined> => {
    const { rows } = await db.query<{ id: string; name: string; allowed_origins: string[]; settings: Record<string, unknown> | null }>(
      'SELECT id, name, allowed_origins, settings FROM tenants WHERE id = $1',
      [tenantId],
    );
    const row = rows[0];
    return row ? { id: row.id, name: row.name, allowedOrigins: row.allowed_origins, settings: row.settings ?? {} } : undefined;
  };
  return cache ? cache.get(tenantId, tenantEntry, load) : load();
}
