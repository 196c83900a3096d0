/**
 * The cross-tenant matrix: for every tenant-scoped route with an id in its path, tenant B asking
 * for tenant A's record gets 404 and changes nothing. A route missing from the matrix fails the
 * test, so every route added later is covered from its first day.
 *
 * To add a route: add an entry keyed "METHOD /path/:param" whose `setup` creates tenant A's record
 * (through the API as A, or a service) and returns the path params (and a valid body, so that the
 * 404 cannot be a 400 in disguise).
 */
import request from 'supertest';
import { routeKey } from '../../server/src/http/mount';
import { startCheckout } from '../../server/src/payments/start-checkout';
import { grant } from '../../server/src/ledger/grant';
import { createVisitor } from '../../server/src/visitors/service';
import { createTestApp, type TestApp } from '../support/app';
import { loginAgent, seedTenant, type LoggedInAgent, type SeededTenant } from '../support/seed';

interface MatrixContext {
  t: TestApp;
  a: SeededTenant;
  asA: LoggedInAgent;
}

interface MatrixEntry {
  setup(ctx: MatrixContext): Promise<{ params: Record<string, string>; body?: object }>;
  /** Optional: prove A's record is untouched after B's attempt. */
  unchanged?(ctx: MatrixContext, params: Record<string, string>): Promise<void>;
}

async function createKey({ asA }: MatrixContext): Promise<string> {
  const res = await asA.write('post', '/api/keys', { kind: 'secret', name: 'a' }).expect(201);
  return (res.body as { key: { id: string } }).key.id;
}

async function keyStillActive({ asA }: MatrixContext, params: Record<string, string>): Promise<void> {
  const list = await asA.agent.get('/api/keys').expect(200);
  const key = (list.body as { data: Array<{ id: string; status: string }> }).data.find((k) => k.id === params.id);
  expect(key?.status).toBe('active');
}

async function createInvite({ asA }: MatrixContext): Promise<string> {
  const res = await asA.write('post', '/api/workspace/invites', { role: 'analyst' }).expect(201);
  return (res.body as { invite: { id: string } }).invite.id;
}

async function inviteStillPending({ asA }: MatrixContext, params: Record<string, string>): Promise<void> {
  const list = await asA.agent.get('/api/workspace/invites').expect(200);
  const invite = (list.body as { data: Array<{ id: string; status: string }> }).data.find((i) => i.id === params.id);
  expect(invite?.status).toBe('pending');
}

async function stillOwner({ asA, a }: MatrixContext, params: Record<string, string>): Promise<void> {
  const list = await asA.agent.get('/api/workspace/members').expect(200);
  const member = (list.body as { data: Array<{ userId: string; role: string }> }).data.find((m) => m.userId === params.userId);
  expect(member?.role).toBe(params.userId === a.userId ? 'owner' : 'analyst');
}

async function createPersona({ asA }: MatrixContext): Promise<string> {
  const model = await asA
    .write('post', '/api/models', { provider: 'demo', providerModelId: `m-${Date.now()}-${Math.random()}`, displayName: 'M', inputPer1k: 1, outputPer1k: 1 })
    .expect(201);
  const res = await asA.write('post', '/api/personas', { name: 'A persona', modelId: (model.body as { id: string }).id }).expect(201);
  return (res.body as { id: string }).id;
}

async function personaUnchanged({ asA }: MatrixContext, params: Record<string, string>): Promise<void> {
  const res = await asA.agent.get(`/api/personas/${params.id}`).expect(200);
  expect(res.body).toMatchObject({ name: 'A persona', enabled: true });
}

async function setProviderKey({ asA }: MatrixContext): Promise<string> {
  await asA.write('put', '/api/provider-keys', { provider: 'anthropic', apiKey: 'sk-ant-tenant-a-secret' }).expect(200);
  return 'anthropic';
}

async function providerKeyKept({ asA }: MatrixContext): Promise<void> {
  const res = await asA.agent.get('/api/provider-keys').expect(200);
  expect((res.body as { data: Array<{ provider: string }> }).data.map((k) => k.provider)).toContain('anthropic');
}

/** A visitor and an empty conversation of tenant A, straight in SQL (no widget needed). */
async function createConversation({ t, a }: MatrixContext): Promise<string> {
  const { rows } = await t.deps.pool.query<{ id: string }>(
    `WITH v AS (INSERT INTO visitors (tenant_id) VALUES ($1) RETURNING id, tenant_id)
     INSERT INTO chat_conversations (tenant_id, visitor_id, title) SELECT tenant_id, id, 'matrix' FROM v RETURNING id`,
    [a.tenantId],
  );
  return rows[0]!.id;
}

