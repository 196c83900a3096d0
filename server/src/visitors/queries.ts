import { AppError } from '../http/errors';
import { getBalance, type Balance } from '../ledger/balance';
import { toAmount, type Queryable } from '../ledger/db';
import { findVisitor, toVisitor, visitorColumns, type VisitorRecord, type VisitorRow } from './service';

/** Dashboard reads: visitors with their balances, and one visitor's grants and holds. */

export interface VisitorSummary extends VisitorRecord {
  balance: number;
  reserved: number;
  available: number;
}

type SummaryRow = VisitorRow & { balance: string; reserved: string; expired: string };

interface Cursor {
  createdAt: string;
  id: string;
}

const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify([c.createdAt, c.id])).toString('base64url');

function decodeCursor(cursor: string): Cursor {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof createdAt === 'string' && !Number.isNaN(Date.parse(createdAt)) && typeof id === 'string' && /^[0-9a-f-]{36}$/i.test(id)) {
      return { createdAt, id };
    }
  } catch {
    // falls through to the error below
  }
  throw new AppError('validation_failed', 'cursor must be a value from nextCursor');
}

/** `%` and `_` typed by a user are literal characters, not wildcards. */
const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Newest first, keyset-paginated on (created_at, id); `q` searches email, name and external id. */
export async function listVisitors(o: { db: Queryable; tenantId: string; q?: string; cursor?: string; limit: number; now: Date }): Promise<{ data: VisitorSummary[]; nextCursor: string | null }> {
  const after = o.cursor ? decodeCursor(o.cursor) : undefined;
  const { rows } = await o.db.query<SummaryRow>(
    `SELECT ${visitorColumns}, a.balance, a.reserved, parley_expired_remaining(a.id, $6) AS expired
       FROM visitors v JOIN ledger_accounts a ON a.visitor_id = v.id AND a.tenant_id = v.tenant_id
      WHERE v.tenant_id = $1
        AND ($2::text IS NULL OR v.email ILIKE $2 OR v.name ILIKE $2 OR v.external_user_id ILIKE $2 OR v.id::text = $7)
        AND ($3::timestamptz IS NULL OR (v.created_at, v.id) < ($3::timestamptz, $4::uuid))
      ORDER BY v.created_at DESC, v.id DESC
      LIMIT $5`,
    [o.tenantId, o.q ? likePattern(o.q) : null, after?.createdAt ?? null, after?.id ?? null, o.limit + 1, o.now, o.q?.toLowerCase() ?? null],
  );
  const data = rows.slice(0, o.limit).map((r) => {
    const balance = toAmount(r.balance);
    const reserved = toAmount(r.reserved);
    return { ...toVisitor(r), balance, reserved, available: Math.max(balance - reserved - toAmount(r.expired), 0) };
  });
  const last = data[data.length - 1];
  return { data, nextCursor: rows.length > o.limit && last ? encodeCursor({ createdAt: last.createdAt.toISOString(), id: last.id }) : null };
}

export interface GrantView {
  id: string;
  source: string;
  amount: number;
  remaining: number;
  expiresAt: Date | null;
  /** Past its expiry, waiting for the expiry job (not spendable any more). */
  expired: boolean;
  externalRef: string | null;
  createdAt: Date;
}

export interface HoldView {
  id: string;
  amount: number;
  expiresAt: Date;
  createdAt: Date;
  price: Record<string, unknown>;
}

export interface VisitorDetail {
  visitor: VisitorRecord;
  balance: Balance;
  /** Grants with something left, in burn order. */
  grants: GrantView[];
  /** Pending holds: turns in flight. */
  holds: HoldView[];
}

export async function visitorDetail(o: { db: Queryable; tenantId: string; visitorId: string; now: Date }): Promise<VisitorDetail> {
  const visitor = await findVisitor(o);
  const balance = await getBalance(o);
  const grants = await o.db.query<{ id: string; source: string; amount: string; remaining: string; expires_at: Date | null; external_ref: string | null; created_at: Date }>(
    `SELECT id, source, amount, remaining, expires_at, external_ref, created_at FROM grants
      WHERE account_id = $1 AND live
      ORDER BY (expires_at <= $2) IS TRUE, expires_at NULLS LAST, priority, issued_at, id`,
    [visitor.accountId, o.now],
  );
  const holds = await o.db.query<{ id: string; amount: string; expires_at: Date; created_at: Date; price: Record<string, unknown> }>(
    `SELECT id, amount, expires_at, created_at, price FROM holds WHERE account_id = $1 AND status = 'pending' ORDER BY created_at`,
    [visitor.accountId],
  );
  return {
    visitor,
    balance,
    grants: grants.rows.map((g) => ({
      id: g.id, source: g.source, amount: toAmount(g.amount), remaining: toAmount(g.remaining), expiresAt: g.expires_at,
      expired: g.expires_at !== null && g.expires_at <= o.now, externalRef: g.external_ref, createdAt: g.created_at,
    })),
    holds: holds.rows.map((h) => ({ id: h.id, amount: toAmount(h.amount), expiresAt: h.expires_at, createdAt: h.created_at, price: h.price })),
  };
}
