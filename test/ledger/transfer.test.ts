import type { Deps } from '../../server/src/deps';
import { getBalance, statement } from '../../server/src/ledger/balance';
import { grant } from '../../server/src/ledger/grant';
import { release, reserve } from '../../server/src/ledger/hot-path';
import { transfer } from '../../server/src/ledger/transfer';
import { closeDeps, createTestDeps } from '../support/app';
import type { TestClock } from '../support/clock';
import { credits, expectLedgerInvariants, fundedVisitor, key, ledgerTenant, systemActor } from '../support/ledger';

let deps: Deps & { clock: TestClock };
let tenantId: string;

beforeAll(async () => {
  deps = await createTestDeps();
  tenantId = await ledgerTenant(deps);
});
afterAll(() => closeDeps(deps));
afterEach(() => expectLedgerInvariants(deps.pool, tenantId));

const now = () => deps.clock.now();
const later = (ms: number) => new Date(now().getTime() + ms);
const grantsOf = async (accountId: string) =>
  (await deps.pool.query<{ remaining: string; expires_at: Date | null; source: string }>(
    'SELECT remaining, expires_at, source FROM grants WHERE account_id = $1 AND remaining > 0 ORDER BY issued_at', [accountId],
  )).rows.map((g) => ({ remaining: Number(g.remaining), expiresAt: g.expires_at?.getTime() ?? null, source: g.source }));

it('moves every live grant with its expiry and source, books what had expired, and is idempotent', async () => {
  const anonymous = await fundedVisitor(deps, tenantId, credits(2), { source: 'welcome', expiresAt: later(1000) });
  const expiring = later(86_400_000);
  await grant({ db: deps.pool, tenantId, visitorId: anonymous.id, amount: credits(5), source: 'purchase', expiresAt: expiring, actor: systemActor, now: now() });
  await grant({ db: deps.pool, tenantId, visitorId: anonymous.id, amount: credits(1), source: 'promotion', actor: systemActor, now: now() });
  const identified = await fundedVisitor(deps, tenantId, credits(3));
  deps.clock.advance(1001); // the welcome credits have expired, unbooked

  const k = key('identify');
  const moved = await transfer({ db: deps.pool, tenantId, fromVisitorId: anonymous.id, toVisitorId: identified.id, idempotencyKey: k, actor: systemActor, now: now() });
  expect(moved).toMatchObject({ moved: credits(6), expired: credits(2), fromBalance: 0, toBalance: credits(9), replayed: false });
  expect(await grantsOf(anonymous.accountId)).toEqual([]);
  // In order of issue: the moved grants keep their age (the anonymous ones are older).
  expect(await grantsOf(identified.accountId)).toEqual([
    { remaining: credits(5), expiresAt: expiring.getTime(), source: 'purchase' },
    { remaining: credits(1), expiresAt: null, source: 'promotion' },
    { remaining: credits(3), expiresAt: null, source: 'purchase' },
  ]);
  const again = await transfer({ db: deps.pool, tenantId, fromVisitorId: anonymous.id, toVisitorId: identified.id, idempotencyKey: k, actor: systemActor, now: now() });
  expect(again).toEqual({ ...moved, replayed: true });
  const lines = await statement({ db: deps.pool, tenantId, visitorId: anonymous.id, limit: 10 });
  expect(lines.data.slice(0, 2).map((l) => [l.kind, l.amount, l.balanceAfter])).toEqual([['transfer', -credits(6), 0], ['expiry', -credits(2), credits(6)]]);
  await expect(
    transfer({ db: deps.pool, tenantId, fromVisitorId: identified.id, toVisitorId: anonymous.id, idempotencyKey: k, actor: systemActor, now: now() }),
  ).rejects.toMatchObject({ code: 'idempotency_conflict' });
});

it('is refused while the source has a turn in flight, and allowed once it has finished', async () => {
  const from = await fundedVisitor(deps, tenantId, credits(4));
  const to = await fundedVisitor(deps, tenantId);
  const held = await reserve({ db: deps.pool, tenantId, visitorId: from.id, min: 1, max: credits(1), expiresAt: later(60_000), idempotencyKey: key(), price: {}, now: now() });
  if (!held.ok) throw new Error('no hold');
  const attempt = () => transfer({ db: deps.pool, tenantId, fromVisitorId: from.id, toVisitorId: to.id, idempotencyKey: key(), actor: systemActor, now: now() });
  await expect(attempt()).rejects.toMatchObject({ code: 'holds_pending' });
  await release({ db: deps.pool, tenantId, holdId: held.hold.id, now: now() });
  expect((await attempt()).moved).toBe(credits(4));
  expect(await getBalance({ db: deps.pool, tenantId, visitorId: to.id, now: now() })).toMatchObject({ balance: credits(4), available: credits(4) });
});

it("never moves credits across tenants", async () => {
  const other = await ledgerTenant(deps);
  const mine = await fundedVisitor(deps, tenantId, credits(1));
  const theirs = await fundedVisitor(deps, other);
  await expect(
    transfer({ db: deps.pool, tenantId, fromVisitorId: mine.id, toVisitorId: theirs.id, idempotencyKey: key(), actor: systemActor, now: now() }),
  ).rejects.toMatchObject({ code: 'not_found' });
  await expectLedgerInvariants(deps.pool, other);
});

it('runs two opposite transfers at once without deadlock', async () => {
  const a = await fundedVisitor(deps, tenantId, credits(1));
  const b = await fundedVisitor(deps, tenantId, credits(2));
  const results = await Promise.allSettled([
    transfer({ db: deps.pool, tenantId, fromVisitorId: a.id, toVisitorId: b.id, idempotencyKey: key(), actor: systemActor, now: now() }),
    transfer({ db: deps.pool, tenantId, fromVisitorId: b.id, toVisitorId: a.id, idempotencyKey: key(), actor: systemActor, now: now() }),
  ]);
  expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
  const total = (await getBalance({ db: deps.pool, tenantId, visitorId: a.id, now: now() })).balance
    + (await getBalance({ db: deps.pool, tenantId, visitorId: b.id, now: now() })).balance;
  expect(total).toBe(credits(3));
});