async function createPack({ asA }: MatrixContext): Promise<string> {
  const res = await asA.write('post', '/api/packs', { name: 'A pack', credits: 10_000, amountMinor: 500, currency: 'usd' }).expect(201);
  return (res.body as { id: string }).id;
}

async function packUnchanged({ asA }: MatrixContext, params: Record<string, string>): Promise<void> {
  const res = await asA.agent.get(`/api/packs/${params.id}`).expect(200);
  expect(res.body).toMatchObject({ name: 'A pack', active: true });
}

/** A demo-checkout purchase of tenant A (no Stripe keys, not production). */
async function createPurchase(c: MatrixContext): Promise<string> {
  const packId = await createPack(c);
  const { rows } = await c.t.deps.pool.query<{ id: string }>('INSERT INTO visitors (tenant_id) VALUES ($1) RETURNING id', [c.a.tenantId]);
  const started = await startCheckout({
    deps: c.t.deps, config: c.t.config, tenantId: c.a.tenantId, visitorId: rows[0]!.id, packId, returnUrl: `${c.t.config.publicUrl}/`,
  });
  return started.purchaseId;
}

/** A funded visitor of tenant A, through the ledger's own services. */
async function createFundedVisitor({ t, a }: MatrixContext): Promise<string> {
  const visitor = await createVisitor({ db: t.deps.pool, tenantId: a.tenantId });
  await grant({ db: t.deps.pool, tenantId: a.tenantId, visitorId: visitor.id, amount: 5000, source: 'promotion', actor: { type: 'system', id: 'matrix' }, now: new Date() });
  return visitor.id;
}

async function visitorBalanceUnchanged({ asA }: MatrixContext, params: Record<string, string>): Promise<void> {
  const res = await asA.agent.get(`/api/visitors/${params.id}`).expect(200);
  expect(res.body).toMatchObject({ balance: { balance: 5000, reserved: 0 } });
}

async function createModel({ asA }: MatrixContext): Promise<string> {
  const res = await asA
    .write('post', '/api/models', { provider: 'demo', providerModelId: `matrix-${Date.now()}-${Math.random()}`, displayName: 'A model', inputPer1k: 1, outputPer1k: 1 })
    .expect(201);
  return (res.body as { id: string }).id;
}

async function modelUnchanged({ asA }: MatrixContext, params: Record<string, string>): Promise<void> {
  const res = await asA.agent.get(`/api/models/${params.id}`).expect(200);
  expect(res.body).toMatchObject({ displayName: 'A model', enabled: true, archivedAt: null });
}

export const matrix: Record<string, MatrixEntry> = {
  'POST /api/keys/:id/roll': { setup: async (c) => ({ params: { id: await createKey(c) }, body: {} }), unchanged: keyStillActive },
  'DELETE /api/keys/:id': { setup: async (c) => ({ params: { id: await createKey(c) } }), unchanged: keyStillActive },
  'GET /api/conversations/:id': { setup: async (c) => ({ params: { id: await createConversation(c) } }) },
  'DELETE /api/workspace/invites/:id': { setup: async (c) => ({ params: { id: await createInvite(c) } }), unchanged: inviteStillPending },
  'PATCH /api/workspace/members/:userId': { setup: async ({ a }) => ({ params: { userId: a.userId }, body: { role: 'analyst' } }), unchanged: stillOwner },
  'DELETE /api/workspace/members/:userId': { setup: async ({ a }) => ({ params: { userId: a.userId } }), unchanged: stillOwner },
  'GET /api/personas/:id': { setup: async (c) => ({ params: { id: await createPersona(c) } }) },
  'PATCH /api/personas/:id': { setup: async (c) => ({ params: { id: await createPersona(c) }, body: { name: 'B was here', enabled: false } }), unchanged: personaUnchanged },
  'DELETE /api/personas/:id': { setup: async (c) => ({ params: { id: await createPersona(c) } }), unchanged: personaUnchanged },
  'DELETE /api/provider-keys/:provider': { setup: async (c) => ({ params: { provider: await setProviderKey(c) } }), unchanged: providerKeyKept },
  'POST /api/provider-keys/:provider/test': { setup: async (c) => ({ params: { provider: await setProviderKey(c) }, body: {} }), unchanged: providerKeyKept },
  'GET /api/packs/:id': { setup: async (c) => ({ params: { id: await createPack(c) } }) },
  'PATCH /api/packs/:id': { setup: async (c) => ({ params: { id: await createPack(c) }, body: { name: 'B was here', active: false } }), unchanged: packUnchanged },
  'DELETE /api/packs/:id': { setup: async (c) => ({ params: { id: await createPack(c) } }), unchanged: packUnchanged },
  'GET /api/purchases/:id': { setup: async (c) => ({ params: { id: await createPurchase(c) } }) },
  'GET /api/visitors/:id': { setup: async (c) => ({ params: { id: await createFundedVisitor(c) } }) },
  'GET /api/visitors/:id/statement': { setup: async (c) => ({ params: { id: await createFundedVisitor(c) } }) },
  'POST /api/visitors/:id/adjustments': {
    setup: async (c) => ({ params: { id: await createFundedVisitor(c) }, body: { amount: -1000, reason: 'B was here' } }),
    unchanged: visitorBalanceUnchanged,
  },
  'GET /api/models/:id': { setup: async (c) => ({ params: { id: await createModel(c) } }) },
  'PATCH /api/models/:id': { setup: async (c) => ({ params: { id: await createModel(c) }, body: { displayName: 'B was here', enabled: false } }), unchanged: modelUnchanged },
  'DELETE /api/models/:id': { setup: async (c) => ({ params: { id: await createModel(c) } }), unchanged: modelUnchanged },
};

