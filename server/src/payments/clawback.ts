import type { PoolClient } from 'pg';
import { RetryTransaction, toAmount } from '../ledger/db';
import { insertTransaction, lockVisitorAccount, systemAccountId } from '../ledger/postings';
import type { LedgerActor } from '../ledger/types';

/**
 * Takes back up to `amount` millicredits of one grant (a purchase's), in the caller's transaction.
 *
 * What the grant still has, and the visitor can give up without touching credits reserved for a
 * reply in flight, goes visitor -> sales. The rest (credits already spent) is the shortfall: the
 * sale is reversed in full all the same (sales +amount) and the shortfall is booked as owed
 * (uncollected -shortfall), so every transaction still sums to zero, and the visitor holding the
 * grant is blocked until someone settles or adjusts it.
 *
 * A grant moved by an identity merge (transfer) is followed to where it lives now. Lock order is
 * the ledger's: the visitor account, then the grant. Idempotent by key: a repeat returns the first
 * result and moves nothing.
 *
 * Written here because the ledger has no clawback yet; it only uses the ledger's own statements.
 */
export interface ClawbackOptions {
  tenantId: string;
  grantId: string;
  /** Millicredits to take back, > 0. */
  amount: number;
  idempotencyKey: string;
  reason: string;
  actor: LedgerActor;
  metadata?: Record<string, unknown>;
  now: Date;
}

export interface ClawbackResult {
  /** Taken from the grant (left the visitor's balance). */
  taken: number;
  /** Booked to the uncollected account; the visitor is blocked when > 0. */
  uncollected: number;
  /** The visitor whose account held the grant. */
  visitorId: string;
  replayed: boolean;
}

interface LiveGrant {
  id: string;
  visitor_id: string;
}

/** The grant itself or, if it was transferred, its newest copy (a chain: one copy per transfer). */
async function findLiveGrant(client: PoolClient, tenantId: string, grantId: string): Promise<LiveGrant> {
  const { rows } = await client.query<LiveGrant>(
    `WITH RECURSIVE chain AS (
       SELECT g.id, g.account_id, 0 AS depth FROM grants g WHERE g.tenant_id = $1 AND g.id = $2
       UNION ALL
       SELECT c.id, c.account_id, chain.depth + 1 FROM grants c JOIN chain ON c.transferred_from = chain.id
     )
     SELECT chain.id, a.visitor_id FROM chain JOIN ledger_accounts a ON a.id = chain.account_id
      ORDER BY chain.depth DESC LIMIT 1`,
    [tenantId, grantId],
  );
  if (!rows[0]) throw new Error(`payments: grant ${grantId} of tenant ${tenantId} does not exist`);
  return rows[0];
}

async function findReplay(client: PoolClient, o: ClawbackOptions): Promise<ClawbackResult | undefined> {
  const { rows } = await client.query<{ metadata: { taken?: number; uncollected?: number; visitorId?: string } }>(
    'SELECT metadata FROM ledger_transactions WHERE tenant_id = $1 AND idempotency_key = $2',
    [o.tenantId, o.idempotencyKey],
  );
  const m = rows[0]?.metadata;
  if (!m) return undefined;
  return { taken: m.taken ?? 0, uncollected: m.uncollected ?? 0, visitorId: m.visitorId ?? '', replayed: true };
}

export async function clawbackGrantInTransaction(client: PoolClient, o: ClawbackOptions): Promise<ClawbackResult> {
  if (!Number.isSafeInteger(o.amount) || o.amount <= 0) throw new Error(`payments: clawback amount ${o.amount} must be a positive integer`);
  const replay = await findReplay(client, o);
  if (replay) return replay;
  const [salesId, uncollectedId] = await Promise.all([
    systemAccountId(client, o.tenantId, 'sales'),
    systemAccountId(client, o.tenantId, 'uncollected'),
  ]);
  const live = await findLiveGrant(client, o.tenantId, o.grantId);
  const account = await lockVisitorAccount(client, o.tenantId, live.visitor_id);
  const { rows } = await client.query<{ remaining: string; held: string; moved: boolean }>(
    `SELECT g.remaining, g.held, EXISTS (SELECT 1 FROM grants c WHERE c.transferred_from = g.id) AS moved
       FROM grants g WHERE g.id = $1 AND g.account_id = $2 FOR UPDATE`,
    [live.id, account.id],
  );
  // Transferred between finding it and locking its account: find it again from the start.
  if (!rows[0] || rows[0].moved) throw new RetryTransaction('the grant moved while its clawback waited for the lock');
  // Credits of this grant that a reply in flight has reserved (`held`) stay put: the turn will
  // spend them. Only the unheld part can be taken now; the rest is owed like any shortfall.
  const unheld = toAmount(rows[0].remaining) - toAmount(rows[0].held);
  const taken = Math.min(o.amount, unheld, Math.max(account.balance - account.reserved, 0));
  const uncollected = o.amount - taken;

  const transactionId = await insertTransaction(client, {
    tenantId: o.tenantId, kind: 'clawback', idempotencyKey: o.idempotencyKey, reason: o.reason, actor: o.actor,
    metadata: { ...o.metadata, grantId: o.grantId, fromGrantId: live.id, visitorId: live.visitor_id, taken, uncollected }, now: o.now,
  });
  if (taken > 0) {
    await client.query('UPDATE grants SET remaining = remaining - $2 WHERE id = $1', [live.id, taken]);
    const { rows: after } = await client.query<{ balance: string }>(
      'UPDATE ledger_accounts SET balance = balance - $2 WHERE id = $1 RETURNING balance',
      [account.id, taken],
    );
    await client.query(
      `INSERT INTO ledger_entries (tenant_id, transaction_id, account_id, amount, balance_after)
       VALUES ($1, $2, $3, $4, $5), ($1, $2, $6, $7, NULL)`,
      [o.tenantId, transactionId, account.id, -taken, toAmount(after[0]?.balance), salesId, taken],
    );
  }
  if (uncollected > 0) {
    await client.query(
      `INSERT INTO ledger_entries (tenant_id, transaction_id, account_id, amount, balance_after)
       VALUES ($1, $2, $3, $4, NULL), ($1, $2, $5, $6, NULL)`,
      [o.tenantId, transactionId, salesId, uncollected, uncollectedId, -uncollected],
    );
    await client.query(
      `UPDATE visitors SET blocked_at = coalesce(blocked_at, $3),
              blocked_reason = coalesce(blocked_reason, $4)
        WHERE tenant_id = $1 AND id = $2`,
      [o.tenantId, live.visitor_id, o.now, `Owes ${uncollected} millicredits after a refunded or disputed purchase`],
    );
  }
  return { taken, uncollected, visitorId: live.visitor_id, replayed: false };
}
