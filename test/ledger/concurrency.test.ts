import crypto from 'node:crypto';
import { Pool } from 'pg';
import type { Deps } from '../../server/src/deps';
import { getBalance } from '../../server/src/ledger/balance';
import { release, reserve, settle, type ReserveResult } from '../../server/src/ledger/hot-path';
import { sweepHolds } from '../../server/src/ledger/jobs';
import { closeDeps, createTestDeps } from '../support/app';
import type { TestClock } from '../support/clock';
import { workerDatabaseUrl } from '../support/db';
import { credits, expectLedgerInvariants, fundedVisitor, key, ledgerTenant } from '../support/ledger';

/**
 * Concurrency, with numbers. A pool of 50 connections (the test pool has 10) so that calls really
 * overlap inside PostgreSQL, not just in Node's queue.
 */
let deps: Deps & { clock: TestClock };
let wide: Pool;
let tenantId: string;

beforeAll(async () => {
  deps = await createTestDeps();
  wide = new Pool({ connectionString: await workerDatabaseUrl(), max: 50 });
  tenantId = await ledgerTenant(deps);
});
afterAll(async () => {
  await wide.end();
  await closeDeps(deps);
});
afterEach(() => expectLedgerInvariants(deps.pool, tenantId));

const now = () => deps.clock.now();
const inAnHour = () => new Date(now().getTime() + 3600_000);
const price = { messageFee: 0, inputPer1k: 0, outputPer1k: 1000 };

it('1,000 concurrent reserves of 10 credits against 5,000 available: exactly 500 holds, 500 refusals, 0 left', async () => {
  const v = await fundedVisitor(deps, tenantId, credits(5000));
  const results = await Promise.all(
    Array.from({ length: 1000 }, () =>
      reserve({ db: wide, tenantId, visitorId: v.id, min: credits(10), max: credits(10), expiresAt: inAnHour(), idempotencyKey: key(), price, now: now() }),
    ),
  );
  const held = results.filter((r): r is Extract<ReserveResult, { ok: true }> => r.ok);
  expect(held).toHaveLength(500);
  expect(held.every((r) => r.hold.amount === credits(10))).toBe(true);
  expect(new Set(held.map((r) => r.hold.id)).size).toBe(500);
  expect(results.filter((r) => !r.ok)).toEqual(Array.from({ length: 500 }, () => ({ ok: false, available: 0 })));
  expect(await getBalance({ db: deps.pool, tenantId, visitorId: v.id, now: now() })).toMatchObject({
    balance: credits(5000), reserved: credits(5000), available: 0,
  });
  await Promise.all(held.map((r) => release({ db: wide, tenantId, holdId: r.hold.id, now: now() })));
});

it('20 concurrent calls with one idempotency key: one effect, 20 identical answers', async () => {
  const v = await fundedVisitor(deps, tenantId, credits(100));
  const k = key('turn');
  const answers = await Promise.all(
    Array.from({ length: 20 }, () =>
      reserve({ db: wide, tenantId, visitorId: v.id, min: credits(1), max: credits(30), expiresAt: inAnHour(), idempotencyKey: k, price, now: now() }),
    ),
  );
  expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
  expect(answers[0]).toEqual({ ok: true, hold: { id: expect.any(String), amount: credits(30), status: 'pending' } });
  expect(await getBalance({ db: deps.pool, tenantId, visitorId: v.id, now: now() })).toMatchObject({ reserved: credits(30) });

  const holdId = (answers[0] as Extract<ReserveResult, { ok: true }>).hold.id;
  const settled = await Promise.all(Array.from({ length: 20 }, () => settle({ db: wide, tenantId, holdId, amount: credits(7), now: now() })));
  expect(settled.filter((s) => !s.replayed)).toHaveLength(1);
  expect(new Set(settled.map((s) => s.charged))).toEqual(new Set([credits(7)]));
  expect(await getBalance({ db: deps.pool, tenantId, visitorId: v.id, now: now() })).toMatchObject({
    balance: credits(93), reserved: 0, available: credits(93),
  });
});

/** Runs `fn` on a connection that is killed after `afterMs`: the call may or may not have committed. */
async function onDoomedConnection<T>(fn: (pool: Pool) => Promise<T>, afterMs: number): Promise<T | 'killed'> {
  const doomed = new Pool({ connectionString: await workerDatabaseUrl(), max: 1 });
  doomed.on('error', () => undefined);
  try {
    const client = await doomed.connect();
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    client.release();
    const killer = new Promise<void>((resolve) =>
      setTimeout(() => void wide.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]).then(() => resolve(), () => resolve()), afterMs),
    );
    const result = await fn(doomed).catch(() => 'killed' as const);
    await killer;
    return result;
  } finally {
    await doomed.end().catch(() => undefined);
  }
}

it('a storm of reserves, settles and releases with failures over 50 accounts keeps every invariant', async () => {
  const funded = credits(40);
  const visitors = await Promise.all(Array.from({ length: 50 }, () => fundedVisitor(deps, tenantId, funded)));
  const random = (n: number) => crypto.randomInt(n);
  let charged = 0;
  const turn = async () => {
    const v = visitors[random(visitors.length)]!;
    const k = key('storm');
    const reserveOnce = (pool: Pool) =>
      reserve({ db: pool, tenantId, visitorId: v.id, min: 500, max: 500 + random(5000), expiresAt: new Date(now().getTime() + 60_000), idempotencyKey: k, price, now: now() });
    // A connection may die mid-call (committed or not); the retry with the same key lands on the same hold.
    const first = random(6) === 0 ? await onDoomedConnection(reserveOnce, random(4)) : await reserveOnce(wide);
    const held = first === 'killed' || random(5) === 0 ? await reserveOnce(wide) : first;
    if (first !== 'killed' && first.ok && held.ok) expect(held.hold.id).toBe(first.hold.id);
    if (!held.ok) return;
    const fate = random(10);
    if (fate < 2) return; // the server "died" mid-turn: the sweeper voids the hold
    if (fate < 4) {
      await release({ db: wide, tenantId, holdId: held.hold.id, now: now() });
      if (fate === 3) expect((await release({ db: wide, tenantId, holdId: held.hold.id, now: now() })).replayed).toBe(true);
      return;
    }
    const amount = random(held.hold.amount * 2); // sometimes more than held: capped at the hold
    const settleOnce = (pool: Pool) => settle({ db: pool, tenantId, holdId: held.hold.id, amount, now: now() });
    const outcome = fate === 4 ? await onDoomedConnection(settleOnce, random(4)) : await settleOnce(wide);
    const final = outcome === 'killed' || fate === 5 ? await settleOnce(wide) : outcome;
    expect(final.charged).toBe(Math.min(amount, held.hold.amount));
    charged += final.charged;
  };
  await Promise.all(Array.from({ length: 30 }, async () => {
    for (let i = 0; i < 20; i += 1) await turn();
  }));
  await expectLedgerInvariants(deps.pool, tenantId);

  deps.clock.advance(60_001);
  while ((await sweepHolds({ db: deps.pool, now: now(), limit: 500 })) > 0) {
    // until every abandoned hold is voided
  }
  const { rows } = await deps.pool.query<{ reserved: string; balance: string }>(
    'SELECT sum(reserved) AS reserved, sum(balance) AS balance FROM ledger_accounts WHERE tenant_id = $1 AND visitor_id = ANY($2::uuid[])',
    [tenantId, visitors.map((v) => v.id)],
  );
  expect(Number(rows[0]!.reserved)).toBe(0);
  expect(visitors.length * funded - Number(rows[0]!.balance)).toBe(charged);
});
