import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { Sequelize } from 'sequelize';
import type { Models } from './db/models';
import type { Metrics } from './ops/metrics';
import type { VisitorNotifier } from './payments/notifier';
import type { StripeApiTarget } from './payments/runtime';
import type { StripeClients } from './payments/stripe-client';
import type { TenantCache } from './tenant-cache/cache';

/** Time comes in through deps so tests can move it (expiry, holds, sessions) without sleeping. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/**
 * Everything with a side effect or a connection that the app needs. `main.ts` builds the real
 * ones; tests build their own. Nothing in `server/src` keeps a module-level instance.
 */
export interface Deps {
  sequelize: Sequelize;
  models: Models;
  /** A plain pg pool for the hot paths (ledger statements, sessions) where an ORM round trip costs. */
  pool: Pool;
  logger: Logger;
  clock: Clock;
  metrics: Metrics;
  /** Pushes balances and purchase updates to a visitor's open widgets (implemented by the gateway). */
  visitorNotifier?: VisitorNotifier;
  /** Where the Stripe SDK sends API calls; tests point it at a local fake Stripe. */
  stripeApi?: StripeApiTarget;
  /** One Stripe client per tenant key, reused across requests. */
  stripeClients?: StripeClients;
  /** This process's copy of workspace config (keys, origins, prices), dropped on change in every process. */
  tenantCache?: TenantCache;
}
