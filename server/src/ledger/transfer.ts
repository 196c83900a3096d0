import type { Pool, PoolClient } from 'pg';
import { AppError } from '../http/errors';
import { assertText, toAmount, withTransaction } from './db';
import { assertSameRequest, fingerprint } from './idempotency';
import { insertTransaction, lockVisitorAccounts, type LockedAccount } from './postings';
import type { LedgerActor } from './types';

export interface TransferOptions {
  db: Pool;
  tenantId: string;
  fromVisitorId: string;
  toVisitorId: string;
  idempotencyKey: string;
  actor: LedgerActor;
  reason?: string;
  now: Date;
}

export interface TransferResult {
  transactionId: string;
  /** Millicredits moved (every live grant's remaining amount). */
  moved: number;
  /** Millicredits of the source that had already expired, booked to `expired` instead of moved. */
  expired: number;
  /** Balances right after the transfer. */
  fromBalance: number;
  toBalance: number;
  replayed: boolean;
}

/**
 * Moves everything a visitor has onto another visitor of the same tenant (an anonymous visitor
 * being identified), grant by grant so each keeps its expiry, source, priority and age.
 *
 * Refused with `holds_pending` while the source has a turn in flight: its holds name the source
 * account, and settling them after the move would charge an empty account. Retry after the turn.
 */
export async function transfer(o: TransferOptions): Promise<TransferResult> {
  if (o.fromVisitorId === o.toVisitorId) throw new AppError('validation_failed', 'A transfer needs two different visitors');
  assertText('idempotencyKey', o.idempotencyKey, { max: 300 });
  assertText('reason', o.reason, { min: 0, max: 500 });
  return withTransaction(o.db, async (client) => {
    const hash = fingerprint('transfer', { from: o.fromVisitorId, to: o.toVisitorId });
    const replay = await findTransfer(client, o, hash);
    if (replay) return replay;
    const accounts = await lockVisitorAccounts(client, o.tenantId, [o.fromVisitorId, o.toVisitorId]);
    const from = accounts.find((a) => a.visitorId === o.fromVisitorId)!;
    const to = accounts.find((a) => a.visitorId === o.toVisitorId)!;
    if (from.reserved > 0) {
      throw new AppError('holds_pending', 'The visitor has a reply in progress; transfer once it has finished', { reserved: from.reserved });
    }
    // With nothing reserved, everything past its expiry can be booked as expired right away.
    const expired = await expireAll(client, from.id, o.now);
    const transactionId = await insertTransaction(client, {
      tenantId: o.tenantId, kind: 'transfer', idempotencyKey: o.idempotencyKey, fingerprint: hash, reason: o.reason,
      actor: o.actor, metadata: { fromVisitorId: o.fromVisitorId, toVisitorId: o.toVisitorId, expired }, now: o.now,
    });
    const moved = await moveGrants(client, { tenantId: o.tenantId, from, to, now: o.now });
    const balances = moved > 0 ? await postTransfer(client, { tenantId: o.tenantId, transactionId, from, to, amount: moved }) : undefined;
    return {
      transactionId, moved, expired, replayed: false,
      fromBalance: balances?.from ?? from.balance - expired,
      toBalance: balances?.to ?? to.balance,
    };
  });
}

async function expireAll(client: PoolClient, accountId: string, now: Date): Promise<number> {
  const { rows } = await client.query<{ n: string }>('SELECT parley_expire_account($1, $2) AS n', [accountId, now]);
  return toAmount(rows[0]?.n);
}

/** Closes each live grant of the source and opens its copy on the target; returns the total. */
async function moveGrants(client: PoolClient, o: { tenantId: string; from: LockedAccount; to: LockedAccount; now: Date }): Promise<number> {
  const { rows } = await client.query<{ total: string }>(
    `WITH moving AS (
       SELECT id, source, remaining, expires_at, priority, issued_at FROM grants WHERE account_id = $2 AND live
     ), closed AS (
       UPDATE grants g SET remaining = 0 FROM moving WHERE g.id = moving.id RETURNING g.id
     ), copied AS (
       INSERT INTO grants (tenant_id, account_id, source, amount, remaining, expires_at, priority, issued_at, transferred_from, created_at)
       SELECT $1, $3, source, remaining, remaining, expires_at, priority, issued_at, id, $4 FROM moving
       RETURNING amount
     )
     SELECT coalesce(sum(amount), 0) AS total, (SELECT count(*) FROM closed) AS closed FROM copied`,
    [o.tenantId, o.from.id, o.to.id, o.now],
  );
  return toAmount(rows[0]?.total);
}

async function postTransfer(client: PoolClient, o: { tenantId: string; transactionId: string; from: LockedAccount; to: LockedAccount; amount: number }) {
  const { rows } = await client.query<{ id: string; balance: string }>(
    `UPDATE ledger_accounts SET balance = balance + CASE WHEN id = $1 THEN -$3::bigint ELSE $3::bigint END
      WHERE id IN ($1, $2) RETURNING id, balance`,
    [o.from.id, o.to.id, o.amount],
  );
  const after = new Map(rows.map((r) => [r.id, toAmount(r.balance)]));
  const from = after.get(o.from.id)!;
  const to = after.get(o.to.id)!;
  if (from !== 0) throw new Error(`ledger: transfer left ${from} on account ${o.from.id}; its grants and balance disagree`);
  await client.query(
    `INSERT INTO ledger_entries (tenant_id, transaction_id, account_id, amount, balance_after)
     VALUES ($1, $2, $3, $4, $5), ($1, $2, $6, $7, $8)`,
    [o.tenantId, o.transactionId, o.from.id, -o.amount, from, o.to.id, o.amount, to],
  );
  return { from, to };
}

interface TransferRow {
  id: string;
  request_fingerprint: string | null;
  metadata: { expired?: number };
  moved: string | null;
  from_balance: string | null;
  to_balance: string | null;
}

async function findTransfer(client: PoolClient, o: TransferOptions, hash: string): Promise<TransferResult | undefined> {
  const { rows } = await client.query<TransferRow>(
    `SELECT t.id, t.request_fingerprint, t.metadata,
            (SELECT e.amount FROM ledger_entries e WHERE e.transaction_id = t.id AND e.amount > 0) AS moved,
            (SELECT e.balance_after FROM ledger_entries e WHERE e.transaction_id = t.id AND e.amount < 0) AS from_balance,
            (SELECT e.balance_after FROM ledger_entries e WHERE e.transaction_id = t.id AND e.amount > 0) AS to_balance
       FROM ledger_transactions t WHERE t.tenant_id = $1 AND t.idempotency_key = $2`,
    [o.tenantId, o.idempotencyKey],
  );
  const row = rows[0];
  if (!row) return undefined;
  assertSameRequest(row.request_fingerprint, hash);
  return {
    transactionId: row.id,
    moved: toAmount(row.moved ?? 0),
    expired: toAmount(row.metadata.expired ?? 0),
    fromBalance: toAmount(row.from_balance ?? 0),
    toBalance: toAmount(row.to_balance ?? 0),
    replayed: true,
  };
}
