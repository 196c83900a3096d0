import crypto from 'node:crypto';
import { Pool } from 'pg';
import type { Deps } from '../../server/src/deps';
import { batchQuery, configureLedgerBatching, type HotOp, type HotRow, type LedgerBatcher } from '../../server/src/ledger/batcher';
import { getBalance } from '../../server/src/ledger/balance';
import { grant } from '../../server/src/ledger/grant';
import { release, reserve, settle, type ReserveResult } from '../../server/src/ledger/hot-path';
import { expireGrants, sweepHolds } from '../../server/src/ledger/jobs';
import { createVisitor } from '../../server/src/visitors/service';
import { closeDeps, createTestDeps } from '../support/app';
import type { TestClock } from '../support/clock';
import { scratchDatabase, workerDatabaseUrl, type ScratchDatabase } from '../support/db';
import { credits, expectLedgerInvariants, fundedVisitor, key, ledgerTenant, systemActor } from '../support/ledger';

/**
 * Group commit (server/src/ledger/batcher.ts): calls that queue while another is in flight run
 * as one `parley_ledger_batch` transaction. Every caller must get exactly what its own call
 * would have got, in queue order; a failing op must fail alone; locks must never deadlock.
 * Each test builds its own pool and batcher so the batching settings are known, and checks the
 * batcher's counters so that a test that never batched cannot pass.
 */
let deps: Deps & { clock: TestClock };
const pools: Pool[] = [];

beforeAll(async () => {
  deps = await createTestDeps();
});
afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
  await closeDeps(deps);
});

async function batchedPool(options: { connections: number; maxOps: number }, url?: string): Promise<{ db: Pool; batcher: LedgerBatcher }> {
  const db = new Pool({ connectionString: url ?? (await workerDatabaseUrl()), max: options.connections + 2 });
  if (!url) pools.push(db); // the caller ends a pool of another database
  return { db, batcher: configureLedgerBatching(db, options) };
}

const price = { messageFee: 0, inputPer1k: 0, outputPer1k: 1000 };

type Call =
  | { op: 'reserve'; v: number; min: number; max: number; key: string; ttl: number }
  | { op: 'settle'; h: number; amount: number }
  | { op: 'release'; h: number };

/** What a caller sees: a value or an error code, with hold ids replaced by their order of appearance. */
type Seen = { ok: unknown } | { error: string };

async function seen(run: () => Promise<unknown>): Promise<Seen> {
  try {
    return { ok: await run() };
  } catch (err) {
    return { error: (err as { code?: string }).code ?? String(err) };
  }
}

/** One side of the comparison: a tenant with identically funded visitors, and the holds it has seen. */
interface Side {
  tenantId: string;
  visitors: string[];
  holds: string[];
}

async function side(visitorCount: number, t0: number): Promise<Side> {
  const tenantId = await ledgerTenant(deps);
  const visitors: string[] = [];
  for (let i = 0; i < visitorCount; i += 1) {
    const v = await createVisitor({ db: deps.pool, tenantId, now: new Date(t0) });
    // Two grants each: one expiring mid-test, one that never expires (distinct issue times, so
    // the burn order never depends on random ids).
    for (const [n, expiresIn] of [[credits(3 + i), 90_000], [credits(20), null]] as const) {
      await grant({
        db: deps.pool, tenantId, visitorId: v.id, amount: n, source: 'promotion', actor: systemActor,
        expiresAt: expiresIn === null ? null : new Date(t0 + expiresIn), now: new Date(t0 + visitors.length * 10 + (expiresIn ? 1 : 2)),
      });
    }
    visitors.push(v.id);
  }
  return { tenantId, visitors, holds: [] };
}

