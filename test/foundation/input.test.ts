import request from 'supertest';
import { createTestApp, type TestApp } from '../support/app';
import { loginAgent, seedTenant, type LoggedInAgent } from '../support/seed';

let t: TestApp;
let owner: LoggedInAgent;
beforeAll(async () => {
  t = await createTestApp();
  owner = await loginAgent(t.app, await seedTenant(t.deps));
});
afterAll(() => t.close());

const errorOf = (res: request.Response) => res.body.error as { code: string; message: string; details?: { fields?: Array<{ in: string; path: string }> } };

describe('bad input gets a clear 4xx with a stable code, never a 500', () => {
  it('validation_failed names each bad field and where it was', async () => {
    const res = await request(t.app).post('/api/auth/signup').send({ email: 'not-an-email', password: 'short', workspaceName: '' }).expect(400);
    expect(errorOf(res).code).toBe('validation_failed');
    const fields = errorOf(res).details!.fields!.map((f) => `${f.in}:${f.path}`).sort();
    expect(fields).toEqual(['body:email', 'body:password', 'body:workspaceName']);
  });

  it('wrong types and unknown fields in a body', async () => {
    const wrongType = await owner.write('post', '/api/keys', { kind: 42 }).expect(400);
    expect(errorOf(wrongType).details!.fields![0]).toMatchObject({ in: 'body', path: 'kind' });
    const unknown = await owner.write('patch', '/api/workspace', { name: 'x', isAdmin: true }).expect(400);
    expect(errorOf(unknown).code).toBe('validation_failed');
  });

  it('a malformed id in the path', async () => {
    const res = await owner.write('delete', '/api/keys/not-a-uuid').expect(400);
    expect(errorOf(res).details!.fields![0]).toMatchObject({ in: 'params', path: 'id' });
  });

  it('malformed JSON', async () => {
    const res = await request(t.app).post('/api/auth/login').set('content-type', 'application/json').send('{"email": ').expect(400);
    expect(errorOf(res).code).toBe('malformed_json');
  });

  it('an oversized body', async () => {
    const res = await request(t.app)
      .post('/api/auth/login')
      .set('content-type', 'application/json')
      .send(JSON.stringify({ email: 'a@b.co', password: 'x'.repeat(200_000) }))
      .expect(413);
    expect(errorOf(res).code).toBe('payload_too_large');
  });

  it('a body that is not JSON at all is validated as missing fields', async () => {
    const res = await request(t.app).post('/api/auth/login').set('content-type', 'text/plain').send('email=a').expect(400);
    expect(errorOf(res).code).toBe('validation_failed');
  });

  it('an unknown route', async () => {
    const res = await request(t.app).get('/api/nothing-here').expect(404);
    expect(errorOf(res).code).toBe('route_not_found');
  });

  it('a malformed Authorization header and an unknown secret key', async () => {
    const malformed = await request(t.app).get('/api/workspace').set('authorization', 'Basic abc').expect(401);
    expect(errorOf(malformed).code).toBe('invalid_key');
    const unknown = await request(t.app).get('/api/workspace').set('authorization', `Bearer sk_${'a'.repeat(40)}`).expect(401);
    expect(errorOf(unknown).code).toBe('invalid_key');
  });

  it('a workspace update with a bad origin changes nothing', async () => {
    await owner.write('patch', '/api/workspace', { allowedOrigins: ['https://ok.example'] }).expect(200);
    const res = await owner.write('patch', '/api/workspace', { name: 'Renamed', allowedOrigins: ['https://ok.example/path'] }).expect(400);
    expect(errorOf(res).details!.fields![0]!.path).toBe('allowedOrigins.0');
    const now = await owner.agent.get('/api/workspace').expect(200);
    expect(now.body).toMatchObject({ name: 'owner workspace', allowedOrigins: ['https://ok.example'] });
  });
});
