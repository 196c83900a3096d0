import type { Pool } from 'pg';
import { AppError, notFound } from '../http/errors';
import { assertSafeAmount, assertUuid, maxMovement, toAmount, toNullableAmount } from './db';
import { ledgerBatcher } from './batcher';
import type { BalanceFigures } from './types';

/**
 * The turn's hot path: reserve, settle and release are one round trip each, a call to a SQL
 * function (see the ledger migration) through a named statement, so PostgreSQL parses and plans it
 * once per connection. The account row stays locked only inside that one call. Under load, calls
 * that arrive while others are in flight share one round trip and one commit (batcher.ts), each
 * still answered exactly as its own call would have been.
 */

export type HoldStatus = 'pending' | 'posted' | 'voided';

export interface ReserveOptions {
  db: Pool;
  tenantId: string;
  visitorId: string;
  /** Millicredits the turn cannot go without (a minimal reply); refused below this. */
  min: number;
  /** Millicredits of the worst case; the hold is LEAST(max, available). */
  max: number;
  /** When the sweeper may void the hold if it was never settled (a server died mid-turn). */
  expiresAt: Date;
  /** Same key, same hold: a retried turn never reserves twice. Unique per tenant. */
  idempotencyKey: string;
  /** The price the hold was sized with, kept on the hold. */
  price: object;
  now: Date;
}

export type ReserveResult =
  | { ok: true; hold: { id: string; amount: number; status: HoldStatus } }
  | { ok: false; available: number };

interface ReserveRow {
  o_outcome: 'ok' | 'insufficient' | 'not_found' | 'key_conflict';
  o_hold_id: string | null;
  o_amount: string | null;
  o_status: HoldStatus | null;
  o_available: string | null;
}

export async function reserve(o: ReserveOptions): Promise<ReserveResult> {
  assertSafeAmount('min', o.min, { min: 1, max: maxMovement });
  assertSafeAmount('max', o.max, { min: o.min, max: maxMovement });
  if (o.expiresAt.getTime() <= o.now.getTime()) throw new AppError('validation_failed', 'A hold must expire after now');
  assertUuid('visitor', o.visitorId);
  if (!o.idempotencyKey || o.idempotencyKey.length > 300) throw new AppError('validation_failed', 'An idempotency key of 1 to 300 characters is required');
  const row = (await ledgerBatcher(o.db).run({
    op: 'reserve', tenant: o.tenantId, visitor: o.visitorId, min: o.min, max: o.max, expires: o.expiresAt,
    key: o.idempotencyKey, price: o.price, now: o.now,
  })) as ReserveRow;
  switch (row.o_outcome) {
    case 'ok':
      return { ok: true, hold: { id: row.o_hold_id!, amount: toAmount(row.o_amount), status: row.o_status! } };
    case 'insufficient':
      return { ok: false, available: toAmount(row.o_available) };
    case 'key_conflict':
      throw new AppError('idempotency_conflict', 'This idempotency key already holds credits for another visitor');
    default:
      throw notFound('visitor');
  }
}

export interface SettleResult extends BalanceFigures {
  /** Millicredits charged: LEAST(amount asked, amount held). */
  charged: number;
  /** True when the hold had already been settled: `charged` is that first charge, the balances are current. */
  replayed: boolean;
}

interface BalanceRow {
  o_outcome: string;
  o_balance: string | null;
  o_reserved: string | null;
  o_available: string | null;
}

const figures = (row: BalanceRow): BalanceFigures => ({
  balance: toAmount(row.o_balance),
  reserved: toAmount(row.o_reserved),
  available: toAmount(row.o_available),
});

/** Charges a turn's actual cost, capped by its hold, burning grants in order; frees the rest of the hold. */
export async function settle(o: { db: Pool; tenantId: string; holdId: string; amount: number; now: Date }): Promise<SettleResult> {
  assertSafeAmount('amount', o.amount, { min: 0, max: maxMovement });
  assertUuid('hold', o.holdId);
  const row = (await ledgerBatcher(o.db).run({ op: 'settle', tenant: o.tenantId, hold: o.holdId, amount: o.amount, now: o.now })) as
    BalanceRow & { o_charged: string | null };
  if (row.o_outcome === 'not_found') throw notFound('hold');
  if (row.o_outcome === 'voided') {
    throw new AppError('hold_voided', 'This hold was released (or expired and swept) and can no longer be charged');
  }
  return { charged: toNullableAmount(row.o_charged) ?? 0, ...figures(row), replayed: row.o_outcome === 'replayed' };
}

export interface ReleaseResult extends BalanceFigures {
  replayed: boolean;
}

/** Voids a pending hold (the reply failed): nothing is charged. Releasing twice is harmless. */
export async function release(o: { db: Pool; tenantId: string; holdId: string; now: Date }): Promise<ReleaseResult> {
  assertUuid('hold', o.holdId);
  const row = (await ledgerBatcher(o.db).run({ op: 'release', tenant: o.tenantId, hold: o.holdId, now: o.now })) as BalanceRow;
  if (row.o_outcome === 'not_found') throw notFound('hold');
  if (row.o_outcome === 'posted') throw new AppError('hold_settled', 'This hold was already settled; it cannot be released');
  return { ...figures(row), replayed: row.o_outcome === 'replayed' };
}
