import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { rateLimitedError } from '../http/rate-limit';

/**
 * A shared limit that does not put one row in PostgreSQL on every message of a busy tenant. Each
 * process takes points from the shared limiter a block at a time and hands them out locally until
 * the block or its window runs out: one database write per block instead of one per message, and
 * no single row that every turn of the tenant must lock in turn.
 *
 * The price is precision: a process may hold up to `block - 1` points it never uses, so a tenant
 * can be refused up to that many messages per process and window early, never let through late.
 * With `block` 1 it is exactly the shared limiter.
 */
export interface MessageLimiter {
  /** Takes one point for `key`, or throws `rate_limited` with the time to wait. */
  consume(key: string): Promise<void>;
}

interface Allowance {
  left: number;
  until: number;
}

export function blockLimiter({ shared, block }: { shared: RateLimiterAbstract; block: number }): MessageLimiter {
  const allowances = new Map<string, Allowance>();
  const fetching = new Map<string, Promise<void>>();

  const takeLocal = (key: string): boolean => {
    const allowance = allowances.get(key);
    if (!allowance || allowance.left <= 0 || Date.now() >= allowance.until) return false;
    allowance.left -= 1;
    return true;
  };

  const fetchBlock = async (key: string): Promise<void> => {
    try {
      const res = await shared.consume(key, block);
      allowances.set(key, { left: block, until: Date.now() + res.msBeforeNext });
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      allowances.delete(key);
      throw rateLimitedError(rejection.msBeforeNext);
    }
  };

  return {
    async consume(key) {
      for (;;) {
        if (takeLocal(key)) return;
        // Concurrent messages wait for the one block being fetched rather than each fetching one.
        let pending = fetching.get(key);
        if (!pending) {
          pending = fetchBlock(key).finally(() => fetching.delete(key));
          fetching.set(key, pending);
        }
        await pending;
      }
    },
  };
}

/** A block for a per-minute limit: 1 (exact) for small limits, up to 20 for large ones. */
export const blockFor = (pointsPerMinute: number): number => Math.max(1, Math.min(20, Math.floor(pointsPerMinute / 60)));

/**
 * One `MessageLimiter` per distinct per-minute limit, made on first use: workspaces may set their
 * own limits, and a rate-limiter-flexible limiter has one fixed budget. All of them share one
 * counter per key (same table and prefix), so a workspace that changes its limit keeps what it
 * has used this minute and is measured against the new budget at once.
 */
export function limiterPerBudget(make: (pointsPerMinute: number) => MessageLimiter): (pointsPerMinute: number) => MessageLimiter {
  const byBudget = new Map<number, MessageLimiter>();
  return (pointsPerMinute) => {
    let limiter = byBudget.get(pointsPerMinute);
    if (!limiter) {
      limiter = make(pointsPerMinute);
      byBudget.set(pointsPerMinute, limiter);
    }
    return limiter;
  };
}
