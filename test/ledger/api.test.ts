import request from 'supertest';
import { createApiKey } from '../../server/src/api-keys/service';
import { createTestApp, type TestApp } from '../support/app';
import { credits, expectLedgerInvariants, fundedVisitor, key } from '../support/ledger';
import { loginAgent, seedMember, seedTenant, type LoggedInAgent, type SeededTenant } from '../support/seed';

let t: TestApp;
let owner: SeededTenant;
let asOwner: LoggedInAgent;
let secret: string;

beforeAll(async () => {
  t = await createTestApp();
  owner = await seedTenant(t.deps, 'credits');
  asOwner = await loginAgent(t.app, owner);
  const created = await createApiKey({ models: t.deps.models, scope: { tenantId: owner.tenantId, actor: { type: 'user', id: owner.userId } }, kind: 'secret' });
  secret = created.token;
});
afterAll(() => t.close());
afterEach(() => expectLedgerInvariants(t.deps.pool, owner.tenantId));

const grantCall = (idempotencyKey: string | undefined, body: object) => {
  const req = request(t.app).post('/api/credits/grants').set('authorization', `Bearer ${secret}`);
  return (idempotencyKey ? req.set('idempotency-key', idempotencyKey) : req).send(body);
};

describe('secret-key credits API', () => {
  it('grants to a user by external id (creating the visitor), and replays the first response for the same key and body', async () => {
    const body = { externalUserId: `user-${key()}`, amount: credits(25), externalRef: `pay_${key()}`, email: 'buyer@example.test' };
    const k = key('idem');
    const first = await grantCall(k, body).expect(201);
    expect(first.body).toMatchObject({ externalUserId: body.externalUserId, amount: credits(25), balanceAfter: credits(25), grantId: expect.any(String) });
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const replay = await grantCall(k, { ...body }).expect(201);
    expect(replay.body).toEqual(first.body);
    expect(replay.headers['idempotent-replayed']).toBe('true');

    const balance = await request(t.app).get('/api/credits/balance').query({ externalUserId: body.externalUserId })
      .set('authorization', `Bearer ${secret}`).expect(200);
    expect(balance.body).toEqual({
      visitorId: first.body.visitorId, externalUserId: body.externalUserId, balance: credits(25), reserved: 0, available: credits(25), nextExpiry: null,
    });
    const lines = await request(t.app).get('/api/credits/statement').query({ externalUserId: body.externalUserId, limit: 5 })
      .set('authorization', `Bearer ${secret}`).expect(200);
    expect(lines.body.data).toHaveLength(1);
    expect(lines.body.data[0]).toMatchObject({ kind: 'grant', amount: credits(25), balanceAfter: credits(25), actor: { type: 'api_key' } });
  });

  it('answers 409 idempotency_conflict for the same key with another body, and writes nothing', async () => {
    const k = key('idem');
    const externalUserId = `user-${key()}`;
    await grantCall(k, { externalUserId, amount: credits(1) }).expect(201);
    const otherUser = `user-${key()}`;
    const conflict = await grantCall(k, { externalUserId: otherUser, amount: credits(1) }).expect(409);
    expect(conflict.body.error.code).toBe('idempotency_conflict');
    expect((await grantCall(k, { externalUserId, amount: credits(2) }).expect(409)).body.error.code).toBe('idempotency_conflict');
    // The conflicting request did not even create its visitor.
    const missing = await request(t.app).get('/api/credits/balance').query({ externalUserId: otherUser }).set('authorization', `Bearer ${secret}`).expect(404);
    expect(missing.body.error.code).toBe('not_found');
  });

  it('grants once per external reference, whatever the key', async () => {
    const body = { externalUserId: `user-${key()}`, amount: credits(3), externalRef: `pay_${key()}` };
    const first = await grantCall(key(), body).expect(201);
    const second = await grantCall(key(), body).expect(201);
    expect(second.body).toEqual(first.body);
  });

  it('handles 10 concurrent identical requests as one grant', async () => {
    const body = { externalUserId: `user-${key()}`, amount: credits(7) };
    const k = key('idem');
    const responses = await Promise.all(Array.from({ length: 10 }, () => grantCall(k, body)));
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(201));
    expect(new Set(responses.map((r) => JSON.stringify(r.body))).size).toBe(1);
    const balance = await request(t.app).get('/api/credits/balance').query({ externalUserId: body.externalUserId }).set('authorization', `Bearer ${secret}`).expect(200);
    expect(balance.body.balance).toBe(credits(7));
  });

  it('requires the Idempotency-Key header and validates the body', async () => {
    const missing = await grantCall(undefined, { externalUserId: 'u', amount: 1 }).expect(400);
    expect(missing.body.error).toMatchObject({ code: 'validation_failed', details: { fields: [{ in: 'header', path: 'Idempotency-Key' }] } });
    for (const body of [{ externalUserId: 'u', amount: 0 }, { externalUserId: 'u', amount: 1.5 }, { externalUserId: '', amount: 1 }, { externalUserId: 'u', amount: 1, extra: 1 }]) {
      expect((await grantCall(key(), body).expect(400)).body.error.code).toBe('validation_failed');
    }
    const past = await grantCall(key(), { externalUserId: `user-${key()}`, amount: 1, expiresAt: '2001-01-01T00:00:00Z' }).expect(400);
    expect(past.body.error.code).toBe('validation_failed');
  });
});

