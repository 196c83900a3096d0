import type { Pool, PoolClient } from 'pg';
import { AppError, notFound } from '../http/errors';
import { assertRole, type Role, type TenantScope } from '../tenancy/scope';

/**
 * Role changes and removals. Admins manage admins and analysts; anything that makes or unmakes
 * an owner needs an owner; and a workspace always keeps at least one owner.
 */
async function withMembershipLock<T>(db: Pool, tenantId: string, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    // Locking every membership of the workspace serialises "last owner" checks between requests.
    await client.query('SELECT 1 FROM memberships WHERE tenant_id = $1 FOR UPDATE', [tenantId]);
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

async function currentRole(client: PoolClient, tenantId: string, userId: string): Promise<Role> {
  const { rows } = await client.query<{ role: Role }>('SELECT role FROM memberships WHERE tenant_id = $1 AND user_id = $2', [tenantId, userId]);
  if (!rows[0]) throw notFound('member');
  return rows[0].role;
}

async function assertAnotherOwner(client: PoolClient, tenantId: string, userId: string): Promise<void> {
  const { rows } = await client.query<{ n: string }>(
    "SELECT count(*) AS n FROM memberships WHERE tenant_id = $1 AND role = 'owner' AND user_id <> $2",
    [tenantId, userId],
  );
  if (Number(rows[0]?.n ?? 0) === 0) throw new AppError('conflict', 'A workspace needs at least one owner; make someone else owner first');
}

export async function changeMemberRole({ db, scope, userId, role, now }: { db: Pool; scope: TenantScope; userId: string; role: Role; now: Date }): Promise<Role> {
  return withMembershipLock(db, scope.tenantId, async (client) => {
    const before = await currentRole(client, scope.tenantId, userId);
    if (before === 'owner' || role === 'owner') assertRole(scope, 'owner');
    if (before === 'owner' && role !== 'owner') await assertAnotherOwner(client, scope.tenantId, userId);
    await client.query('UPDATE memberships SET role = $3, updated_at = $4 WHERE tenant_id = $1 AND user_id = $2', [scope.tenantId, userId, role, now]);
    return role;
  });
}

export async function removeMember({ db, scope, userId }: { db: Pool; scope: TenantScope; userId: string }): Promise<void> {
  await withMembershipLock(db, scope.tenantId, async (client) => {
    const role = await currentRole(client, scope.tenantId, userId);
    if (role === 'owner') {
      assertRole(scope, 'owner');
      await assertAnotherOwner(client, scope.tenantId, userId);
    }
    await client.query('DELETE FROM memberships WHERE tenant_id = $1 AND user_id = $2', [scope.tenantId, userId]);
  });
}
