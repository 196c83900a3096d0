import { AppError, notFound } from '../http/errors';
import { assertUuid, type Queryable } from '../ledger/db';

export interface VisitorRecord {
  id: string;
  tenantId: string;
  anonymousId: string;
  externalUserId: string | null;
  email: string | null;
  name: string | null;
  createdAt: Date;
  lastSeenAt: Date;
  blockedAt: Date | null;
  blockedReason: string | null;
  /** The visitor's credit account. */
  accountId: string;
}

export interface VisitorRow {
  id: string;
  tenant_id: string;
  anonymous_id: string;
  external_user_id: string | null;
  email: string | null;
  name: string | null;
  created_at: Date;
  last_seen_at: Date;
  blocked_at: Date | null;
  blocked_reason: string | null;
  account_id: string;
}

export const visitorColumns = `v.id, v.tenant_id, v.anonymous_id, v.external_user_id, v.email, v.name, v.created_at,
  v.last_seen_at, v.blocked_at, v.blocked_reason, a.id AS account_id`;

export const toVisitor = (r: VisitorRow): VisitorRecord => ({
  id: r.id,
  tenantId: r.tenant_id,
  anonymousId: r.anonymous_id,
  externalUserId: r.external_user_id,
  email: r.email,
  name: r.name,
  createdAt: r.created_at,
  lastSeenAt: r.last_seen_at,
  blockedAt: r.blocked_at,
  blockedReason: r.blocked_reason,
  accountId: r.account_id,
});

export interface NewVisitor {
  tenantId: string;
  externalUserId?: string;
  email?: string;
  name?: string;
  /** Defaults to a random id. */
  anonymousId?: string;
  now?: Date;
}

/**
 * Creates a visitor with its credit account, in one statement (a trigger opens the account, and
 * the tenant's system accounts with its first visitor). `conflict` if the external id is taken.
 */
export async function createVisitor(o: NewVisitor & { db: Queryable }): Promise<VisitorRecord> {
  const now = o.now ?? new Date();
  try {
    const { rows } = await o.db.query<{ id: string }>(
      `INSERT INTO visitors (tenant_id, anonymous_id, external_user_id, email, name, created_at, last_seen_at)
       VALUES ($1, coalesce($2::uuid, gen_random_uuid()), $3, $4, $5, $6, $6)
       RETURNING id`,
      [o.tenantId, o.anonymousId ?? null, o.externalUserId ?? null, o.email ?? null, o.name ?? null, now],
    );
    // The trigger's account is not visible to the statement that fired it; read it now.
    return await findVisitor({ db: o.db, tenantId: o.tenantId, visitorId: rows[0]!.id });
  } catch (err) {
    if ((err as { code?: string }).code === '23505') throw new AppError('conflict', 'A visitor with this external user id already exists');
    throw err;
  }
}

export async function findVisitor({ db, tenantId, visitorId }: { db: Queryable; tenantId: string; visitorId: string }): Promise<VisitorRecord> {
  assertUuid('visitor', visitorId);
  const { rows } = await db.query<VisitorRow>(
    `SELECT ${visitorColumns} FROM visitors v JOIN ledger_accounts a ON a.visitor_id = v.id AND a.tenant_id = v.tenant_id
      WHERE v.tenant_id = $1 AND v.id = $2`,
    [tenantId, visitorId],
  );
  if (!rows[0]) throw notFound('visitor');
  return toVisitor(rows[0]);
}

export async function findVisitorByExternalId({ db, tenantId, externalUserId }: { db: Queryable; tenantId: string; externalUserId: string }): Promise<VisitorRecord> {
  const { rows } = await db.query<VisitorRow>(
    `SELECT ${visitorColumns} FROM visitors v JOIN ledger_accounts a ON a.visitor_id = v.id AND a.tenant_id = v.tenant_id
      WHERE v.tenant_id = $1 AND v.external_user_id = $2`,
    [tenantId, externalUserId],
  );
  if (!rows[0]) throw notFound('visitor');
  return toVisitor(rows[0]);
}

/**
 * The identified visitor for a tenant's user id, created if new (the secret-key API grants to
 * users the tenant knows by its own ids). Email and name, when given, refresh the stored ones.
 */
export async function upsertVisitorByExternalId(o: { db: Queryable; tenantId: string; externalUserId: string; email?: string; name?: string; now: Date }): Promise<VisitorRecord> {
  await o.db.query(
    `INSERT INTO visitors (tenant_id, external_user_id, email, name, created_at, last_seen_at)
     VALUES ($1, $2, $3, $4, $5, $5)
     ON CONFLICT (tenant_id, external_user_id) DO UPDATE
       SET email = coalesce(EXCLUDED.email, visitors.email), name = coalesce(EXCLUDED.name, visitors.name)
       WHERE EXCLUDED.email IS NOT NULL OR EXCLUDED.name IS NOT NULL`,
    [o.tenantId, o.externalUserId, o.email ?? null, o.name ?? null, o.now],
  );
  return findVisitorByExternalId(o);
}
