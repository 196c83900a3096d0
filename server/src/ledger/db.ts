import type { Pool, PoolClient } from 'pg';
import { AppError, notFound } from '../http/errors';

/** Anything that runs a query: the pool, or a client inside a transaction. */
export type Queryable = Pick<Pool, 'query'> | PoolClient;

/**
 * BIGINT and numeric sums arrive from pg as strings. Millicredit amounts are safe integers by
 * construction (every input is bounded); a value that is not is a broken invariant, not a rounding.
 */
export function toAmount(value: string | number | bigint | null | undefined): number {
  const n = typeof value === 'string' ? Number(value) : Number(value ?? 0);
  if (!Number.isSafeInteger(n)) throw new Error(`ledger: ${String(value)} is not a safe integer amount`);
  return n;
}

export const toNullableAmount = (value: string | number | null | undefined): number | null =>
  value === null || value === undefined ? null : toAmount(value);

/** Thrown inside a transaction to roll it back and run it again (a unique key was taken meanwhile). */
export class RetryTransaction extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'RetryTransaction';
  }
}

// Deadlocks cannot happen by construction (fixed lock order); serialization failures only under
// stricter isolation than the default. Both are retried anyway: each attempt is all-or-nothing.
const retryableCodes = new Set(['40001', '40P01']);
const maxAttempts = 4;

function isRetryable(err: unknown): boolean {
  return err instanceof RetryTransaction || retryableCodes.has((err as { code?: string })?.code ?? '');
}

/** Runs `fn` in one READ COMMITTED transaction on one client, retrying when it says so. */
export async function withTransaction<T>(db: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    const client = await db.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      if (!isRetryable(err) || attempt >= maxAttempts) throw mapLedgerError(err);
    } finally {
      client.release();
    }
  }
}

/** The database's own guards (CHECKs, triggers) surfacing: a bug if it ever happens, so loud. */
export function mapLedgerError(err: unknown): unknown {
  if (err instanceof RetryTransaction) return new AppError('unavailable', 'The ledger is busy; try again');
  return err;
}

export function assertSafeAmount(name: string, value: number, { min, max }: { min: number; max: number }): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new AppError('validation_failed', `${name} must be an integer from ${min} to ${max} (millicredits)`, {
      fields: [{ in: 'payload', path: name, message: `an integer from ${min} to ${max}` }],
    });
  }
}

/** Free text the database stores as given (its CHECKs stay small for speed): bounded here. */
export function assertText(name: string, value: string | undefined, { min = 1, max }: { min?: number; max: number }): void {
  if (value === undefined) return;
  if (value.length < min || value.length > max) {
    throw new AppError('validation_failed', `${name} must be ${min} to ${max} characters`, {
      fields: [{ in: 'payload', path: name, message: `${min} to ${max} characters` }],
    });
  }
}

/** Bounds every single movement; far below 2^53, so sums of many stay exact. */
export const maxMovement = 1_000_000_000_000; // a billion credits

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids reach SQL as uuid parameters; a malformed one is the caller's error (404), not a 500. */
export function assertUuid(what: string, value: string): void {
  if (!uuidPattern.test(value)) throw notFound(what);
}