/** Runs one call; `holds` is the side's holds as of the round's start (what a caller could know). */
function call(db: Pool, s: Side, holds: readonly string[], c: Call, now: Date): Promise<Seen> {
  const holdId = (h: number) => holds[h] ?? crypto.randomUUID(); // past the end: an unknown hold
  switch (c.op) {
    case 'reserve':
      return seen(() =>
        reserve({
          db, tenantId: s.tenantId, visitorId: s.visitors[c.v]!, min: c.min, max: c.max,
          expiresAt: new Date(now.getTime() + c.ttl), idempotencyKey: c.key, price, now,
        }),
      );
    case 'settle':
      return seen(() => settle({ db, tenantId: s.tenantId, holdId: holdId(c.h), amount: c.amount, now }));
    case 'release':
      return seen(() => release({ db, tenantId: s.tenantId, holdId: holdId(c.h), now }));
  }
}

/** Learns the round's new holds in call order and names every hold by its order of appearance. */
function named(s: Side, results: Seen[]): Seen[] {
  return results.map((r) => {
    const held = 'ok' in r ? (r.ok as ReserveResult) : undefined;
    if (!held || held.ok !== true) return r;
    if (!s.holds.includes(held.hold.id)) s.holds.push(held.hold.id);
    return { ok: { ...held, hold: { ...held.hold, id: `h${s.holds.indexOf(held.hold.id)}` } } };
  });
}

function outcomeKind(r: Seen): string {
  if ('error' in r) return `error:${r.error}`;
  const v = r.ok as { ok?: boolean; replayed?: boolean };
  if (v.ok === true) return 'held';
  if (v.ok === false) return 'insufficient';
  return v.replayed ? 'replayed' : 'settled-or-released';
}

function randomCalls(count: number, visitors: number, holds: number, keys: string[]): Call[] {
  const r = (n: number) => crypto.randomInt(n);
  return Array.from({ length: count }, (): Call => {
    const kind = r(10);
    if (kind < 5) {
      // Mostly fresh keys; some reused (a retry: same hold; or another visitor's: a conflict).
      const k = keys.length > 0 && r(5) === 0 ? keys[r(keys.length)]! : key('mix');
      keys.push(k);
      const min = 1 + r(credits(4));
      return { op: 'reserve', v: r(visitors), min, max: min + r(credits(6)), key: k, ttl: 1 + r(300_000) };
    }
    const h = r(holds + 2); // now and then a hold that does not exist
    return kind < 8 ? { op: 'settle', h, amount: r(credits(8)) } : { op: 'release', h };
  });
}

/**
 * Runs `rounds` rounds of calls on two identically funded sides: all of a round at once through a
 * batching pool on one, one after another on the other; every answer and balance must match.
 */
async function compareWithSingles(o: { visitors: number; maxOps: number; rounds: (round: number, s: Side, keys: string[]) => Call[] }) {
  const t0 = Date.now();
  const a = await side(o.visitors, t0);
  const b = await side(o.visitors, t0);
  const { db: batchedDb, batcher } = await batchedPool({ connections: 1, maxOps: o.maxOps });
  const { db: singleDb, batcher: singles } = await batchedPool({ connections: 1, maxOps: 1 });
  const keys: string[] = [];
  const kinds = new Set<string>();
  for (let round = 0; round < 8; round += 1) {
    // Time passes: from round 4 on the first grants have expired (reserve must skip them).
    const now = new Date(t0 + 1000 + round * 20_000);
    const calls = o.rounds(round, a, keys);
    // All at once on the batched side (queued in this order), one after another on the other.
    const [holdsA, holdsB] = [[...a.holds], [...b.holds]];
    const batched = named(a, await Promise.all(calls.map((c) => call(batchedDb, a, holdsA, c, now))));
    const single: Seen[] = [];
    for (const c of calls) single.push(await call(singleDb, b, holdsB, c, now));
    const singleNamed = named(b, single);
    expect(calls.map((c, i) => ({ c, seen: batched[i] }))).toEqual(calls.map((c, i) => ({ c, seen: singleNamed[i] })));
    for (const r of singleNamed) kinds.add(outcomeKind(r));
  }
  for (let i = 0; i < a.visitors.length; i += 1) {
    const now = new Date(t0 + 200_000);
    const [ba, bb] = await Promise.all([a, b].map((s) => getBalance({ db: deps.pool, tenantId: s.tenantId, visitorId: s.visitors[i]!, now })));
    expect(ba).toEqual(bb);
  }
  expect(singles.stats.batches).toBe(0);
  await expectLedgerInvariants(deps.pool, a.tenantId);
  await expectLedgerInvariants(deps.pool, b.tenantId);
  return { kinds, stats: batcher.stats };
}

