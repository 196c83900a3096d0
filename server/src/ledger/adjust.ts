import type { Pool, PoolClient } from 'pg';
import { AppError } from '../http/errors';
import { assertSafeAmount, assertText, maxMovement, withTransaction } from './db';
import { grantInTransaction } from './grant';
import { fingerprint } from './idempotency';
import {
  burnFreeCredits, expiredRemaining, findPostingByKey, insertTransaction, lockVisitorAccount, postVisitorMovement, replayOf,
  systemAccountId,
} from './postings';
import type { LedgerActor, Posting } from './types';

export interface AdjustOptions {
  db: Pool;
  tenantId: string;
  visitorId: string;
  /** Millicredits, signed, never 0: positive gives a grant, negative takes credits back. */
  amount: number;
  /** Required: every manual correction says why. */
  reason: string;
  actor: LedgerActor;
  /** For a positive adjustment: when the credits expire (default: never). */
  expiresAt?: Date | null;
  idempotencyKey?: string;
  metadata?: Record<string, unknown>;
  now: Date;
}

/**
 * A manual correction against the tenant's adjustments account. A negative one burns grants as
 * spending does and may take at most what is available (never what is reserved for a turn in
 * flight, never below zero): otherwise `insufficient_credits` with the available amount.
 */
export async function adjust(o: AdjustOptions): Promise<Posting> {
  assertSafeAmount('amount', Math.abs(o.amount), { min: 1, max: maxMovement });
  const reason = o.reason?.trim();
  assertText('reason', reason, { min: 0, max: 500 });
  assertText('idempotencyKey', o.idempotencyKey, { max: 300 });
  if (!reason) throw new AppError('validation_failed', 'An adjustment needs a reason', { fields: [{ in: 'payload', path: 'reason', message: 'required' }] });
  if (o.amount > 0) {
    return withTransaction(o.db, (client) =>
      grantInTransaction(client, { ...o, reason, source: 'adjustment', expiresAt: o.expiresAt ?? null }, 'adjustment'),
    );
  }
  return withTransaction(o.db, (client) => debitInTransaction(client, { ...o, reason }));
}

async function debitInTransaction(client: PoolClient, o: AdjustOptions): Promise<Posting> {
  const take = -o.amount;
  const hash = fingerprint('adjustment', { visitorId: o.visitorId, amount: o.amount, reason: o.reason });
  if (o.idempotencyKey) {
    const found = await findPostingByKey(client, o.tenantId, o.idempotencyKey);
    if (found) return replayOf(found, hash);
  }
  const counterId = await systemAccountId(client, o.tenantId, 'adjustments');
  const account = await lockVisitorAccount(client, o.tenantId, o.visitorId);
  const available = account.balance - account.reserved - (await expiredRemaining(client, account.id, o.now));
  if (take > available) {
    throw new AppError('insufficient_credits', 'The adjustment would take more than the visitor has available', {
      available: Math.max(available, 0),
      requested: take,
    });
  }
  const transactionId = await insertTransaction(client, {
    tenantId: o.tenantId, kind: 'adjustment', idempotencyKey: o.idempotencyKey, fingerprint: hash, reason: o.reason,
    actor: o.actor, metadata: o.metadata, now: o.now,
  });
  await burnFreeCredits(client, account.id, take, o.now);
  const balanceAfter = await postVisitorMovement(client, {
    tenantId: o.tenantId, transactionId, account, counterAccountId: counterId, amount: -take,
  });
  return { transactionId, visitorId: o.visitorId, amount: -take, balanceAfter, grantId: null, createdAt: o.now, replayed: false };
}