const fillPath = (path: string, params: Record<string, string>) =>
  path.replace(/:([A-Za-z0-9_]+)/g, (_m, name: string) => {
    const value = params[name];
    if (!value) throw new Error(`matrix setup gave no value for :${name} in ${path}`);
    return encodeURIComponent(value);
  });

let t: TestApp;
let ctx: MatrixContext;
let asB: LoggedInAgent;
let b: SeededTenant;

beforeAll(async () => {
  t = await createTestApp();
  const a = await seedTenant(t.deps, 'tenant-a');
  b = await seedTenant(t.deps, 'tenant-b');
  ctx = { t, a, asA: await loginAgent(t.app, a) };
  asB = await loginAgent(t.app, b);
});
afterAll(() => t.close());

const tenantRoutesWithIds = () => t.app.parleyRoutes.filter((r) => r.auth === 'tenant' && r.path.includes(':'));

it('has a matrix entry for every tenant-scoped route with an id in its path', () => {
  const missing = tenantRoutesWithIds().map(routeKey).filter((key) => !matrix[key]);
  expect(missing).toEqual([]);
  const stale = Object.keys(matrix).filter((key) => !tenantRoutesWithIds().some((r) => routeKey(r) === key));
  expect(stale).toEqual([]);
});

it('answers 404 to tenant B for each of tenant A’s records, and changes nothing', async () => {
  const seenIds: string[] = [];
  for (const route of tenantRoutesWithIds()) {
    const entry = matrix[routeKey(route)];
    if (!entry) continue; // reported by the test above
    const { params, body } = await entry.setup(ctx);
    seenIds.push(...Object.values(params));
    const path = fillPath(route.path, params);
    const res = route.method === 'get' ? await asB.agent.get(path) : await asB.write(route.method, path, body);
    expect({ route: routeKey(route), status: res.status, code: res.body?.error?.code }).toEqual({
      route: routeKey(route),
      status: 404,
      code: 'not_found',
    });
    await entry.unchanged?.(ctx, params);
  }
  // B's own listings never mention A's records either.
  for (const route of t.app.parleyRoutes.filter((r) => r.auth === 'tenant' && r.method === 'get' && !r.path.includes(':'))) {
    const res = await asB.agent.get(route.path);
    const text = JSON.stringify(res.body);
    for (const id of seenIds) expect({ route: routeKey(route), leaks: text.includes(id) }).toEqual({ route: routeKey(route), leaks: false });
  }
});

it('binds a secret key to its own tenant', async () => {
  const created = await ctx.asA.write('post', '/api/keys', { kind: 'secret' }).expect(201);
  const res = await request(t.app).get('/api/workspace').set('authorization', `Bearer ${created.body.token}`).expect(200);
  expect(res.body.id).toBe(ctx.a.tenantId);
  expect(res.body.id).not.toBe(b.tenantId);
});
