import type { Pool } from 'pg';
import type { CheckoutLimitsConfig } from '../config';
import { consumeOrThrow, createLimiter } from '../http/rate-limit';

/** Consumes one checkout from the visitor's and the workspace's budgets, or throws `rate_limited`. */
export type CheckoutLimit = (o: { tenantId: string; visitorId: string }) => Promise<void>;

/**
 * Every checkout a widget starts writes a pending purchase and opens a Stripe Checkout Session on
 * the workspace's own Stripe account, so a script hammering "buy" would fill the purchases table
 * and spend the workspace's Stripe API quota. Budgets per visitor and per workspace, shared by
 * every process through PostgreSQL, applied where visitors start checkouts (the gateway).
 */
export function createCheckoutLimit({ db, limits }: { db: Pool; limits: CheckoutLimitsConfig }): CheckoutLimit {
  const perVisitor = createLimiter(db, { name: 'checkout_visitor', points: limits.visitorPerMin, durationSec: 60 });
  const perTenant = createLimiter(db, { name: 'checkout_tenant', points: limits.tenantPerMin, durationSec: 60 });
  return async ({ tenantId, visitorId }) => {
    // The visitor's own budget first, so one greedy visitor does not use up the workspace's.
    await consumeOrThrow(perVisitor, `${tenantId}:${visitorId}`);
    await consumeOrThrow(perTenant, tenantId);
  };
}
