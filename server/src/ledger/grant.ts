import type { Pool, PoolClient } from 'pg';
import { AppError } from '../http/errors';
import { assertSafeAmount, assertText, maxMovement, RetryTransaction, withTransaction } from './db';
import { fingerprint } from './idempotency';
import {
  findPostingByExternalRef, findPostingByKey, insertTransaction, lockVisitorAccount, postVisitorMovement, replayOf, systemAccountId,
} from './postings';
import { grantFundingAccount, type GrantSource, type LedgerActor, type Posting } from './types';

export interface GrantTerms {
  tenantId: string;
  visitorId: string;
  /** Millicredits, > 0. */
  amount: number;
  source: GrantSource;
  /** Null or absent: never expires. Must be later than `now`. */
  expiresAt?: Date | null;
  /** A payment id or similar: a repeated reference returns the first grant, never a second one. */
  externalRef?: string;
  /** A repeated key returns the first result; with a different request it is `idempotency_conflict`. */
  idempotencyKey?: string;
  /** Breaks ties between grants expiring together (lower burns first). */
  priority?: number;
  reason?: string;
  actor: LedgerActor;
  metadata?: Record<string, unknown>;
  now: Date;
  /** What the key is bound to; the API passes a hash of its request. Defaults to these terms. */
  fingerprint?: string;
}

export interface GrantOptions extends GrantTerms {
  db: Pool;
}

function validateTerms(o: GrantTerms): void {
  assertSafeAmount('amount', o.amount, { min: 1, max: maxMovement });
  assertText('externalRef', o.externalRef, { max: 255 });
  assertText('idempotencyKey', o.idempotencyKey, { max: 300 });
  assertText('reason', o.reason, { min: 0, max: 500 });
  if (o.expiresAt && o.expiresAt.getTime() <= o.now.getTime()) {
    throw new AppError('validation_failed', 'expiresAt must be in the future', {
      fields: [{ in: 'payload', path: 'expiresAt', message: 'must be in the future' }],
    });
  }
  if (o.priority !== undefined && (!Number.isInteger(o.priority) || Math.abs(o.priority) > 32_767)) {
    throw new AppError('validation_failed', 'priority must be a small integer');
  }
}

const termsFingerprint = (o: GrantTerms, kind: string) =>
  o.fingerprint ??
  fingerprint(kind, {
    visitorId: o.visitorId, amount: o.amount, source: o.source, expiresAt: o.expiresAt ?? null,
    externalRef: o.externalRef ?? null, priority: o.priority ?? 0, reason: o.reason ?? null,
  });

/** Gives a visitor credits: funding account (sales, promotions or adjustments) -> visitor. */
export async function grant(options: GrantOptions): Promise<Posting> {
  validateTerms(options);
  return withTransaction(options.db, (client) => grantInTransaction(client, options));
}

/** The same, on a client already inside a transaction (the API creates the visitor in it too). */
export async function grantInTransaction(client: PoolClient, o: GrantTerms, kind: 'grant' | 'adjustment' = 'grant'): Promise<Posting> {
  validateTerms(o);
  const hash = termsFingerprint(o, kind);
  const replay = await findGrantReplay(client, o, hash);
  if (replay) return replay;
  const fundingId = await systemAccountId(client, o.tenantId, grantFundingAccount[o.source]);
  const account = await lockVisitorAccount(client, o.tenantId, o.visitorId);
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO grants (tenant_id, account_id, source, amount, remaining, expires_at, priority, external_ref, issued_at, created_at)
     VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8, $8)
     ON CONFLICT (tenant_id, external_ref) WHERE external_ref IS NOT NULL DO NOTHING
     RETURNING id`,
    [o.tenantId, account.id, o.source, o.amount, o.expiresAt ?? null, o.priority ?? 0, o.externalRef ?? null, o.now],
  );
  const grantId = rows[0]?.id;
  if (!grantId) throw new RetryTransaction('external reference taken concurrently');
  const transactionId = await insertTransaction(client, {
    tenantId: o.tenantId, kind, idempotencyKey: o.idempotencyKey, fingerprint: hash, reason: o.reason,
    actor: o.actor, grantId, metadata: o.metadata, now: o.now,
  });
  const balanceAfter = await postVisitorMovement(client, {
    tenantId: o.tenantId, transactionId, account, counterAccountId: fundingId, amount: o.amount,
  });
  return { transactionId, visitorId: o.visitorId, amount: o.amount, balanceAfter, grantId, createdAt: o.now, replayed: false };
}

async function findGrantReplay(client: PoolClient, o: GrantTerms, hash: string): Promise<Posting | undefined> {
  if (o.idempotencyKey) {
    const byKey = await findPostingByKey(client, o.tenantId, o.idempotencyKey);
    if (byKey) return replayOf(byKey, hash);
  }
  if (o.externalRef) {
    const byRef = await findPostingByExternalRef(client, o.tenantId, o.externalRef);
    if (byRef?.posting) return byRef.posting;
  }
  return undefined;
}
