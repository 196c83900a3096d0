import request from 'supertest';
import { createTestApp, type TestApp } from '../support/app';
import { loginAgent, seedTenant } from '../support/seed';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('sign up, log in, log out', () => {
  it('signs up: creates the user, an owned workspace and a publishable key, and logs in', async () => {
    const agent = request.agent(t.app);
    const res = await agent
      .post('/api/auth/signup')
      .send({ email: `New.User.${Date.now()}@Example.test`, password: 'long enough pw', workspaceName: 'Acme' })
      .expect(201);
    expect(res.body.user.email).toMatch(/^new\.user\.\d+@example\.test$/);
    expect(res.body.workspaces).toEqual([{ id: res.body.currentWorkspaceId, name: 'Acme', role: 'owner' }]);
    expect(res.headers['set-cookie']?.[0]).toMatch(/parley\.sid=.*HttpOnly.*SameSite=Lax/i);
    const keys = await agent.get('/api/keys').expect(200);
    expect(keys.body.data).toHaveLength(1);
    expect(keys.body.data[0]).toMatchObject({ kind: 'publishable', status: 'active' });
    expect(keys.body.data[0].prefix).toMatch(/^pk_[A-Za-z0-9]{24}$/);
  });

  it('refuses a second account with the same email, whatever its case', async () => {
    const email = `twice-${Date.now()}@example.test`;
    await request(t.app).post('/api/auth/signup').send({ email, password: 'long enough pw', workspaceName: 'A' }).expect(201);
    const res = await request(t.app)
      .post('/api/auth/signup')
      .send({ email: email.toUpperCase(), password: 'long enough pw', workspaceName: 'B' })
      .expect(409);
    expect(res.body.error.code).toBe('email_taken');
    expect(await t.deps.models.Tenant.count({ where: { name: 'B' } })).toBe(0);
  });

  it('logs in, answers me, logs out, and the old cookie no longer works', async () => {
    const owner = await seedTenant(t.deps);
    const { agent, write } = await loginAgent(t.app, owner);
    const me = await agent.get('/api/auth/me').expect(200);
    expect(me.body.user.email).toBe(owner.email);
    expect(me.body.currentWorkspaceId).toBe(owner.tenantId);
    await write('post', '/api/auth/logout').expect(204);
    const after = await agent.get('/api/auth/me').expect(401);
    expect(after.body.error.code).toBe('unauthenticated');
  });

  it('rejects a wrong password and an unknown email alike', async () => {
    const owner = await seedTenant(t.deps);
    const wrong = await request(t.app).post('/api/auth/login').send({ email: owner.email, password: 'not the password' }).expect(401);
    const unknown = await request(t.app).post('/api/auth/login').send({ email: 'nobody@example.test', password: 'whatever' }).expect(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body.error.code).toBe('invalid_credentials');
  });
});

describe('CSRF', () => {
  it('rejects cookie-authenticated writes without the token, and with a wrong one', async () => {
    const owner = await seedTenant(t.deps);
    const { agent } = await loginAgent(t.app, owner);
    const missing = await agent.post('/api/keys').send({ kind: 'secret' }).expect(403);
    expect(missing.body.error.code).toBe('csrf_invalid');
    const wrong = await agent.post('/api/keys').set('x-csrf-token', 'nope').send({ kind: 'secret' }).expect(403);
    expect(wrong.body.error.code).toBe('csrf_invalid');
    const keys = await agent.get('/api/keys').expect(200);
    expect(keys.body.data).toHaveLength(1); // only the publishable key from sign-up
  });
});

describe('sessions', () => {
  it('expire after SESSION_TTL', async () => {
    const short = await createTestApp({ config: { sessionTtlMs: 1000 } });
    try {
      const owner = await seedTenant(short.deps);
      const { agent } = await loginAgent(short.app, owner);
      await agent.get('/api/auth/me').expect(200);
      await new Promise((r) => setTimeout(r, 1500));
      const res = await agent.get('/api/auth/me').expect(401);
      expect(res.body.error.code).toBe('unauthenticated');
    } finally {
      await short.close();
    }
  });
});

describe('rate limits', () => {
  it('limits log-in attempts per address and email, with Retry-After', async () => {
    // An address of its own: the per-address budget is shared through the database by every test
    // app, and other suites logging in from 127.0.0.1 meanwhile would spend this one's.
    const strict = await createTestApp({ config: { authRateLimitPerMin: 3, trustProxy: true } });
    const address = `198.51.100.${1 + Math.floor(Math.random() * 254)}`;
    const login = (password: string) =>
      request(strict.app).post('/api/auth/login').set('x-forwarded-for', address).send({ email: owner.email, password });
    let owner: Awaited<ReturnType<typeof seedTenant>>;
    try {
      owner = await seedTenant(strict.deps);
      for (let i = 0; i < 3; i += 1) await login('wrong-password').expect(401);
      const limited = await login(owner.password).expect(429);
      expect(limited.body.error.code).toBe('rate_limited');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await strict.close();
    }
  });
});
