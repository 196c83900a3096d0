import fc from 'fast-check';
import type { Deps } from '../../server/src/deps';
import { adjust } from '../../server/src/ledger/adjust';
import { getBalance } from '../../server/src/ledger/balance';
import { grant } from '../../server/src/ledger/grant';
import { release, reserve, settle } from '../../server/src/ledger/hot-path';
import { expireGrants, sweepHolds } from '../../server/src/ledger/jobs';
import { transfer } from '../../server/src/ledger/transfer';
import { createVisitor, type VisitorRecord } from '../../server/src/visitors/service';
import { closeDeps, createTestDeps } from '../support/app';
import type { TestClock } from '../support/clock';
import { expectLedgerInvariants, key, systemActor } from '../support/ledger';
import { LedgerModel, type Outcome } from './ledger-model';

/**
 * Model-based: random sequences of operations (grants with and without expiry, reserves,
 * settles, releases, adjustments, time passing, the expiry and sweeper jobs, transfers) run
 * against the real ledger and the in-memory model; after every step both must agree.
 */
let deps: Deps & { clock: TestClock };

beforeAll(async () => {
  deps = await createTestDeps();
});
afterAll(() => closeDeps(deps));

const minute = 60_000;
const visitorCount = 3;
const visitor = fc.integer({ min: 0, max: visitorCount - 1 });
const amount = fc.integer({ min: 1, max: 5000 });

type Op =
  | { op: 'grant'; v: number; amount: number; expiresIn: number | null }
  | { op: 'reserve'; v: number; min: number; extra: number; ttl: number }
  | { op: 'settle'; h: number; amount: number }
  | { op: 'release'; h: number }
  | { op: 'adjust'; v: number; amount: number }
  | { op: 'advance'; ms: number }
  | { op: 'expire' }
  | { op: 'sweep' }
  | { op: 'transfer'; from: number; to: number };

const ops: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant('grant' as const), v: visitor, amount, expiresIn: fc.option(fc.integer({ min: 1, max: 30 * minute })) }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constant('reserve' as const), v: visitor, min: fc.integer({ min: 1, max: 2000 }), extra: fc.integer({ min: 0, max: 3000 }), ttl: fc.integer({ min: 1, max: 20 * minute }) }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant('settle' as const), h: fc.nat(), amount: fc.integer({ min: 0, max: 6000 }) }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constant('release' as const), h: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('adjust' as const), v: visitor, amount: fc.integer({ min: -3000, max: 3000 }).filter((n) => n !== 0) }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 15 * minute }) }), weight: 2 },
  { arbitrary: fc.constant({ op: 'expire' as const }), weight: 1 },
  { arbitrary: fc.constant({ op: 'sweep' as const }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('transfer' as const), from: visitor, to: visitor }), weight: 1 },
);

async function outcome(run: () => Promise<Outcome>): Promise<Outcome> {
  try {
    return await run();
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (!code || code.length === 5) throw err; // a database error is a bug, not an outcome
    return { ok: false, code, available: (err as { details?: { available?: number } }).details?.available };
  }
}

