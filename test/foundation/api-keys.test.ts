import request from 'supertest';
import { createTestApp, type TestApp } from '../support/app';
import { loginAgent, seedMember, seedTenant, type LoggedInAgent, type SeededTenant } from '../support/seed';

let t: TestApp;
let seeded: SeededTenant;
let owner: LoggedInAgent;
beforeAll(async () => {
  t = await createTestApp();
  seeded = await seedTenant(t.deps);
  owner = await loginAgent(t.app, seeded);
});
afterAll(() => t.close());

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('API keys', () => {
  it('shows a secret key once, then only its prefix, and stores only a hash', async () => {
    const created = await owner.write('post', '/api/keys', { kind: 'secret', name: 'backend' }).expect(201);
    const token: string = created.body.token;
    expect(token).toMatch(/^sk_[A-Za-z0-9]{40}$/);
    expect(token.startsWith(created.body.key.prefix)).toBe(true);
    const list = await owner.agent.get('/api/keys').expect(200);
    expect(JSON.stringify(list.body)).not.toContain(token);
    const [row] = await t.deps.sequelize.query<{ token_hash: string; public_token: string | null }>(
      'SELECT token_hash, public_token FROM api_keys WHERE id = $1',
      { bind: [created.body.key.id], type: 'SELECT' as never },
    );
    expect(row).toMatchObject({ public_token: null });
    expect(row!.token_hash).toMatch(/^[a-f0-9]{64}$/);
  });

  it('authenticates the tenant backend with a secret key, and stops at revocation', async () => {
    const created = await owner.write('post', '/api/keys', { kind: 'secret' }).expect(201);
    const res = await request(t.app).get('/api/workspace').set(bearer(created.body.token)).expect(200);
    expect(res.body).toMatchObject({ id: seeded.tenantId, role: 'admin' });
    const revoked = await owner.write('delete', `/api/keys/${created.body.key.id}`).expect(200);
    expect(revoked.body.status).toBe('revoked');
    const after = await request(t.app).get('/api/workspace').set(bearer(created.body.token)).expect(401);
    expect(after.body.error.code).toBe('invalid_key');
  });

  it('refuses secret keys on session-only routes, and publishable keys everywhere', async () => {
    const secret = await owner.write('post', '/api/keys', { kind: 'secret' }).expect(201);
    const keys = await request(t.app).get('/api/keys').set(bearer(secret.body.token)).expect(403);
    expect(keys.body.error.code).toBe('forbidden');
    const pk = await owner.write('post', '/api/keys', { kind: 'publishable' }).expect(201);
    const res = await request(t.app).get('/api/workspace').set(bearer(pk.body.token)).expect(401);
    expect(res.body.error.code).toBe('invalid_key');
  });

  it('rolls a key: the new one works, the old one stops at once or after its grace period', async () => {
    const first = await owner.write('post', '/api/keys', { kind: 'secret', name: 'deploy' }).expect(201);
    const rolled = await owner.write('post', `/api/keys/${first.body.key.id}/roll`, { graceHours: 1 }).expect(201);
    expect(rolled.body.key.name).toBe('deploy');
    expect(rolled.body.previous.status).toBe('expiring');
    await request(t.app).get('/api/workspace').set(bearer(rolled.body.token)).expect(200);
    await request(t.app).get('/api/workspace').set(bearer(first.body.token)).expect(200);
    t.clock.advance(3600_000 + 1000);
    await request(t.app).get('/api/workspace').set(bearer(first.body.token)).expect(401);
    await request(t.app).get('/api/workspace').set(bearer(rolled.body.token)).expect(200);
    const again = await owner.write('post', `/api/keys/${rolled.body.key.id}/roll`, {}).expect(201);
    await request(t.app).get('/api/workspace').set(bearer(rolled.body.token)).expect(401);
    await request(t.app).get('/api/workspace').set(bearer(again.body.token)).expect(200);
    const conflict = await owner.write('post', `/api/keys/${rolled.body.key.id}/roll`, {}).expect(409);
    expect(conflict.body.error.code).toBe('conflict');
  });
});

describe('roles', () => {
  it('lets an analyst read but not write, on the server', async () => {
    const analyst = await seedMember(t.deps, seeded.tenantId, 'analyst');
    const asAnalyst = await loginAgent(t.app, analyst, seeded.tenantId);
    await asAnalyst.agent.get('/api/keys').expect(200);
    await asAnalyst.agent.get('/api/workspace').expect(200);
    const create = await asAnalyst.write('post', '/api/keys', { kind: 'secret' }).expect(403);
    expect(create.body.error.code).toBe('forbidden');
    await asAnalyst.write('patch', '/api/workspace', { name: 'Hijacked' }).expect(403);
    const ws = await owner.agent.get('/api/workspace').expect(200);
    expect(ws.body.name).not.toBe('Hijacked');
  });

  it('lets an admin write', async () => {
    const admin = await seedMember(t.deps, seeded.tenantId, 'admin');
    const asAdmin = await loginAgent(t.app, admin, seeded.tenantId);
    await asAdmin.write('post', '/api/keys', { kind: 'secret' }).expect(201);
  });

  it('switches workspaces only into ones the user belongs to', async () => {
    const other = await seedTenant(t.deps, 'other');
    const res = await owner.write('post', '/api/auth/workspace', { tenantId: other.tenantId }).expect(404);
    expect(res.body.error.code).toBe('not_found');
    const created = await owner.write('post', '/api/workspaces', { name: 'Second' }).expect(201);
    const switched = await owner.write('post', '/api/auth/workspace', { tenantId: created.body.id }).expect(200);
    expect(switched.body.currentWorkspaceId).toBe(created.body.id);
    const ws = await owner.agent.get('/api/workspace').expect(200);
    expect(ws.body).toMatchObject({ name: 'Second', role: 'owner' });
    await owner.write('post', '/api/auth/workspace', { tenantId: seeded.tenantId }).expect(200);
  });
});
