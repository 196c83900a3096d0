import { AppError, notFound } from '../http/errors';
import { assertUuid, toAmount, type Queryable } from './db';
import type { BalanceFigures } from './types';

export interface Balance extends BalanceFigures {
  /** The soonest future expiry among live grants, and how much expires then. */
  nextExpiry: { at: Date; amount: number } | null;
}

interface BalanceRow {
  balance: string;
  reserved: string;
  expired: string;
  next_at: Date | null;
  next_amount: string | null;
}

/**
 * A visitor's balance. `available` leaves out credits whose grant has expired even if the expiry
 * job has not booked them yet (they are still in `balance` until it does).
 */
export async function getBalance({ db, tenantId, visitorId, now }: { db: Queryable; tenantId: string; visitorId: string; now: Date }): Promise<Balance> {
  assertUuid('visitor', visitorId);
  const { rows } = await db.query<BalanceRow>(
    `SELECT a.balance, a.reserved, parley_expired_remaining(a.id, $3) AS expired, nx.at AS next_at, nx.amount AS next_amount
       FROM ledger_accounts a
       LEFT JOIN LATERAL (
         SELECT g.expires_at AS at, sum(g.remaining) AS amount FROM grants g
          WHERE g.account_id = a.id AND g.live
            AND g.expires_at = (SELECT min(x.expires_at) FROM grants x WHERE x.account_id = a.id AND x.live AND x.expires_at > $3)
          GROUP BY g.expires_at
       ) nx ON true
      WHERE a.tenant_id = $1 AND a.visitor_id = $2`,
    [tenantId, visitorId, now],
  );
  const row = rows[0];
  if (!row) throw notFound('visitor');
  const balance = toAmount(row.balance);
  const reserved = toAmount(row.reserved);
  return {
    balance,
    reserved,
    available: Math.max(balance - reserved - toAmount(row.expired), 0),
    nextExpiry: row.next_at ? { at: row.next_at, amount: toAmount(row.next_amount) } : null,
  };
}

export type TransactionKind = 'grant' | 'usage' | 'expiry' | 'adjustment' | 'transfer' | 'clawback';

export interface StatementLine {
  /** The entry id; also the pagination cursor. */
  id: string;
  transactionId: string;
  kind: TransactionKind;
  /** Signed millicredits. */
  amount: number;
  /** The running balance: the visitor's balance right after this line. */
  balanceAfter: number;
  reason: string | null;
  actor: { type: string; id: string };
  holdId: string | null;
  grantId: string | null;
  metadata: Record<string, unknown>;
  createdAt: Date;
}

interface LineRow {
  id: string;
  transaction_id: string;
  kind: TransactionKind;
  amount: string;
  balance_after: string;
  reason: string | null;
  actor_type: string;
  actor_id: string;
  hold_id: string | null;
  grant_id: string | null;
  metadata: Record<string, unknown>;
  created_at: Date;
}

const line = (r: LineRow): StatementLine => ({
  id: r.id,
  transactionId: r.transaction_id,
  kind: r.kind,
  amount: toAmount(r.amount),
  balanceAfter: toAmount(r.balance_after),
  reason: r.reason,
  actor: { type: r.actor_type, id: r.actor_id },
  holdId: r.hold_id,
  grantId: r.grant_id,
  metadata: r.metadata,
  createdAt: r.created_at,
});

/**
 * A visitor's entries, newest first, with their running balance; keyset pagination on the entry
 * id (pass the previous page's `nextCursor`), so deep pages cost the same as the first.
 */
export async function statement({ db, tenantId, visitorId, cursor, limit }: {
  db: Queryable;
  tenantId: string;
  visitorId: string;
  cursor?: string;
  limit: number;
}): Promise<{ data: StatementLine[]; nextCursor: string | null }> {
  assertUuid('visitor', visitorId);
  if (cursor !== undefined && !/^\d{1,19}$/.test(cursor)) throw new AppError('validation_failed', 'cursor must be a value from nextCursor');
  const account = await db.query<{ id: string }>('SELECT id FROM ledger_accounts WHERE tenant_id = $1 AND visitor_id = $2', [tenantId, visitorId]);
  const accountId = account.rows[0]?.id;
  if (!accountId) throw notFound('visitor');
  const { rows } = await db.query<LineRow>(
    `SELECT e.id, e.transaction_id, t.kind, e.amount, e.balance_after, t.reason, t.actor_type, t.actor_id,
            t.hold_id, t.grant_id, t.metadata, t.created_at
       FROM ledger_entries e JOIN ledger_transactions t ON t.id = e.transaction_id
      WHERE e.account_id = $1 AND ($2::bigint IS NULL OR e.id < $2::bigint)
      ORDER BY e.id DESC LIMIT $3`,
    [accountId, cursor ?? null, limit + 1],
  );
  const page = rows.slice(0, limit).map(line);
  return { data: page, nextCursor: rows.length > limit ? (page[page.length - 1]?.id ?? null) : null };
}
