import crypto from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import type { z } from 'zod';
import { AppError, notFound } from '../http/errors';
import { assertRole, type Role, type TenantScope } from '../tenancy/scope';
import type { inviteStatus, inviteView } from './schemas';

/**
 * Invites by link. The token is shown once to the inviter; only its SHA-256 is stored, like a
 * secret key. An invite is used once, expires, and may be revoked before it is used.
 */
interface InviteRow {
  id: string;
  tenant_id: string;
  role: Role;
  email: string | null;
  created_at: Date;
  expires_at: Date;
  accepted_at: Date | null;
  revoked_at: Date | null;
}

export type InviteView = z.infer<typeof inviteView>;

const hash = (token: string): string => crypto.createHash('sha256').update(token).digest('hex');
const newToken = (): string => `inv_${crypto.randomBytes(24).toString('base64url').replace(/[-_]/g, '').slice(0, 32).padEnd(32, '0')}`;

function statusOf(row: InviteRow, now: Date): (typeof inviteStatus)[number] {
  if (row.accepted_at) return 'accepted';
  if (row.revoked_at) return 'revoked';
  return row.expires_at <= now ? 'expired' : 'pending';
}

export function inviteViewOf(row: InviteRow, now: Date): InviteView {
  return {
    id: row.id,
    role: row.role,
    email: row.email,
    status: statusOf(row, now),
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
    acceptedAt: row.accepted_at?.toISOString() ?? null,
  };
}

export async function listInvites({ db, scope }: { db: Pool; scope: TenantScope }): Promise<InviteRow[]> {
  const { rows } = await db.query<InviteRow>('SELECT * FROM workspace_invites WHERE tenant_id = $1 ORDER BY created_at DESC LIMIT 200', [scope.tenantId]);
  return rows;
}

export async function createInvite(options: {
  db: Pool;
  scope: TenantScope;
  role: Role;
  email: string | null;
  expiresInDays: number;
  now: Date;
}): Promise<{ row: InviteRow; token: string }> {
  const { db, scope, role, email, expiresInDays, now } = options;
  // Nobody hands out more power than they hold: only an owner may invite an owner.
  assertRole(scope, role === 'owner' ? 'owner' : 'admin');
  const token = newToken();
  const createdBy = scope.actor.type === 'user' ? scope.actor.id : null;
  const { rows } = await db.query<InviteRow>(
    `INSERT INTO workspace_invites (tenant_id, role, email, token_hash, created_by, expires_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
    [scope.tenantId, role, email, hash(token), createdBy, new Date(now.getTime() + expiresInDays * 86_400_000), now],
  );
  return { row: rows[0]!, token };
}

export async function revokeInvite({ db, scope, id, now }: { db: Pool; scope: TenantScope; id: string; now: Date }): Promise<InviteRow> {
  const { rows } = await db.query<InviteRow>(
    `UPDATE workspace_invites SET revoked_at = COALESCE(revoked_at, $3)
      WHERE id = $1 AND tenant_id = $2 AND accepted_at IS NULL RETURNING *`,
    [id, scope.tenantId, now],
  );
  if (rows[0]) return rows[0];
  const { rows: existing } = await db.query<InviteRow>('SELECT * FROM workspace_invites WHERE id = $1 AND tenant_id = $2', [id, scope.tenantId]);
  if (!existing[0]) throw notFound('invite');
  throw new AppError('conflict', 'This invite has already been accepted');
}

/** A usable invite by its token, with its workspace's name; `not_found` for anything else. */
export async function findUsableInvite(db: Pool | PoolClient, token: string, now: Date, lock = false) {
  const { rows } = await db.query<InviteRow & { workspace_name: string }>(
    `SELECT i.*, t.name AS workspace_name FROM workspace_invites i JOIN tenants t ON t.id = i.tenant_id
      WHERE i.token_hash = $1 AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > $2
      ${lock ? 'FOR UPDATE OF i' : ''}`,
    [hash(token), now],
  );
  // One answer for unknown, used, revoked and expired links: the token is the only secret here.
  if (!rows[0]) throw new AppError('not_found', 'This invite link is not valid any more; ask for a new one');
  return rows[0];
}

/**
 * Adds the user to the invite's workspace, once. Accepting when already a member keeps the
 * current role (an invite never demotes) and still uses the link up.
 */
export async function acceptInvite({ db, token, userId, now }: { db: Pool; token: string; userId: string; now: Date }): Promise<{ tenantId: string }> {
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    const invite = await findUsableInvite(client, token, now, true);
    if (invite.email) {
      const { rows } = await client.query<{ email: string }>('SELECT email FROM users WHERE id = $1', [userId]);
      if (rows[0]?.email !== invite.email) {
        throw new AppError('forbidden', `This invite is for ${invite.email}; log in with that account to accept it`);
      }
    }
    await client.query(
      `INSERT INTO memberships (tenant_id, user_id, role, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
       ON CONFLICT (tenant_id, user_id) DO NOTHING`,
      [invite.tenant_id, userId, invite.role, now],
    );
    await client.query('UPDATE workspace_invites SET accepted_at = $2, accepted_by = $3 WHERE id = $1', [invite.id, now, userId]);
    await client.query('COMMIT');
    return { tenantId: invite.tenant_id };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
