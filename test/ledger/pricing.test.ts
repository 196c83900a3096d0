import fc from 'fast-check';
import type { Deps } from '../../server/src/deps';
import { reserve, settle } from '../../server/src/ledger/hot-path';
import { ceilDiv, maxAffordableOutputTokens, turnCost, turnReservation, type Price } from '../../server/src/ledger/pricing';
import { closeDeps, createTestDeps } from '../support/app';
import type { TestClock } from '../support/clock';
import { credits, expectLedgerInvariants, fundedVisitor, key, ledgerTenant } from '../support/ledger';

const price: Price = { messageFee: 100, inputPer1k: 150, outputPer1k: 600 };

describe('turnCost', () => {
  it('is fee + ceil(in × inRate / 1000) + ceil(out × outRate / 1000)', () => {
    expect(turnCost({ price, inputTokens: 1000, outputTokens: 1000 })).toBe(100 + 150 + 600);
    // 7 × 150 / 1000 = 1.05 → 2; 3 × 600 / 1000 = 1.8 → 2
    expect(turnCost({ price, inputTokens: 7, outputTokens: 3 })).toBe(100 + 2 + 2);
    // exact multiples are not rounded up
    expect(turnCost({ price, inputTokens: 20, outputTokens: 5 })).toBe(100 + 3 + 3);
    expect(turnCost({ price, inputTokens: 0, outputTokens: 0 })).toBe(100);
    expect(turnCost({ price: { messageFee: 0, inputPer1k: 1, outputPer1k: 1 }, inputTokens: 1, outputTokens: 1 })).toBe(2);
    expect(turnCost({ price: { messageFee: 0, inputPer1k: 0, outputPer1k: 0 }, inputTokens: 10 ** 6, outputTokens: 10 ** 6 })).toBe(0);
  });

  it('stays exact where floats would not', () => {
    // 1,000,001 tokens at 999,999 per 1K: 999,999,999,999 / 1000 → 1,000,000,000 (ceil), no float error
    expect(turnCost({ price: { messageFee: 0, inputPer1k: 999_999, outputPer1k: 0 }, inputTokens: 1_000_001, outputTokens: 0 })).toBe(1_000_000_000);
    expect(ceilDiv(10n ** 18n + 1n, 1000n)).toBe(10n ** 15n + 1n);
  });

  it('refuses negative or fractional counts and rates', () => {
    expect(() => turnCost({ price, inputTokens: -1, outputTokens: 0 })).toThrow(RangeError);
    expect(() => turnCost({ price, inputTokens: 1.5, outputTokens: 0 })).toThrow(RangeError);
    expect(() => turnCost({ price: { ...price, outputPer1k: 0.5 }, inputTokens: 1, outputTokens: 1 })).toThrow(RangeError);
  });

  it('never undercharges a token and never overcharges by a millicredit or more per term (property)', () => {
    fc.assert(
      fc.property(fc.nat(10 ** 6), fc.nat(10 ** 6), fc.nat(10 ** 5), fc.nat(10 ** 5), fc.nat(10 ** 4), (inTok, outTok, inRate, outRate, fee) => {
        const cost = turnCost({ price: { messageFee: fee, inputPer1k: inRate, outputPer1k: outRate }, inputTokens: inTok, outputTokens: outTok });
        const exact = fee + (inTok * inRate) / 1000 + (outTok * outRate) / 1000;
        expect(cost).toBeGreaterThanOrEqual(exact - 1e-6);
        expect(cost).toBeLessThan(exact + 2);
      }),
    );
  });
});

describe('maxAffordableOutputTokens', () => {
  it('is the largest reply the budget pays for', () => {
    // budget 1000: fee 100 + input ceil(10 × 150 / 1000) = 2 → 898 left; 898 × 1000 / 600 = 1496.67 → 1496
    expect(maxAffordableOutputTokens({ price, inputTokens: 10, budget: 1000 })).toBe(1496);
    expect(turnCost({ price, inputTokens: 10, outputTokens: 1496 })).toBeLessThanOrEqual(1000);
    expect(turnCost({ price, inputTokens: 10, outputTokens: 1497 })).toBeGreaterThan(1000);
    expect(maxAffordableOutputTokens({ price, inputTokens: 10, budget: 50 })).toBe(0);
    expect(maxAffordableOutputTokens({ price, inputTokens: 10, budget: 10 ** 9, cap: 4096 })).toBe(4096);
    expect(maxAffordableOutputTokens({ price: { ...price, outputPer1k: 0 }, inputTokens: 10, budget: 200, cap: 512 })).toBe(512);
  });

  it('agrees with turnCost at the boundary (property)', () => {
    fc.assert(
      fc.property(fc.nat(10 ** 5), fc.integer({ min: 1, max: 10 ** 5 }), fc.nat(10 ** 3), fc.nat(10 ** 9), (inTok, outRate, fee, budget) => {
        const p = { messageFee: fee, inputPer1k: 300, outputPer1k: outRate };
        const out = maxAffordableOutputTokens({ price: p, inputTokens: inTok, budget });
        if (turnCost({ price: p, inputTokens: inTok, outputTokens: 0 }) > budget) {
          expect(out).toBe(0);
          return;
        }
        expect(turnCost({ price: p, inputTokens: inTok, outputTokens: out })).toBeLessThanOrEqual(budget);
        expect(turnCost({ price: p, inputTokens: inTok, outputTokens: out + 1 })).toBeGreaterThan(budget);
      }),
    );
  });
});

describe('a priced turn against the ledger', () => {
  let deps: Deps & { clock: TestClock };
  let tenantId: string;
  beforeAll(async () => {
    deps = await createTestDeps();
    tenantId = await ledgerTenant(deps);
  });
  afterAll(() => closeDeps(deps));
  afterEach(() => expectLedgerInvariants(deps.pool, tenantId));

  it('holds the worst case, sizes the reply from what was held, and settles the actual cost', async () => {
    const v = await fundedVisitor(deps, tenantId, credits(1));
    const inputTokens = 1200;
    const { min, max } = turnReservation({ price, inputTokens, minOutputTokens: 16, maxOutputTokens: 4096 });
    expect(min).toBe(100 + 180 + 10);
    expect(max).toBe(100 + 180 + 2458);
    const held = await reserve({
      db: deps.pool, tenantId, visitorId: v.id, min, max, idempotencyKey: key(), price,
      expiresAt: new Date(deps.clock.now().getTime() + 60_000), now: deps.clock.now(),
    });
    if (!held.ok) throw new Error('no hold');
    expect(held.hold.amount).toBe(1000); // all the visitor has: less than the worst case, more than the minimum
    const outputCap = maxAffordableOutputTokens({ price, inputTokens, budget: held.hold.amount, cap: 4096 });
    expect(outputCap).toBe(1200);
    const actual = turnCost({ price, inputTokens, outputTokens: 777 });
    const settled = await settle({ db: deps.pool, tenantId, holdId: held.hold.id, amount: actual, now: deps.clock.now() });
    expect(settled).toMatchObject({ charged: actual, balance: 1000 - actual, reserved: 0 });
  });
});
