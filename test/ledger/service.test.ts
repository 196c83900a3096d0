import { adjust } from '../../server/src/ledger/adjust';
import { getBalance, statement } from '../../server/src/ledger/balance';
import { grant } from '../../server/src/ledger/grant';
import { release, reserve, settle } from '../../server/src/ledger/hot-path';
import type { Deps } from '../../server/src/deps';
import { closeDeps, createTestDeps } from '../support/app';
import type { TestClock } from '../support/clock';
import { credits, expectLedgerInvariants, fundedVisitor, key, ledgerTenant, systemActor } from '../support/ledger';

let deps: Deps & { clock: TestClock };
let tenantId: string;
const price = { messageFee: 100, inputPer1k: 500, outputPer1k: 1500 };

beforeAll(async () => {
  deps = await createTestDeps();
  tenantId = await ledgerTenant(deps);
});
afterAll(() => closeDeps(deps));
afterEach(() => expectLedgerInvariants(deps.pool, tenantId));

const now = () => deps.clock.now();
const inMinutes = (m: number) => new Date(now().getTime() + m * 60_000);
const hold = (visitorId: string, min: number, max: number, k = key('hold')) =>
  reserve({ db: deps.pool, tenantId, visitorId, min, max, expiresAt: inMinutes(10), idempotencyKey: k, price, now: now() });

describe('a turn: reserve, then settle or release', () => {
  it('reserves LEAST(max, available), settles at the actual cost and frees the rest', async () => {
    const v = await fundedVisitor(deps, tenantId, credits(10));
    const r = await hold(v.id, credits(1), credits(4));
    expect(r).toEqual({ ok: true, hold: { id: expect.any(String), amount: credits(4), status: 'pending' } });
    if (!r.ok) throw new Error('unreachable');
    expect(await getBalance({ db: deps.pool, tenantId, visitorId: v.id, now: now() })).toMatchObject({
      balance: credits(10), reserved: credits(4), available: credits(6),
    });
    const s = await settle({ db: deps.pool, tenantId, holdId: r.hold.id, amount: 1234, now: now() });
    expect(s).toEqual({ charged: 1234, balance: credits(10) - 1234, reserved: 0, available: credits(10) - 1234, replayed: false });
  });

  it('holds only what is available when that is at least min, and refuses below min with the available amount', async () => {
    const v = await fundedVisitor(deps, tenantId, credits(3));
    const partial = await hold(v.id, credits(1), credits(5));
    expect(partial.ok && partial.hold.amount).toBe(credits(3));
    expect(await hold(v.id, 1, credits(5))).toEqual({ ok: false, available: 0 });
  });

  it('caps the charge at the hold, and a second settle returns the first charge', async () => {
    const v = await fundedVisitor(deps, tenantId, credits(10));
    const r = await hold(v.id, 1, credits(2));
    if (!r.ok) throw new Error('no hold');
    const first = await settle({ db: deps.pool, tenantId, holdId: r.hold.id, amount: credits(9), now: now() });
    expect(first.charged).toBe(credits(2));
    const again = await settle({ db: deps.pool, tenantId, holdId: r.hold.id, amount: 5, now: now() });
    expect(again).toEqual({ ...first, replayed: true });
  });

  it('releases for free, twice harmlessly; a released hold cannot be settled, a settled one not released', async () => {
    const v = await fundedVisitor(deps, tenantId, credits(2));
    const r = await hold(v.id, 1, credits(2));
    if (!r.ok) throw new Error('no hold');
    expect(await release({ db: deps.pool, tenantId, holdId: r.hold.id, now: now() })).toEqual({
      balance: credits(2), reserved: 0, available: credits(2), replayed: false,
    });
    expect((await release({ db: deps.pool, tenantId, holdId: r.hold.id, now: now() })).replayed).toBe(true);
    await expect(settle({ db: deps.pool, tenantId, holdId: r.hold.id, amount: 1, now: now() })).rejects.toMatchObject({ code: 'hold_voided' });
    const r2 = await hold(v.id, 1, 10);
    if (!r2.ok) throw new Error('no hold');
    await settle({ db: deps.pool, tenantId, holdId: r2.hold.id, amount: 10, now: now() });
    await expect(release({ db: deps.pool, tenantId, holdId: r2.hold.id, now: now() })).rejects.toMatchObject({ code: 'hold_settled' });
  });

  it('answers the same hold for the same key, and refuses a key used for another visitor', async () => {
    const v = await fundedVisitor(deps, tenantId, credits(5));
    const other = await fundedVisitor(deps, tenantId, credits(5));
    const k = key();
    const first = await hold(v.id, 1, credits(1), k);
    expect(await hold(v.id, 1, credits(3), k)).toEqual(first);
    await expect(hold(other.id, 1, credits(1), k)).rejects.toMatchObject({ code: 'idempotency_conflict' });
  });

  it("treats another tenant's visitor or hold as missing", async () => {
    const otherTenant = await ledgerTenant(deps);
    const v = await fundedVisitor(deps, otherTenant, credits(5));
    await expect(hold(v.id, 1, 1)).rejects.toMatchObject({ code: 'not_found' });
    const theirs = await reserve({ db: deps.pool, tenantId: otherTenant, visitorId: v.id, min: 1, max: 1, expiresAt: inMinutes(1), idempotencyKey: key(), price, now: now() });
    if (!theirs.ok) throw new Error('no hold');
    await expect(settle({ db: deps.pool, tenantId, holdId: theirs.hold.id, amount: 1, now: now() })).rejects.toMatchObject({ code: 'not_found' });
    await release({ db: deps.pool, tenantId: otherTenant, holdId: theirs.hold.id, now: now() });
    await expectLedgerInvariants(deps.pool, otherTenant);
  });
});

