import request from 'supertest';
import { createTestApp, type TestApp } from '../support/app';
import { loginAgent, seedTenant, type LoggedInAgent } from '../support/seed';

let t: TestApp;
let owner: LoggedInAgent;
let tenantId: string;
let publishable: string;
let modelId: string;

beforeAll(async () => {
  t = await createTestApp();
  const seeded = await seedTenant(t.deps, 'personas');
  tenantId = seeded.tenantId;
  owner = await loginAgent(t.app, seeded);
  publishable = (await t.deps.models.ApiKey.findOne({ where: { tenantId, kind: 'publishable' } }))!.publicToken!;
  await owner.write('patch', '/api/workspace', { allowedOrigins: ['https://shop.example'] }).expect(200);
  const model = await owner
    .write('post', '/api/models', { provider: 'openai', providerModelId: 'gpt-4o-mini', displayName: 'Fast', messageFee: 50, inputPer1k: 150, outputPer1k: 600 })
    .expect(201);
  modelId = model.body.id;
});
afterAll(() => t.close());

describe('personas API', () => {
  it('creates, lists in order, reads, patches and deletes personas', async () => {
    const b = await owner.write('post', '/api/personas', { name: 'Second', modelId, position: 2, systemPrompt: 'secret sauce' }).expect(201);
    const a = await owner.write('post', '/api/personas', { name: 'First', modelId, position: 1, greeting: 'Hi!', temperature: 0.3 }).expect(201);
    expect(a.body).toMatchObject({ name: 'First', greeting: 'Hi!', temperature: 0.3, maxOutputTokens: 1024, enabled: true, avatarUrl: null });
    const list = await owner.agent.get('/api/personas').expect(200);
    expect(list.body.data.map((p: { name: string }) => p.name)).toEqual(['First', 'Second']);
    const patched = await owner.write('patch', `/api/personas/${b.body.id}`, { enabled: false, avatarUrl: 'https://cdn.example/a.png' }).expect(200);
    expect(patched.body).toMatchObject({ enabled: false, avatarUrl: 'https://cdn.example/a.png', name: 'Second', systemPrompt: 'secret sauce' });
    await owner.write('delete', `/api/personas/${b.body.id}`).expect(204);
    await owner.agent.get(`/api/personas/${b.body.id}`).expect(404);
  });

  it('refuses a model that is not in the workspace catalogue, and bad input, with 400', async () => {
    const other = await seedTenant(t.deps, 'other');
    const asOther = await loginAgent(t.app, other);
    const res = await asOther.write('post', '/api/personas', { name: 'Thief', modelId }).expect(400);
    expect(res.body.error).toMatchObject({ code: 'validation_failed', details: { fields: [{ path: 'modelId' }] } });
    const bad = await owner.write('post', '/api/personas', { name: '', modelId, temperature: 5, avatarUrl: 'javascript:alert(1)' }).expect(400);
    expect(bad.body.error.code).toBe('validation_failed');
  });
});

describe('provider keys API', () => {
  it('stores keys encrypted, shows them masked only, and deletes them', async () => {
    const secret = 'sk-live-tenant-own-key-0123456789';
    const put = await owner.write('put', '/api/provider-keys', { provider: 'openai', apiKey: secret, baseUrl: 'http://localhost:11434/v1' }).expect(200);
    expect(put.body).toMatchObject({ provider: 'openai', hint: '…6789', baseUrl: 'http://localhost:11434/v1' });
    const list = await owner.agent.get('/api/provider-keys').expect(200);
    expect(JSON.stringify(list.body)).not.toContain(secret);
    const { rows } = await t.deps.pool.query('SELECT sealed_key FROM tenant_provider_keys WHERE tenant_id = $1', [tenantId]);
    expect(rows[0].sealed_key).toMatch(/^v1\./);
    expect(rows[0].sealed_key).not.toContain(secret);
    await owner.write('delete', '/api/provider-keys/openai').expect(204);
    await owner.write('delete', '/api/provider-keys/openai').expect(404);
  });
});

describe('widget config', () => {
  it('serves personas, models with prices, theme, strings and packs to an allowed origin, and nothing secret', async () => {
    await owner.write('post', '/api/personas', { name: 'Visible', modelId, systemPrompt: 'TOP SECRET PROMPT', greeting: 'Welcome' }).expect(201);
    await owner.write('put', '/api/provider-keys', { provider: 'anthropic', apiKey: 'sk-ant-very-secret-key' }).expect(200);
    const res = await request(t.app).get('/widget/config').query({ key: publishable }).set('Origin', 'https://shop.example').expect(200);
    expect(res.headers['access-control-allow-origin']).toBe('https://shop.example');
    expect(res.headers.vary).toMatch(/Origin/);
    expect(res.body.personas).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'Visible', greeting: 'Welcome', modelId })]));
    expect(res.body.personas.map((p: { name: string }) => p.name)).not.toContain('Second');
    expect(res.body.models).toEqual([{ id: modelId, displayName: 'Fast', price: { messageFee: 50, inputPer1k: 150, outputPer1k: 600 } }]);
    expect(res.body.theme.accentColor).toMatch(/^#/);
    expect(res.body.strings.send).toBe('Send');
    expect(res.body.packs).toEqual([]);
    const text = JSON.stringify(res.body);
    for (const secret of ['TOP SECRET PROMPT', 'sk-ant', 'openai', 'gpt-4o-mini', 'systemPrompt']) expect(text).not.toContain(secret);
  });

  it('refuses a disallowed origin and an unknown key', async () => {
    const evil = await request(t.app).get('/widget/config').query({ key: publishable }).set('Origin', 'https://evil.example').expect(403);
    expect(evil.body.error.code).toBe('origin_not_allowed');
    // The error is readable anywhere (so the widget can say why), the config never is.
    expect(evil.headers['access-control-allow-origin']).toBe('*');
    expect(evil.body.personas).toBeUndefined();
    const unknown = await request(t.app).get('/widget/config').query({ key: 'pk_nopenopenopenopenopenope' }).set('Origin', 'https://shop.example').expect(401);
    expect(unknown.body.error.code).toBe('invalid_key');
    await request(t.app).get('/widget/config').expect(400);
  });

  it('applies the tenant’s widget settings, merged key by key', async () => {
    const patched = await owner.write('patch', '/api/widget/settings', { theme: { accentColor: '#ff0000' }, strings: { title: 'Ask the baker' }, welcomeCredits: 2500 }).expect(200);
    expect(patched.body).toMatchObject({ theme: { accentColor: '#ff0000', position: 'bottom-right' }, strings: { title: 'Ask the baker', send: 'Send' }, welcomeCredits: 2500 });
    await owner.write('patch', '/api/widget/settings', { theme: { accentColor: 'red' } }).expect(400);
    const res = await request(t.app).get('/widget/config').query({ key: publishable }).set('Origin', 'https://shop.example').expect(200);
    expect(res.body.theme.accentColor).toBe('#ff0000');
    expect(res.body.strings.title).toBe('Ask the baker');
  });
});
