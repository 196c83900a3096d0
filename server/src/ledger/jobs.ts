import type { Pool } from 'pg';
import type { Job } from '../jobs/runner';
import { toAmount } from './db';

/**
 * Expiry and the hold sweeper. Both are SQL functions taking only rows they can lock at once
 * (SKIP LOCKED), so any number of server processes may run them together.
 */

export interface ExpireResult {
  accounts: number;
  /** Millicredits booked to the expired accounts. */
  amount: number;
}

/**
 * Books expired grants (up to `limit` accounts). What a pending hold may still need stays until
 * that hold settles or is released (see `parley_expire_account`); it is never spendable meanwhile.
 */
export async function expireGrants({ db, now, limit }: { db: Pool; now: Date; limit: number }): Promise<ExpireResult> {
  const { rows } = await db.query<{ o_accounts: number; o_amount: string }>('SELECT * FROM parley_expire_grants($1, $2)', [now, limit]);
  return { accounts: rows[0]?.o_accounts ?? 0, amount: toAmount(rows[0]?.o_amount) };
}

/** Voids up to `limit` pending holds past their expiry and frees what they reserved. */
export async function sweepHolds({ db, now, limit }: { db: Pool; now: Date; limit: number }): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT parley_sweep_holds($1, $2) AS n', [now, limit]);
  return rows[0]?.n ?? 0;
}

// Small batches keep each transaction (and the account locks it holds) short; a tick runs a few.
const batch = 200;
const batchesPerTick = 10;

export const holdSweeperJob: Job = {
  name: 'ledger-hold-sweeper',
  async run({ pool, clock }) {
    let total = 0;
    for (let i = 0; i < batchesPerTick; i += 1) {
      const n = await sweepHolds({ db: pool, now: clock.now(), limit: batch });
      total += n;
      if (n < batch) break;
    }
    return total;
  },
};

export const grantExpiryJob: Job = {
  name: 'ledger-grant-expiry',
  async run({ pool, clock }) {
    let total = 0;
    for (let i = 0; i < batchesPerTick; i += 1) {
      const { accounts } = await expireGrants({ db: pool, now: clock.now(), limit: batch });
      total += accounts;
      if (accounts < batch) break;
    }
    return total;
  },
};
