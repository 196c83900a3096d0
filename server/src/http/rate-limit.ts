import type { Request, RequestHandler } from 'express';
import { RateLimiterPostgres, RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Pool } from 'pg';
import { AppError } from './errors';

export interface LimiterOptions {
  /** Distinguishes limiters sharing the one table. */
  name: string;
  points: number;
  durationSec: number;
}

/**
 * Limits live in PostgreSQL (`rate_limits`), so every server process counts against the same
 * budget; the table is created by a migration, and expired rows are pruned by the jobs runner.
 * Reached through a plain pg pool: some limits sit on every chat message's path, where an ORM
 * round trip costs.
 */
export function createLimiter(db: Pool, options: LimiterOptions): RateLimiterAbstract {
  const base = { keyPrefix: options.name, points: options.points, duration: options.durationSec };
  return new RateLimiterPostgres({
    ...base,
    storeClient: db,
    storeType: 'pool',
    tableName: 'rate_limits',
    tableCreated: true,
    clearExpiredByTimeout: false,
    // If PostgreSQL is unreachable the request will fail anyway; fall back rather than 500 here.
    insuranceLimiter: new RateLimiterMemory(base),
  });
}

export function rateLimitedError(retryAfterMs: number): AppError {
  const retryAfterSec = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new AppError('rate_limited', `Too many requests; try again in ${retryAfterSec} s`, { retryAfterSec }, {
    'Retry-After': String(retryAfterSec),
  });
}

/** Consumes one point for `key`, throwing `rate_limited` (with Retry-After) when the budget is spent. */
export async function consumeOrThrow(limiter: RateLimiterAbstract, key: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) throw rateLimitedError(rejection.msBeforeNext);
    throw rejection;
  }
}

export function rateLimit(limiter: RateLimiterAbstract, keyOf: (req: Request) => string): RequestHandler {
  return async (req, _res, next) => {
    await consumeOrThrow(limiter, keyOf(req));
    next();
  };
}
