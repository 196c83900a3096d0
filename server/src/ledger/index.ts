/**
 * The credit ledger's public surface. Amounts are millicredits (1 credit = 1,000), safe integers.
 * Every function takes one options object with `db` (deps.pool) and, where time matters, `now`
 * (deps.clock.now()). See README.md beside this file for the rules and the invariants.
 */
export { grant, grantInTransaction, type GrantOptions, type GrantTerms } from './grant';
export { reserve, settle, release, type ReserveOptions, type ReserveResult, type SettleResult, type ReleaseResult, type HoldStatus } from './hot-path';
export { adjust, type AdjustOptions } from './adjust';
export { transfer, type TransferOptions, type TransferResult } from './transfer';
export { expireGrants, sweepHolds, grantExpiryJob, holdSweeperJob, type ExpireResult } from './jobs';
export { getBalance, statement, type Balance, type StatementLine, type TransactionKind } from './balance';
export { verifyLedger, formatViolation, type Violation } from './verify';
export { turnCost, maxAffordableOutputTokens, turnReservation, ceilDiv, type Price } from './pricing';
export { withTransaction, type Queryable } from './db';
export type { BalanceFigures, GrantSource, LedgerActor, Posting, SystemAccountKind } from './types';