describe('grants', () => {
  it('grants once per external reference and once per idempotency key', async () => {
    const v = await fundedVisitor(deps, tenantId);
    const base = { db: deps.pool, tenantId, visitorId: v.id, source: 'purchase' as const, actor: systemActor, now: now() };
    // Without a reference or a key, two grants are two grants.
    await grant({ ...base, amount: credits(5) });
    expect((await grant({ ...base, amount: credits(5) })).replayed).toBe(false);
    const ref = `pi_${key()}`;
    const once = await grant({ ...base, amount: credits(1), externalRef: ref });
    expect(await grant({ ...base, amount: credits(1), externalRef: ref })).toEqual({ ...once, replayed: true });
    const k = key();
    const keyed = await grant({ ...base, amount: credits(2), idempotencyKey: k });
    expect(await grant({ ...base, amount: credits(2), idempotencyKey: k })).toEqual({ ...keyed, replayed: true });
    await expect(grant({ ...base, amount: credits(3), idempotencyKey: k })).rejects.toMatchObject({ code: 'idempotency_conflict' });
    expect((await getBalance({ db: deps.pool, tenantId, visitorId: v.id, now: now() })).balance).toBe(credits(5 + 5 + 1 + 2));
  });

  it('burns the soonest-expiring grant first, then the oldest, non-expiring last', async () => {
    const v = await fundedVisitor(deps, tenantId);
    const base = { db: deps.pool, tenantId, visitorId: v.id, source: 'promotion' as const, actor: systemActor };
    const never = await grant({ ...base, amount: 300, now: now() });
    deps.clock.advance(1);
    const late = await grant({ ...base, amount: 300, expiresAt: inMinutes(60), now: now() });
    deps.clock.advance(1);
    const soonAt = inMinutes(30); // the test clock follows real time, so both grants share one instant explicitly
    const soonOld = await grant({ ...base, amount: 300, expiresAt: soonAt, now: now() });
    deps.clock.advance(1);
    const soonNew = await grant({ ...base, amount: 300, expiresAt: soonAt, now: now() });
    const remaining = async () => {
      const { rows } = await deps.pool.query<{ id: string; remaining: string }>('SELECT id, remaining FROM grants WHERE account_id = $1', [v.accountId]);
      return Object.fromEntries(rows.map((r) => [r.id, Number(r.remaining)]));
    };
    const spend = async (amount: number) => {
      const r = await hold(v.id, amount, amount);
      if (!r.ok) throw new Error('no hold');
      await settle({ db: deps.pool, tenantId, holdId: r.hold.id, amount, now: now() });
    };
    await spend(400); // soonOld and soonNew expire at the same instant: the older one goes first
    expect(await remaining()).toEqual({ [soonOld.grantId!]: 0, [soonNew.grantId!]: 200, [late.grantId!]: 300, [never.grantId!]: 300 });
    await spend(450);
    expect(await remaining()).toEqual({ [soonOld.grantId!]: 0, [soonNew.grantId!]: 0, [late.grantId!]: 50, [never.grantId!]: 300 });
    await spend(100);
    expect(await remaining()).toEqual({ [soonOld.grantId!]: 0, [soonNew.grantId!]: 0, [late.grantId!]: 0, [never.grantId!]: 250 });
  });
});