async function runSequence(sequence: Op[]): Promise<void> {
  const tenant = await deps.pool.query<{ id: string }>("INSERT INTO tenants (name) VALUES ('model') RETURNING id");
  const tenantId = tenant.rows[0]!.id;
  const visitors: VisitorRecord[] = [];
  for (let i = 0; i < visitorCount; i += 1) visitors.push(await createVisitor({ db: deps.pool, tenantId }));
  const model = new LedgerModel(visitorCount);
  const holdIds: string[] = [];
  const db = deps.pool;

  for (const step of sequence) {
    deps.clock.advance(1); // distinct issue times: the burn order never hinges on random ids
    const now = deps.clock.now();
    const t = now.getTime();
    let real: Outcome;
    let expected: Outcome;
    switch (step.op) {
      case 'grant': {
        const expiresAt = step.expiresIn === null ? null : t + step.expiresIn;
        expected = model.grant(step.v, step.amount, expiresAt, t);
        real = await outcome(async () => {
          await grant({ db, tenantId, visitorId: visitors[step.v]!.id, amount: step.amount, source: 'promotion', expiresAt: expiresAt === null ? null : new Date(expiresAt), actor: systemActor, now });
          return { ok: true };
        });
        break;
      }
      case 'reserve': {
        expected = model.reserve(step.v, step.min, step.min + step.extra, t + step.ttl, t);
        real = await outcome(async () => {
          const r = await reserve({ db, tenantId, visitorId: visitors[step.v]!.id, min: step.min, max: step.min + step.extra, expiresAt: new Date(t + step.ttl), idempotencyKey: key(), price: {}, now });
          if (!r.ok) return { ok: false, code: 'insufficient', available: r.available };
          holdIds.push(r.hold.id);
          return { ok: true, amount: r.hold.amount };
        });
        break;
      }
      case 'settle':
      case 'release': {
        if (holdIds.length === 0) continue;
        const index = step.h % holdIds.length;
        const holdId = holdIds[index]!;
        if (step.op === 'settle') {
          expected = model.settle(index, step.amount);
          real = await outcome(async () => {
            const s = await settle({ db, tenantId, holdId, amount: step.amount, now });
            return { ok: true, charged: s.charged, replayed: s.replayed };
          });
        } else {
          expected = model.release(index);
          real = await outcome(async () => ({ ok: true, replayed: (await release({ db, tenantId, holdId, now })).replayed }));
        }
        break;
      }
      case 'adjust': {
        expected = step.amount > 0 ? model.grant(step.v, step.amount, null, t) : model.debit(step.v, -step.amount, t);
        real = await outcome(async () => {
          await adjust({ db, tenantId, visitorId: visitors[step.v]!.id, amount: step.amount, reason: 'model test', actor: systemActor, now });
          return { ok: true };
        });
        break;
      }
      case 'advance':
        deps.clock.advance(step.ms);
        continue;
      case 'expire':
        model.expire(t);
        while ((await expireGrants({ db, now, limit: 50 })).accounts === 50) {
          // until every account is done
        }
        continue;
      case 'sweep':
        model.sweep(t);
        while ((await sweepHolds({ db, now, limit: 50 })) === 50) {
          // until every hold is done
        }
        continue;
      case 'transfer': {
        if (step.from === step.to) continue;
        expected = model.transfer(step.from, step.to, t);
        real = await outcome(async () => {
          await transfer({ db, tenantId, fromVisitorId: visitors[step.from]!.id, toVisitorId: visitors[step.to]!.id, idempotencyKey: key(), actor: systemActor, now });
          return { ok: true };
        });
        break;
      }
    }
    expect({ step, outcome: real }).toEqual({ step, outcome: expected });
    for (let i = 0; i < visitorCount; i += 1) {
      const b = await getBalance({ db, tenantId, visitorId: visitors[i]!.id, now });
      expect({ step, visitor: i, balance: { balance: b.balance, reserved: b.reserved, available: b.available } })
        .toEqual({ step, visitor: i, balance: model.balance(i, t) });
    }
  }
  for (let i = 0; i < visitorCount; i += 1) {
    const { rows } = await db.query<{ shape: string }>(
      `SELECT remaining || '/' || held || '/' || coalesce((extract(epoch FROM expires_at) * 1000)::bigint::text, 'never') AS shape
         FROM grants WHERE account_id = $1 AND remaining > 0`,
      [visitors[i]!.accountId],
    );
    expect(rows.map((r) => r.shape).sort()).toEqual(model.grantShape(i));
  }
  await expectLedgerInvariants(db, tenantId);
}

it('agrees with a plain in-memory model over random operation sequences', async () => {
  // Bounded: 25 sequences take a few seconds; a failure gets time to shrink to a minimal case.
  await fc.assert(fc.asyncProperty(fc.array(ops, { minLength: 5, maxLength: 30 }), runSequence), {
    numRuns: 25,
    interruptAfterTimeLimit: 100_000,
    markInterruptAsFailure: true,
  });
}, 120_000);
