import crypto from 'node:crypto';
import type { Pool } from 'pg';
import type { Deps } from '../../server/src/deps';
import { grant } from '../../server/src/ledger/grant';
import type { GrantSource, LedgerActor } from '../../server/src/ledger/types';
import { formatViolation, verifyLedger } from '../../server/src/ledger/verify';
import { createVisitor, type VisitorRecord } from '../../server/src/visitors/service';
import { seedTenant } from './seed';

/** Millicredits for `n` credits. */
export const credits = (n: number): number => n * 1000;

export const systemActor: LedgerActor = { type: 'system', id: 'test' };

/** Fails with every violation spelled out, so a broken invariant says which rows broke it. */
export async function expectLedgerInvariants(pool: Pool, tenantId?: string): Promise<void> {
  const violations = await verifyLedger({ db: pool, tenantId });
  expect(violations.map(formatViolation)).toEqual([]);
}

export const key = (label = 'k'): string => `${label}-${crypto.randomUUID()}`;

/** A tenant of its own, so tests running side by side never see each other's ledger. */
export async function ledgerTenant(deps: Pick<Deps, 'models'>): Promise<string> {
  return (await seedTenant(deps, 'ledger')).tenantId;
}

/** A visitor, optionally funded with one grant of `amount` millicredits. */
export async function fundedVisitor(
  deps: Pick<Deps, 'pool' | 'clock'>,
  tenantId: string,
  amount = 0,
  terms: { source?: GrantSource; expiresAt?: Date | null } = {},
): Promise<VisitorRecord> {
  const visitor = await createVisitor({ db: deps.pool, tenantId, now: deps.clock.now() });
  if (amount > 0) {
    await grant({
      db: deps.pool, tenantId, visitorId: visitor.id, amount, source: terms.source ?? 'purchase', expiresAt: terms.expiresAt,
      actor: systemActor, now: deps.clock.now(),
    });
  }
  return visitor;
}