describe('adjustments', () => {
  it('needs a reason, adds a grant, and takes back at most what is available', async () => {
    const v = await fundedVisitor(deps, tenantId, credits(2));
    const base = { db: deps.pool, tenantId, visitorId: v.id, actor: { type: 'user' as const, id: 'u1' }, now: now() };
    await expect(adjust({ ...base, amount: 100, reason: '  ' })).rejects.toMatchObject({ code: 'validation_failed' });
    const plus = await adjust({ ...base, amount: credits(1), reason: 'goodwill' });
    expect(plus).toMatchObject({ amount: credits(1), balanceAfter: credits(3), grantId: expect.any(String) });
    const r = await hold(v.id, credits(1), credits(1));
    expect(r.ok).toBe(true);
    await expect(adjust({ ...base, amount: -credits(2) - 1, reason: 'too much' })).rejects.toMatchObject({
      code: 'insufficient_credits', details: { available: credits(2) },
    });
    const minus = await adjust({ ...base, amount: -credits(2), reason: 'refund on request' });
    expect(minus).toMatchObject({ amount: -credits(2), balanceAfter: credits(1), grantId: null });
    const page = await statement({ db: deps.pool, tenantId, visitorId: v.id, limit: 10 });
    expect(page.data.map((l) => [l.kind, l.amount, l.balanceAfter, l.reason])).toEqual([
      ['adjustment', -credits(2), credits(1), 'refund on request'],
      ['adjustment', credits(1), credits(3), 'goodwill'],
      ['grant', credits(2), credits(2), null],
    ]);
  });
});

describe('statements', () => {
  it('paginates newest first with a running balance', async () => {
    const v = await fundedVisitor(deps, tenantId);
    for (let i = 1; i <= 5; i += 1) {
      await grant({ db: deps.pool, tenantId, visitorId: v.id, amount: i, source: 'promotion', actor: systemActor, now: now() });
    }
    const first = await statement({ db: deps.pool, tenantId, visitorId: v.id, limit: 2 });
    expect(first.data.map((l) => [l.amount, l.balanceAfter])).toEqual([[5, 15], [4, 10]]);
    const second = await statement({ db: deps.pool, tenantId, visitorId: v.id, limit: 2, cursor: first.nextCursor! });
    expect(second.data.map((l) => [l.amount, l.balanceAfter])).toEqual([[3, 6], [2, 3]]);
    const last = await statement({ db: deps.pool, tenantId, visitorId: v.id, limit: 2, cursor: second.nextCursor! });
    expect(last).toMatchObject({ data: [{ amount: 1, balanceAfter: 1 }], nextCursor: null });
  });
});
