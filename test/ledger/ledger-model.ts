/**
 * A plain in-memory model of the ledger's rules, for the property test to compare against:
 * grants with remaining and held amounts, holds allocating from grants in burn order, expiry
 * taking only unheld credits, transfers moving live grants. No SQL, no concurrency: just the rules.
 */
export interface ModelGrant {
  remaining: number;
  held: number;
  expiresAt: number | null;
  issuedAt: number;
}

export interface ModelHold {
  visitor: number;
  amount: number;
  status: 'pending' | 'posted' | 'voided';
  expiresAt: number;
  charged: number | null;
  allocation: Array<{ grant: ModelGrant; n: number }>;
}

export type Outcome =
  | { ok: true; amount?: number; charged?: number; replayed?: boolean }
  | { ok: false; code: string; available?: number };

export class LedgerModel {
  readonly grants: ModelGrant[][];
  readonly holds: ModelHold[] = [];

  constructor(visitors: number) {
    this.grants = Array.from({ length: visitors }, () => []);
  }

  private live(visitor: number, now: number): ModelGrant[] {
    return this.grants[visitor]!
      .filter((g) => g.remaining > g.held && (g.expiresAt === null || g.expiresAt > now))
      .sort((a, b) => (a.expiresAt ?? Infinity) - (b.expiresAt ?? Infinity) || a.issuedAt - b.issuedAt);
  }

  balance(visitor: number, now: number) {
    const grants = this.grants[visitor]!;
    const balance = grants.reduce((s, g) => s + g.remaining, 0);
    const reserved = grants.reduce((s, g) => s + g.held, 0);
    const available = this.live(visitor, now).reduce((s, g) => s + g.remaining - g.held, 0);
    return { balance, reserved, available };
  }

  grant(visitor: number, amount: number, expiresAt: number | null, now: number): Outcome {
    this.grants[visitor]!.push({ remaining: amount, held: 0, expiresAt, issuedAt: now });
    return { ok: true };
  }

  reserve(visitor: number, min: number, max: number, expiresAt: number, now: number): Outcome {
    const live = this.live(visitor, now);
    const total = live.reduce((s, g) => s + g.remaining - g.held, 0);
    if (total < min) return { ok: false, code: 'insufficient', available: total };
    let left = Math.min(max, total);
    const allocation: ModelHold['allocation'] = [];
    for (const grant of live) {
      if (left === 0) break;
      const n = Math.min(grant.remaining - grant.held, left);
      grant.held += n;
      left -= n;
      allocation.push({ grant, n });
    }
    const amount = Math.min(max, total);
    this.holds.push({ visitor, amount, status: 'pending', expiresAt, charged: null, allocation });
    return { ok: true, amount };
  }

  private finish(hold: ModelHold, burn: number): void {
    let left = burn;
    for (const { grant, n } of hold.allocation) {
      const take = Math.min(n, left);
      grant.held -= n;
      grant.remaining -= take;
      left -= take;
    }
  }

  settle(index: number, amount: number): Outcome {
    const hold = this.holds[index]!;
    if (hold.status === 'voided') return { ok: false, code: 'hold_voided' };
    if (hold.status === 'posted') return { ok: true, charged: hold.charged!, replayed: true };
    hold.charged = Math.min(amount, hold.amount);
    hold.status = 'posted';
    this.finish(hold, hold.charged);
    return { ok: true, charged: hold.charged, replayed: false };
  }

  release(index: number): Outcome {
    const hold = this.holds[index]!;
    if (hold.status === 'posted') return { ok: false, code: 'hold_settled' };
    if (hold.status === 'voided') return { ok: true, replayed: true };
    hold.status = 'voided';
    this.finish(hold, 0);
    return { ok: true, replayed: false };
  }

  debit(visitor: number, amount: number, now: number): Outcome {
    const live = this.live(visitor, now);
    const available = live.reduce((s, g) => s + g.remaining - g.held, 0);
    if (amount > available) return { ok: false, code: 'insufficient_credits', available };
    let left = amount;
    for (const grant of live) {
      const take = Math.min(grant.remaining - grant.held, left);
      grant.remaining -= take;
      left -= take;
    }
    return { ok: true };
  }

  expire(now: number): void {
    for (const grants of this.grants) {
      for (const g of grants) if (g.expiresAt !== null && g.expiresAt <= now) g.remaining = g.held;
    }
  }

  sweep(now: number): void {
    this.holds.forEach((hold) => {
      if (hold.status === 'pending' && hold.expiresAt <= now) {
        hold.status = 'voided';
        this.finish(hold, 0);
      }
    });
  }

  transfer(from: number, to: number, now: number): Outcome {
    if (this.balance(from, now).reserved > 0) return { ok: false, code: 'holds_pending' };
    for (const g of this.grants[from]!) {
      if (g.expiresAt !== null && g.expiresAt <= now) g.remaining = 0;
      if (g.remaining > 0) {
        this.grants[to]!.push({ remaining: g.remaining, held: 0, expiresAt: g.expiresAt, issuedAt: g.issuedAt });
        g.remaining = 0;
      }
    }
    return { ok: true };
  }

  /** A visitor's grants with something left, as comparable tuples. */
  grantShape(visitor: number): string[] {
    return this.grants[visitor]!
      .filter((g) => g.remaining > 0)
      .map((g) => `${g.remaining}/${g.held}/${g.expiresAt ?? 'never'}`)
      .sort();
  }
}
