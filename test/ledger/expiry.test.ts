import { Pool } from 'pg';
import type { Deps } from '../../server/src/deps';
import { getBalance, statement } from '../../server/src/ledger/balance';
import { grant } from '../../server/src/ledger/grant';
import { release, reserve, settle } from '../../server/src/ledger/hot-path';
import { expireGrants, sweepHolds } from '../../server/src/ledger/jobs';
import { closeDeps, createTestDeps } from '../support/app';
import type { TestClock } from '../support/clock';
import { workerDatabaseUrl } from '../support/db';
import { credits, expectLedgerInvariants, fundedVisitor, key, ledgerTenant, systemActor } from '../support/ledger';

let deps: Deps & { clock: TestClock };
let tenantId: string;

beforeAll(async () => {
  deps = await createTestDeps();
  tenantId = await ledgerTenant(deps);
});
afterAll(() => closeDeps(deps));
afterEach(() => expectLedgerInvariants(deps.pool));

const hour = 3600_000;
const now = () => deps.clock.now();
const later = (ms: number) => new Date(now().getTime() + ms);
const balanceOf = (visitorId: string) => getBalance({ db: deps.pool, tenantId, visitorId, now: now() });
const hold = (visitorId: string, min: number, max: number, ttl = hour) =>
  reserve({ db: deps.pool, tenantId, visitorId, min, max, expiresAt: later(ttl), idempotencyKey: key(), price: {}, now: now() });
const expireAll = async () => {
  let total = 0;
  for (;;) {
    const r = await expireGrants({ db: deps.pool, now: now(), limit: 100 });
    total += r.amount;
    if (r.accounts < 100) return total;
  }
};

it('stops counting an expired grant as available at once, and books it when the job runs', async () => {
  const v = await fundedVisitor(deps, tenantId, credits(2), { source: 'welcome', expiresAt: later(hour) });
  await grant({ db: deps.pool, tenantId, visitorId: v.id, amount: credits(1), source: 'purchase', actor: systemActor, now: now() });
  expect(await balanceOf(v.id)).toEqual({
    balance: credits(3), reserved: 0, available: credits(3), nextExpiry: { at: expect.any(Date), amount: credits(2) },
  });
  deps.clock.advance(hour + 1);
  // Before the job: still in the balance, but not spendable.
  expect(await balanceOf(v.id)).toEqual({ balance: credits(3), reserved: 0, available: credits(1), nextExpiry: null });
  expect(await hold(v.id, credits(1) + 1, credits(3))).toEqual({ ok: false, available: credits(1) });
  expect(await expireAll()).toBeGreaterThanOrEqual(credits(2));
  expect(await balanceOf(v.id)).toEqual({ balance: credits(1), reserved: 0, available: credits(1), nextExpiry: null });
  const lines = await statement({ db: deps.pool, tenantId, visitorId: v.id, limit: 5 });
  expect(lines.data[0]).toMatchObject({ kind: 'expiry', amount: -credits(2), balanceAfter: credits(1) });
});

it('keeps what a turn begun before the expiry holds; the turn is paid from it, the rest expires after', async () => {
  const v = await fundedVisitor(deps, tenantId, credits(10), { expiresAt: later(hour) });
  const r = await hold(v.id, credits(4), credits(4), 3 * hour);
  if (!r.ok) throw new Error('no hold');
  deps.clock.advance(hour + 1);
  await grant({ db: deps.pool, tenantId, visitorId: v.id, amount: credits(1), source: 'purchase', actor: systemActor, now: now() });
  await expireAll();
  // 6 expired now; the 4 the hold allocated stay, and the new purchase is spendable.
  expect(await balanceOf(v.id)).toMatchObject({ balance: credits(5), reserved: credits(4), available: credits(1) });
  await settle({ db: deps.pool, tenantId, holdId: r.hold.id, amount: credits(3), now: now() });
  // Paid from the expired grant it held; the unspent 1 of it is now free and expired.
  expect(await balanceOf(v.id)).toMatchObject({ balance: credits(2), reserved: 0, available: credits(1) });
  await expireAll();
  expect(await balanceOf(v.id)).toMatchObject({ balance: credits(1), reserved: 0, available: credits(1) });
});

it('sweeps holds past their expiry: they free their credits and can no longer be charged', async () => {
  const v = await fundedVisitor(deps, tenantId, credits(5));
  const stuck = await hold(v.id, credits(2), credits(2), 60_000);
  const fresh = await hold(v.id, credits(1), credits(1), hour);
  if (!stuck.ok || !fresh.ok) throw new Error('no hold');
  deps.clock.advance(60_001);
  expect(await sweepHolds({ db: deps.pool, now: now(), limit: 1000 })).toBeGreaterThanOrEqual(1);
  expect(await balanceOf(v.id)).toMatchObject({ balance: credits(5), reserved: credits(1), available: credits(4) });
  await expect(settle({ db: deps.pool, tenantId, holdId: stuck.hold.id, amount: 1, now: now() })).rejects.toMatchObject({ code: 'hold_voided' });
  await release({ db: deps.pool, tenantId, holdId: fresh.hold.id, now: now() });
});

it('books every expired grant exactly once when several processes run the jobs together', async () => {
  const visitors = await Promise.all(Array.from({ length: 40 }, () => fundedVisitor(deps, tenantId, 777, { expiresAt: later(hour) })));
  for (const v of visitors.slice(0, 10)) await hold(v.id, 100, 100, hour / 2);
  deps.clock.advance(hour + 1);
  const processes = await Promise.all(Array.from({ length: 4 }, async () => new Pool({ connectionString: await workerDatabaseUrl(), max: 3 })));
  try {
    const at = now();
    const runs = await Promise.all(
      processes.flatMap((pool) => [0, 1, 2].map(async () => {
        let amount = 0;
        for (let i = 0; i < 20; i += 1) {
          await sweepHolds({ db: pool, now: at, limit: 3 });
          amount += (await expireGrants({ db: pool, now: at, limit: 3 })).amount;
        }
        return amount;
      })),
    );
    expect(runs.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(40 * 777);
    for (const v of visitors) expect(await balanceOf(v.id)).toMatchObject({ balance: 0, reserved: 0 });
  } finally {
    await Promise.all(processes.map((p) => p.end()));
  }
});
