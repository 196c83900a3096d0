import type { PoolClient } from 'pg';
import { AppError, notFound } from '../http/errors';
import { assertSameRequest } from './idempotency';
import { RetryTransaction, toAmount, type Queryable } from './db';
import type { LedgerActor, Posting, SystemAccountKind } from './types';

/**
 * Statements shared by the multi-statement operations (grant, adjust, transfer). Each runs on a
 * client inside `withTransaction`; the account lock is always taken before any grant is touched.
 */

export interface LockedAccount {
  id: string;
  visitorId: string;
  balance: number;
  reserved: number;
}

interface AccountRow {
  id: string;
  visitor_id: string;
  balance: string;
  reserved: string;
}

const lockedAccount = (row: AccountRow): LockedAccount => ({
  id: row.id,
  visitorId: row.visitor_id,
  balance: toAmount(row.balance),
  reserved: toAmount(row.reserved),
});

/** Locks visitors' accounts in id order (the ledger's one lock order); 404 if any is missing. */
export async function lockVisitorAccounts(client: PoolClient, tenantId: string, visitorIds: string[]): Promise<LockedAccount[]> {
  const { rows } = await client.query<AccountRow>(
    `SELECT id, visitor_id, balance, reserved FROM ledger_accounts
      WHERE tenant_id = $1 AND visitor_id = ANY($2::uuid[]) ORDER BY id FOR NO KEY UPDATE`,
    [tenantId, visitorIds],
  );
  if (rows.length !== new Set(visitorIds).size) throw notFound('visitor');
  return rows.map(lockedAccount);
}

export async function lockVisitorAccount(client: PoolClient, tenantId: string, visitorId: string): Promise<LockedAccount> {
  const [account] = await lockVisitorAccounts(client, tenantId, [visitorId]);
  return account!;
}

export async function systemAccountId(db: Queryable, tenantId: string, kind: SystemAccountKind): Promise<string> {
  const { rows } = await db.query<{ id: string }>('SELECT id FROM ledger_accounts WHERE tenant_id = $1 AND kind = $2', [tenantId, kind]);
  if (!rows[0]) throw new Error(`ledger: tenant ${tenantId} has no ${kind} account (create visitors through createVisitor)`);
  return rows[0].id;
}

export async function expiredRemaining(db: Queryable, accountId: string, now: Date): Promise<number> {
  const { rows } = await db.query<{ n: string }>('SELECT parley_expired_remaining($1, $2) AS n', [accountId, now]);
  return toAmount(rows[0]?.n);
}

export interface NewTransaction {
  tenantId: string;
  kind: 'grant' | 'adjustment' | 'transfer' | 'clawback';
  idempotencyKey?: string;
  fingerprint?: string;
  reason?: string;
  actor: LedgerActor;
  grantId?: string;
  metadata?: Record<string, unknown>;
  now: Date;
}

/** Inserts the transaction row; a key taken since we looked means "start again" (and replay). */
export async function insertTransaction(client: PoolClient, t: NewTransaction): Promise<string> {
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO ledger_transactions
       (tenant_id, kind, idempotency_key, request_fingerprint, reason, actor_type, actor_id, grant_id, metadata, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
     RETURNING id`,
    [
      t.tenantId, t.kind, t.idempotencyKey ?? null, t.idempotencyKey ? (t.fingerprint ?? null) : null, t.reason ?? null,
      t.actor.type, t.actor.id, t.grantId ?? null, JSON.stringify(t.metadata ?? {}), t.now,
    ],
  );
  if (!rows[0]) throw new RetryTransaction('idempotency key taken concurrently');
  return rows[0].id;
}

/** Moves `amount` (signed, from the visitor's point of view) between a visitor and another account. */
export async function postVisitorMovement(client: PoolClient, o: {
  tenantId: string;
  transactionId: string;
  account: LockedAccount;
  counterAccountId: string;
  amount: number;
}): Promise<number> {
  const { rows } = await client.query<{ balance: string }>(
    'UPDATE ledger_accounts SET balance = balance + $2 WHERE id = $1 RETURNING balance',
    [o.account.id, o.amount],
  );
  const balanceAfter = toAmount(rows[0]?.balance);
  await client.query(
    `INSERT INTO ledger_entries (tenant_id, transaction_id, account_id, amount, balance_after)
     VALUES ($1, $2, $3, $4, $5), ($1, $2, $6, $7, NULL)`,
    [o.tenantId, o.transactionId, o.account.id, o.amount, balanceAfter, o.counterAccountId, -o.amount],
  );
  return balanceAfter;
}

interface PostingRow {
  id: string;
  request_fingerprint: string | null;
  grant_id: string | null;
  created_at: Date;
  amount: string | null;
  balance_after: string | null;
  visitor_id: string | null;
}

// The first visitor entry (grants and adjustments have exactly one; a transfer's key is checked by
// its fingerprint before this posting is ever used).
const postingSelect = `
  SELECT t.id, t.request_fingerprint, t.grant_id, t.created_at, e.amount, e.balance_after, a.visitor_id
    FROM ledger_transactions t
    LEFT JOIN LATERAL (
      SELECT x.account_id, x.amount, x.balance_after FROM ledger_entries x
       WHERE x.transaction_id = t.id AND x.balance_after IS NOT NULL ORDER BY x.id LIMIT 1
    ) e ON true
    LEFT JOIN ledger_accounts a ON a.id = e.account_id`;

export interface StoredPosting {
  /** Undefined for a transaction without a visitor entry (a transfer that moved nothing). */
  posting?: Posting;
  fingerprint: string | null;
}

const stored = (row: PostingRow): StoredPosting => ({
  fingerprint: row.request_fingerprint,
  posting: row.visitor_id
    ? {
        transactionId: row.id,
        visitorId: row.visitor_id,
        amount: toAmount(row.amount),
        balanceAfter: toAmount(row.balance_after),
        grantId: row.grant_id,
        createdAt: row.created_at,
        replayed: true,
      }
    : undefined,
});

/** What an idempotency key already did, if anything. */
export async function findPostingByKey(db: Queryable, tenantId: string, key: string): Promise<StoredPosting | undefined> {
  const { rows } = await db.query<PostingRow>(`${postingSelect} WHERE t.tenant_id = $1 AND t.idempotency_key = $2`, [tenantId, key]);
  return rows[0] ? stored(rows[0]) : undefined;
}

/** A stored posting for a replay, after checking the key was used for this very request. */
export function replayOf(found: StoredPosting, hash: string): Posting {
  assertSameRequest(found.fingerprint, hash);
  if (!found.posting) throw new AppError('idempotency_conflict', 'This Idempotency-Key was already used for a different request');
  return found.posting;
}

/** The grant posting an external reference (a payment id) already made. */
export async function findPostingByExternalRef(db: Queryable, tenantId: string, ref: string): Promise<StoredPosting | undefined> {
  const { rows } = await db.query<PostingRow>(
    `${postingSelect} JOIN grants g ON g.id = t.grant_id WHERE g.tenant_id = $1 AND g.external_ref = $2`,
    [tenantId, ref],
  );
  return rows[0] ? stored(rows[0]) : undefined;
}

export async function burnFreeCredits(client: PoolClient, accountId: string, amount: number, now: Date): Promise<void> {
  await client.query('SELECT parley_burn_free($1, $2, $3)', [accountId, amount, now]);
}