it('answers every caller exactly as single calls in queue order would, over random mixes', async () => {
  // Four visitors, 40 calls a round: most ops share their account with others in the batch.
  const { kinds, stats } = await compareWithSingles({
    visitors: 4, maxOps: 16, rounds: (_, s, keys) => randomCalls(40, s.visitors.length, s.holds.length, keys),
  });
  // The mixes did reach every kind of answer (a comparison of nothing but refusals proves little).
  expect([...kinds].sort()).toEqual(
    ['error:hold_settled', 'error:hold_voided', 'error:idempotency_conflict', 'error:not_found', 'held', 'insufficient', 'replayed', 'settled-or-released'],
  );
  // 8 rounds of 40 calls: all but the first of each round wait for a round trip, so they batch.
  expect(stats.batchedOps).toBeGreaterThan(200);
  expect(stats.fallbacks).toBe(0);
});

it('answers exactly as single calls would when most ops are alone on their account (the set-based way)', async () => {
  // Twenty visitors, a dozen calls a round; every other round settles the holds of the one before
  // (from round 5 on, holds on grants that expired after the reserve: the settle still burns them,
  // and what is available leaves the expired rest out).
  const { kinds, stats } = await compareWithSingles({
    visitors: 20,
    maxOps: 64,
    rounds: (round, s, keys) => {
      if (round % 2 === 1) {
        const start = Math.max(0, s.holds.length - 12);
        return Array.from({ length: s.holds.length - start }, (_, i): Call => ({ op: 'settle', h: start + i, amount: crypto.randomInt(credits(4)) }));
      }
      return [
        ...Array.from({ length: 12 }, (_, i): Call => {
          const k = key('set');
          keys.push(k);
          return { op: 'reserve', v: (round * 7 + i) % s.visitors.length, min: 1, max: 1 + crypto.randomInt(credits(3)), key: k, ttl: 600_000 };
        }),
        ...randomCalls(4, s.visitors.length, s.holds.length, keys),
      ];
    },
  });
  expect(kinds).toContain('held');
  expect(kinds).toContain('settled-or-released');
  // Without the set-based statements doing most of the work this would prove nothing new.
  expect(stats.setOps).toBeGreaterThan(60);
  expect(stats.fallbacks).toBe(0);
});

it('1,000 concurrent reserves in batches: exactly 500 holds, 500 refusals, 0 left', async () => {
  const tenantId = await ledgerTenant(deps);
  const v = await fundedVisitor(deps, tenantId, credits(5000));
  const { db, batcher } = await batchedPool({ connections: 4, maxOps: 64 });
  const now = deps.clock.now();
  const results = await Promise.all(
    Array.from({ length: 1000 }, () =>
      reserve({ db, tenantId, visitorId: v.id, min: credits(10), max: credits(10), expiresAt: new Date(now.getTime() + 3600_000), idempotencyKey: key(), price, now }),
    ),
  );
  const held = results.filter((r): r is Extract<ReserveResult, { ok: true }> => r.ok);
  expect(held).toHaveLength(500);
  expect(new Set(held.map((r) => r.hold.id)).size).toBe(500);
  expect(results.filter((r) => !r.ok)).toEqual(Array.from({ length: 500 }, () => ({ ok: false, available: 0 })));
  expect(await getBalance({ db: deps.pool, tenantId, visitorId: v.id, now })).toMatchObject({ reserved: credits(5000), available: 0 });
  expect(batcher.stats.batchedOps).toBeGreaterThan(900);
  await Promise.all(held.map((r) => release({ db, tenantId, holdId: r.hold.id, now })));
  await expectLedgerInvariants(deps.pool, tenantId);
});

