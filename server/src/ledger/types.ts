import type { Actor } from '../tenancy/scope';

/**
 * Units: every amount here is **millicredits** (1 credit = 1,000), a safe integer, never a float.
 */

/** Who caused a movement: a dashboard user, the tenant's backend (a secret key), the system, or the visitor. */
export type LedgerActor = Actor | { type: 'visitor'; id: string };

export type GrantSource = 'purchase' | 'welcome' | 'promotion' | 'adjustment';
export const grantSources: readonly GrantSource[] = ['purchase', 'welcome', 'promotion', 'adjustment'];

export type SystemAccountKind = 'sales' | 'promotions' | 'usage' | 'expired' | 'adjustments' | 'uncollected';

/** Where the credits of a grant come from. */
export const grantFundingAccount: Record<GrantSource, SystemAccountKind> = {
  purchase: 'sales',
  welcome: 'promotions',
  promotion: 'promotions',
  adjustment: 'adjustments',
};

export interface BalanceFigures {
  /** The ledger balance: the sum of the account's entries (includes expired credits not yet booked). */
  balance: number;
  /** The sum of pending holds. */
  reserved: number;
  /** What can be reserved or spent now: balance - reserved - expired credits not yet booked, never < 0. */
  available: number;
}

/** The result of one posting (grant or adjustment), stable across retries with the same key. */
export interface Posting {
  transactionId: string;
  visitorId: string;
  /** Signed: what the visitor's balance moved by. */
  amount: number;
  /** The visitor's balance right after this posting. */
  balanceAfter: number;
  grantId: string | null;
  createdAt: Date;
  /** True when this answer is the stored result of an earlier call with the same key or reference. */
  replayed: boolean;
}
