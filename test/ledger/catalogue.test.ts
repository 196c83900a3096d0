import { createTestApp, type TestApp } from '../support/app';
import { expectLedgerInvariants } from '../support/ledger';
import { loginAgent, seedMember, seedTenant, type LoggedInAgent, type SeededTenant } from '../support/seed';

let t: TestApp;
let owner: SeededTenant;
let asOwner: LoggedInAgent;

beforeAll(async () => {
  t = await createTestApp();
  owner = await seedTenant(t.deps, 'catalogue');
  asOwner = await loginAgent(t.app, owner);
});
afterAll(() => t.close());
afterEach(() => expectLedgerInvariants(t.deps.pool, owner.tenantId));

const mini = {
  provider: 'openai', providerModelId: 'gpt-4o-mini', displayName: 'Fast', messageFee: 50, inputPer1k: 150, outputPer1k: 600,
  inputCostPer1mMicros: 150_000, outputCostPer1mMicros: 600_000,
};

it('creates, reads, lists, updates and archives models', async () => {
  const created = await asOwner.write('post', '/api/models', mini).expect(201);
  expect(created.body).toMatchObject({ ...mini, costCurrency: 'USD', maxOutputTokens: 4096, enabled: true, archivedAt: null });
  const id = created.body.id as string;
  expect((await asOwner.agent.get(`/api/models/${id}`).expect(200)).body).toEqual(created.body);
  const updated = await asOwner.write('patch', `/api/models/${id}`, { outputPer1k: 700, displayName: 'Faster' }).expect(200);
  expect(updated.body).toMatchObject({ outputPer1k: 700, displayName: 'Faster', inputPer1k: 150 });
  const duplicate = await asOwner.write('post', '/api/models', mini).expect(409);
  expect(duplicate.body.error.code).toBe('conflict');
  const archived = await asOwner.write('delete', `/api/models/${id}`).expect(200);
  expect(archived.body).toMatchObject({ enabled: false, archivedAt: expect.any(String) });
  expect((await asOwner.agent.get('/api/models').expect(200)).body.data.map((m: { id: string }) => m.id)).not.toContain(id);
  expect((await asOwner.agent.get('/api/models?includeArchived=true').expect(200)).body.data.map((m: { id: string }) => m.id)).toContain(id);
  // Archived, the provider model may be offered again.
  await asOwner.write('post', '/api/models', mini).expect(201);
  const revive = await asOwner.write('patch', `/api/models/${id}`, { enabled: true }).expect(409);
  expect(revive.body.error.code).toBe('conflict');
});

it('validates prices and providers', async () => {
  for (const body of [
    { ...mini, provider: 'mystery' },
    { ...mini, inputPer1k: -1 },
    { ...mini, outputPer1k: 1.5 },
    { ...mini, costCurrency: 'usd' },
    { ...mini, displayName: '' },
  ]) {
    expect((await asOwner.write('post', '/api/models', body).expect(400)).body.error.code).toBe('validation_failed');
  }
  await asOwner.write('patch', '/api/models/00000000-0000-4000-8000-000000000000', {}).expect(400);
});

it('lets analysts read but not write, and hides other tenants’ models', async () => {
  const analyst = await seedMember(t.deps, owner.tenantId, 'analyst');
  const asAnalyst = await loginAgent(t.app, analyst, owner.tenantId);
  await asAnalyst.agent.get('/api/models').expect(200);
  expect((await asAnalyst.write('post', '/api/models', { ...mini, providerModelId: 'x' }).expect(403)).body.error.code).toBe('forbidden');
  const stranger = await seedTenant(t.deps, 'stranger');
  const asStranger = await loginAgent(t.app, stranger);
  const theirs = await asStranger.write('post', '/api/models', { ...mini, provider: 'demo', providerModelId: 'demo-1' }).expect(201);
  await asOwner.agent.get(`/api/models/${theirs.body.id}`).expect(404);
  await asOwner.write('patch', `/api/models/${theirs.body.id}`, { displayName: 'mine now' }).expect(404);
  await asOwner.write('delete', `/api/models/${theirs.body.id}`).expect(404);
  expect((await asStranger.agent.get(`/api/models/${theirs.body.id}`).expect(200)).body.displayName).toBe('Fast');
});