it('20 concurrent calls with one idempotency key in one batch: one effect, 20 identical answers', async () => {
  const tenantId = await ledgerTenant(deps);
  const v = await fundedVisitor(deps, tenantId, credits(100));
  const { db, batcher } = await batchedPool({ connections: 1, maxOps: 64 });
  const now = deps.clock.now();
  const k = key('turn');
  const answers = await Promise.all(
    Array.from({ length: 20 }, () =>
      reserve({ db, tenantId, visitorId: v.id, min: credits(1), max: credits(30), expiresAt: new Date(now.getTime() + 3600_000), idempotencyKey: k, price, now }),
    ),
  );
  expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
  expect(answers[0]).toEqual({ ok: true, hold: { id: expect.any(String), amount: credits(30), status: 'pending' } });
  const holdId = (answers[0] as Extract<ReserveResult, { ok: true }>).hold.id;
  const settled = await Promise.all(Array.from({ length: 20 }, () => settle({ db, tenantId, holdId, amount: credits(7), now })));
  expect(settled.filter((s) => !s.replayed)).toHaveLength(1);
  expect(new Set(settled.map((s) => s.charged))).toEqual(new Set([credits(7)]));
  expect(await getBalance({ db: deps.pool, tenantId, visitorId: v.id, now })).toMatchObject({
    balance: credits(93), reserved: 0, available: credits(93),
  });
  // Each 20, queued in the same turn of the event loop, left together as one batch.
  expect(batcher.stats).toEqual({ batches: 2, batchedOps: 40, setOps: 0, singles: 0, fallbacks: 0 });
  await expectLedgerInvariants(deps.pool, tenantId);
});

describe('an op the database refuses inside a batch', () => {
  let scratch: ScratchDatabase;
  let own: Deps & { clock: TestClock };
  let db: Pool;
  let batcher: LedgerBatcher;

  beforeAll(async () => {
    scratch = await scratchDatabase({ migrated: true });
    own = await createTestDeps({ databaseUrl: scratch.url });
    ({ db, batcher } = await batchedPool({ connections: 1, maxOps: 64 }, scratch.url));
    // A fault only this database has: inserting a hold whose key starts with "boom" fails.
    await own.pool.query(`
      CREATE FUNCTION test_boom() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'boom' USING ERRCODE = 'LG099'; END $$;
      CREATE TRIGGER holds_boom BEFORE INSERT ON holds FOR EACH ROW WHEN (NEW.idempotency_key LIKE 'boom%') EXECUTE FUNCTION test_boom();
    `);
  });
  afterAll(async () => {
    await db.end();
    await closeDeps(own);
    await scratch.drop();
  });

  it('fails alone: its neighbours run again one by one and succeed', async () => {
    const tenantId = await ledgerTenant(own);
    const v = await fundedVisitor(own, tenantId, credits(100));
    const now = own.clock.now();
    const expiresAt = new Date(now.getTime() + 3600_000);
    const first = await reserve({ db, tenantId, visitorId: v.id, min: credits(1), max: credits(5), expiresAt, idempotencyKey: key(), price, now });
    if (!first.ok) throw new Error('unfunded');
    const keys = Array.from({ length: 10 }, (_, i) => (i === 6 ? key('boom') : key()));
    const results = await Promise.all([
      ...keys.map((k) =>
        seen(() => reserve({ db, tenantId, visitorId: v.id, min: credits(1), max: credits(5), expiresAt, idempotencyKey: k, price, now })),
      ),
      seen(() => settle({ db, tenantId, holdId: first.hold.id, amount: credits(2), now })),
    ]);
    expect(results[6]).toEqual({ error: 'LG099' });
    const held = results.slice(0, 10).filter((r) => 'ok' in r && (r.ok as ReserveResult).ok === true);
    expect(held).toHaveLength(9);
    expect(results[10]).toMatchObject({ ok: { charged: credits(2), replayed: false } });
    expect(batcher.stats.fallbacks).toBeGreaterThanOrEqual(1);
    expect(await getBalance({ db: own.pool, tenantId, visitorId: v.id, now })).toMatchObject({
      balance: credits(98), reserved: credits(45), available: credits(53),
    });
    await expectLedgerInvariants(own.pool, tenantId);
  });
});

