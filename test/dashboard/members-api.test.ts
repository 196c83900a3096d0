import request from 'supertest';
import { createTestApp, type TestApp } from '../support/app';
import { loginAgent, seedMember, seedTenant, type LoggedInAgent, type SeededTenant } from '../support/seed';

let t: TestApp;
let owner: SeededTenant;
let asOwner: LoggedInAgent;

beforeAll(async () => {
  t = await createTestApp();
  owner = await seedTenant(t.deps, 'members');
  asOwner = await loginAgent(t.app, owner);
});
afterAll(() => t.close());

const tokenOf = (url: string) => url.split('/invite/')[1]!;

it('invites by link: preview, sign up through it, join with the role, and the link is used up', async () => {
  const created = await asOwner.write('post', '/api/workspace/invites', { role: 'analyst' }).expect(201);
  expect(created.body.url).toMatch(/\/dashboard\/invite\/inv_/);
  const token = tokenOf(created.body.url);

  const preview = await request(t.app).get(`/api/invites/${token}`).expect(200);
  expect(preview.body).toMatchObject({ workspaceName: 'members workspace', role: 'analyst', email: null });

  const joined = await request.agent(t.app).post(`/api/invites/${token}/signup`).send({ email: 'New.Analyst@example.test', password: 'a long passphrase' }).expect(201);
  expect(joined.body.workspaces).toEqual([{ id: owner.tenantId, name: 'members workspace', role: 'analyst' }]);
  expect(joined.body.currentWorkspaceId).toBe(owner.tenantId);

  await request(t.app).get(`/api/invites/${token}`).expect(404);
  const list = await asOwner.agent.get('/api/workspace/invites').expect(200);
  expect(list.body.data[0]).toMatchObject({ id: created.body.invite.id, status: 'accepted' });
  expect(JSON.stringify(list.body)).not.toContain(token);
});

it('an existing user accepts while logged in; an email-bound invite refuses another account', async () => {
  const other = await seedTenant(t.deps, 'elsewhere');
  const asOther = await loginAgent(t.app, other);
  const bound = await asOwner.write('post', '/api/workspace/invites', { role: 'admin', email: 'someone@example.test' }).expect(201);
  const refused = await asOther.write('post', `/api/invites/${tokenOf(bound.body.url)}/accept`).expect(403);
  expect(refused.body.error.code).toBe('forbidden');

  const open = await asOwner.write('post', '/api/workspace/invites', { role: 'admin' }).expect(201);
  const accepted = await asOther.write('post', `/api/invites/${tokenOf(open.body.url)}/accept`).expect(200);
  expect(accepted.body.currentWorkspaceId).toBe(owner.tenantId);
  expect(accepted.body.workspaces.map((w: { role: string }) => w.role).sort()).toEqual(['admin', 'owner']);
});

it('revoked and unknown links answer 404 alike', async () => {
  const created = await asOwner.write('post', '/api/workspace/invites', { role: 'analyst' }).expect(201);
  await asOwner.write('delete', `/api/workspace/invites/${created.body.invite.id}`).expect(200);
  await request(t.app).get(`/api/invites/${tokenOf(created.body.url)}`).expect(404);
  await request(t.app).get('/api/invites/inv_00000000000000000000000000000000').expect(404);
});

it('analysts read members and invites but every write is refused with 403', async () => {
  const analyst = await seedMember(t.deps, owner.tenantId, 'analyst');
  const asAnalyst = await loginAgent(t.app, analyst, owner.tenantId);
  await asAnalyst.agent.get('/api/workspace/members').expect(200);
  await asAnalyst.agent.get('/api/workspace/invites').expect(200);
  for (const [method, path, body] of [
    ['post', '/api/workspace/invites', { role: 'analyst' }],
    ['patch', `/api/workspace/members/${owner.userId}`, { role: 'analyst' }],
    ['delete', `/api/workspace/members/${owner.userId}`, undefined],
  ] as const) {
    const res = await asAnalyst.write(method, path, body);
    expect({ path, status: res.status, code: res.body.error?.code }).toEqual({ path, status: 403, code: 'forbidden' });
  }
});

it('admins cannot touch owners; the last owner stays', async () => {
  const admin = await seedMember(t.deps, owner.tenantId, 'admin');
  const asAdmin = await loginAgent(t.app, admin, owner.tenantId);
  await asAdmin.write('post', '/api/workspace/invites', { role: 'owner' }).expect(403);
  await asAdmin.write('patch', `/api/workspace/members/${owner.userId}`, { role: 'admin' }).expect(403);
  const last = await asOwner.write('patch', `/api/workspace/members/${owner.userId}`, { role: 'admin' }).expect(409);
  expect(last.body.error.code).toBe('conflict');
  const analyst = await seedMember(t.deps, owner.tenantId, 'analyst');
  await asAdmin.write('patch', `/api/workspace/members/${analyst.userId}`, { role: 'admin' }).expect(200);
  await asAdmin.write('delete', `/api/workspace/members/${analyst.userId}`).expect(204);
  const members = await asOwner.agent.get('/api/workspace/members').expect(200);
  expect(members.body.data.some((m: { userId: string }) => m.userId === analyst.userId)).toBe(false);
});