describe('dashboard visitors API', () => {
  it('lists and searches visitors with balances, shows one with grants and holds, and its statement', async () => {
    const v = await fundedVisitor(t.deps, owner.tenantId, credits(4));
    await t.deps.pool.query("UPDATE visitors SET email = 'Findable.Person@example.test' WHERE id = $1", [v.id]);
    const list = await asOwner.agent.get('/api/visitors').query({ q: 'findable.person' }).expect(200);
    expect(list.body.data).toEqual([expect.objectContaining({ id: v.id, balance: credits(4), reserved: 0, available: credits(4) })]);
    const page = await asOwner.agent.get('/api/visitors').query({ limit: 1 }).expect(200);
    expect(page.body.data).toHaveLength(1);
    const next = await asOwner.agent.get('/api/visitors').query({ limit: 1, cursor: page.body.nextCursor }).expect(200);
    expect(next.body.data[0].id).not.toBe(page.body.data[0].id);
    const detail = await asOwner.agent.get(`/api/visitors/${v.id}`).expect(200);
    expect(detail.body).toMatchObject({ visitor: { id: v.id }, balance: { balance: credits(4) }, grants: [{ remaining: credits(4), expired: false }], holds: [] });
    const lines = await asOwner.agent.get(`/api/visitors/${v.id}/statement`).expect(200);
    expect(lines.body.data).toHaveLength(1);
    await asOwner.agent.get('/api/visitors/not-a-uuid').expect(400);
    await asOwner.agent.get('/api/visitors').query({ cursor: 'garbage' }).expect(400);
  });

  it('makes adjustments with a reason, records who made them, and refuses one without', async () => {
    const v = await fundedVisitor(t.deps, owner.tenantId, credits(2));
    const noReason = await asOwner.write('post', `/api/visitors/${v.id}/adjustments`, { amount: 500 }).expect(400);
    expect(noReason.body.error.code).toBe('validation_failed');
    const blank = await asOwner.write('post', `/api/visitors/${v.id}/adjustments`, { amount: 500, reason: '   ' }).expect(400);
    expect(blank.body.error.code).toBe('validation_failed');
    const plus = await asOwner.write('post', `/api/visitors/${v.id}/adjustments`, { amount: 500, reason: 'sorry for the outage' }).expect(201);
    expect(plus.body).toMatchObject({ amount: 500, balanceAfter: credits(2) + 500, balance: { available: credits(2) + 500 } });
    const tooMuch = await asOwner.write('post', `/api/visitors/${v.id}/adjustments`, { amount: -credits(3), reason: 'chargeback' }).expect(402);
    expect(tooMuch.body.error).toMatchObject({ code: 'insufficient_credits', details: { available: credits(2) + 500 } });
    await asOwner.write('post', `/api/visitors/${v.id}/adjustments`, { amount: -credits(1), reason: 'chargeback' }).expect(201);
    const lines = await asOwner.agent.get(`/api/visitors/${v.id}/statement`).expect(200);
    expect(lines.body.data[0]).toMatchObject({ kind: 'adjustment', amount: -credits(1), reason: 'chargeback', actor: { type: 'user', id: owner.userId } });
  });

  it('lets an analyst read but not adjust (403)', async () => {
    const analyst = await seedMember(t.deps, owner.tenantId, 'analyst');
    const asAnalyst = await loginAgent(t.app, analyst, owner.tenantId);
    const v = await fundedVisitor(t.deps, owner.tenantId, credits(1));
    await asAnalyst.agent.get(`/api/visitors/${v.id}`).expect(200);
    const denied = await asAnalyst.write('post', `/api/visitors/${v.id}/adjustments`, { amount: 100, reason: 'nice try' }).expect(403);
    expect(denied.body.error.code).toBe('forbidden');
  });

  it("answers 404 for another tenant's visitor", async () => {
    const stranger = await seedTenant(t.deps, 'stranger');
    const theirs = await fundedVisitor(t.deps, stranger.tenantId, credits(1));
    await asOwner.agent.get(`/api/visitors/${theirs.id}`).expect(404);
    await asOwner.write('post', `/api/visitors/${theirs.id}/adjustments`, { amount: 100, reason: 'x' }).expect(404);
    await expectLedgerInvariants(t.deps.pool, stranger.tenantId);
  });
});