it('a key another transaction is inserting meanwhile fails the set-based batch, and its ops then run alone', async () => {
  const tenantId = await ledgerTenant(deps);
  const [a, b, c] = await Promise.all([1, 2, 3].map(() => fundedVisitor(deps, tenantId, credits(10))));
  const { db, batcher } = await batchedPool({ connections: 1, maxOps: 64 });
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + 3600_000);
  const shared = key('race');
  // Another server's transaction has placed a hold with the key and not yet committed: the
  // batch's look-up cannot see it, and its insert waits on the UNIQUE index.
  const other = await deps.pool.connect();
  try {
    await other.query('BEGIN');
    await other.query('SELECT * FROM parley_reserve($1, $2, 1, 1000, $3, $4, $5, $6)', [tenantId, a!.id, expiresAt, shared, '{}', now]);
    const calls = Promise.all([b!, c!].map((v, i) =>
      seen(() => reserve({ db, tenantId, visitorId: v.id, min: 1, max: 1000, expiresAt, idempotencyKey: i === 0 ? shared : key(), price, now })),
    ));
    for (;;) {
      const { rows } = await deps.pool.query(
        "SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%parley_ledger_batch_sets%'",
      );
      if (rows.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await other.query('COMMIT');
    const [withShared, withOwn] = await calls;
    // Run again alone, the first learns the key is another visitor's; the second is unharmed.
    expect(withShared).toEqual({ error: 'idempotency_conflict' });
    expect(withOwn).toMatchObject({ ok: { ok: true, hold: { amount: 1000, status: 'pending' } } });
  } finally {
    other.release();
  }
  expect(batcher.stats).toMatchObject({ batches: 0, fallbacks: 1, singles: 2 });
  for (const [v, reserved] of [[b!, 0], [c!, 1000]] as const) {
    expect(await getBalance({ db: deps.pool, tenantId, visitorId: v.id, now })).toMatchObject({ reserved });
  }
  await expectLedgerInvariants(deps.pool, tenantId);
});

it('never deadlocks with the sweeper and grant expiry running at the same time', async () => {
  const tenantId = await ledgerTenant(deps);
  const visitors = await Promise.all(
    Array.from({ length: 8 }, () => fundedVisitor(deps, tenantId, credits(50), { expiresAt: new Date(deps.clock.now().getTime() + 30_000) })),
  );
  for (const v of visitors) {
    await grant({ db: deps.pool, tenantId, visitorId: v.id, amount: credits(500), source: 'promotion', actor: systemActor, now: deps.clock.now() });
  }
  const { db, batcher } = await batchedPool({ connections: 3, maxOps: 32 });
  const jobs = new Pool({ connectionString: await workerDatabaseUrl(), max: 4 });
  pools.push(jobs);
  let running = true;
  let swept = 0;
  // Two job loops on their own connections while turns run; the clock keeps moving, so holds
  // expire under settles and grants expire under reserves. The sweeper locks several accounts
  // (ascending) at once: a batch taking accounts in any other order would deadlock with it.
  const jobLoop = async () => {
    while (running) {
      deps.clock.advance(500);
      const now = deps.clock.now();
      const [, n] = await Promise.all([expireGrants({ db: jobs, now, limit: 5 }), sweepHolds({ db: jobs, now, limit: 50 })]);
      swept += n;
    }
  };
  const loops = [jobLoop(), jobLoop()];
  const expected = new Set(['hold_voided', 'hold_settled']);
  const turn = async (i: number) => {
    const now = deps.clock.now();
    const v = visitors[(i * 5) % visitors.length]!;
    const r = await reserve({ db, tenantId, visitorId: v.id, min: 100, max: 100 + crypto.randomInt(2000), expiresAt: new Date(now.getTime() + crypto.randomInt(1, 3000)), idempotencyKey: key(), price, now });
    if (!r.ok) return;
    const fate = crypto.randomInt(4);
    if (fate === 0) return; // abandoned: the sweeper's
    const finish = fate === 1
      ? release({ db, tenantId, holdId: r.hold.id, now: deps.clock.now() })
      : settle({ db, tenantId, holdId: r.hold.id, amount: crypto.randomInt(3000), now: deps.clock.now() });
    await finish.catch((err: { code?: string }) => {
      if (!expected.has(err.code ?? '')) throw err; // the sweeper got there first: fine; anything else is not
    });
  };
  try {
    await Promise.all(Array.from({ length: 24 }, async (_, c) => {
      for (let i = 0; i < 30; i += 1) await turn(c + i);
    }));
  } finally {
    running = false;
    await Promise.all(loops);
  }
  expect(swept).toBeGreaterThan(20);
  expect(batcher.stats.batchedOps).toBeGreaterThan(100);
  expect(batcher.stats.fallbacks).toBe(0); // a deadlock (40P01) would have forced one
  await expectLedgerInvariants(deps.pool, tenantId);
}, 60_000);

describe('lock order of a batch (holds, then accounts ascending: the order of the whole ledger)', () => {
  /**
   * Deterministic: another transaction holds one lock, the batch queues behind it, and we look at
   * what the batch already holds by trying the other lock with NOWAIT.
   */
  async function whileBatchWaits(lockFirst: string, ops: HotOp[], probe: string): Promise<{ probe: 'free' | 'taken'; rows: HotRow[] }> {
    const blocker = await deps.pool.connect();
    const runner = await deps.pool.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query(lockFirst);
      const { pid } = (await runner.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!;
      const batch = runner.query<HotRow>(batchQuery(ops));
      for (;;) {
        const { rows } = await deps.pool.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'", [pid]);
        if (rows.length > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      let state: 'free' | 'taken' = 'free';
      await blocker.query('SAVEPOINT probe');
      await blocker.query(probe).catch((err: { code?: string }) => {
        if (err.code !== '55P03') throw err;
        state = 'taken';
      });
      await blocker.query('ROLLBACK');
      return { probe: state, rows: (await batch).rows };
    } finally {
      blocker.release();
      runner.release();
    }
  }

  it('takes every account before using any, ascending, and holds before accounts', async () => {
    const tenantId = await ledgerTenant(deps);
    const [low, high] = (await Promise.all([1, 2].map(() => fundedVisitor(deps, tenantId, credits(10))))).sort((x, y) =>
      x.accountId < y.accountId ? -1 : 1,
    ) as [Awaited<ReturnType<typeof fundedVisitor>>, Awaited<ReturnType<typeof fundedVisitor>>];
    const now = deps.clock.now();
    const expires = new Date(now.getTime() + 3600_000);
    const reserveOp = (visitor: string): HotOp => ({ op: 'reserve', tenant: tenantId, visitor, min: 1, max: 1000, expires, key: key(), price, now });
    const lockAccount = (id: string, nowait = false) => `SELECT 1 FROM ledger_accounts WHERE id = '${id}' FOR NO KEY UPDATE${nowait ? ' NOWAIT' : ''}`;

    // Accounts ascending: blocked on the high account, the batch already has the low one.
    const ascending = await whileBatchWaits(lockAccount(high.accountId), [reserveOp(high.id), reserveOp(low.id)], lockAccount(low.accountId, true));
    expect(ascending.probe).toBe('taken');
    expect(ascending.rows.map((r) => r.o_outcome)).toEqual(['ok', 'ok']);

    // Holds first: blocked on a hold it settles, the batch has no account yet.
    const held = await reserve({ db: deps.pool, tenantId, visitorId: high.id, min: 1, max: 1000, expiresAt: expires, idempotencyKey: key(), price, now });
    if (!held.ok) throw new Error('unfunded');
    const holdsFirst = await whileBatchWaits(
      `SELECT 1 FROM holds WHERE id = '${held.hold.id}' FOR NO KEY UPDATE`,
      [reserveOp(low.id), { op: 'settle', tenant: tenantId, hold: held.hold.id, amount: 500, now }],
      lockAccount(low.accountId, true),
    );
    expect(holdsFirst.probe).toBe('free');
    expect(holdsFirst.rows.map((r) => r.o_outcome)).toEqual(['ok', 'ok']);
    await expectLedgerInvariants(deps.pool, tenantId);
  });
});
