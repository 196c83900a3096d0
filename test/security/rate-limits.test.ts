/**
 * Every budget an anonymous client can spend: log-in, sign-up, widget connections (per address
 * and per workspace) and checkouts (per visitor and per workspace). Each trips with the stable
 * `rate_limited` code and a retry-after, and is per key: another address, visitor or workspace
 * still gets through. Addresses come from X-Forwarded-For (TRUST_PROXY on) and are random per
 * test, because the limits live in the worker's shared database and other suites connect from
 * 127.0.0.1 too.
 */
import crypto from 'node:crypto';
import request from 'supertest';
import { io } from 'socket.io-client';
import { expectLedgerInvariants } from '../support/ledger';
import { createTestApp, testConfig } from '../support/app';
import { call, seedChatTenant, siteOrigin, startChatServer, type ChatServer, type SessionData, type WidgetClient } from '../support/chat';
import { seedTenant } from '../support/seed';

const randomIp = (): string => `10.${crypto.randomInt(256)}.${crypto.randomInt(256)}.${crypto.randomInt(1, 255)}`;

type Outcome = { ok: true; socket: WidgetClient; session: SessionData } | { ok: false; code?: string; retryAfterSec?: number };

/** A widget handshake from `ip`; resolves with the session or the connect_error's data. */
function connectFrom(server: ChatServer, key: string, ip: string): Promise<Outcome> {
  const socket: WidgetClient = io(`${server.url}/widget`, {
    transports: ['websocket'], forceNew: true, reconnection: false, auth: { key },
    extraHeaders: { origin: siteOrigin, 'x-forwarded-for': ip },
  });
  return new Promise((resolve) => {
    socket.once('session', (session) => resolve({ ok: true, socket, session }));
    socket.once('connect_error', (err) => {
      socket.close();
      const data = (err as { data?: { code?: string; details?: { retryAfterSec?: number } } }).data;
      resolve({ ok: false, code: data?.code, retryAfterSec: data?.details?.retryAfterSec });
    });
  });
}

const opened: WidgetClient[] = [];
async function mustConnect(server: ChatServer, key: string, ip: string): Promise<{ socket: WidgetClient; session: SessionData }> {
  const outcome = await connectFrom(server, key, ip);
  if (!outcome.ok) throw new Error(`expected a connection from ${ip}, got ${outcome.code}`);
  opened.push(outcome.socket);
  return outcome;
}

const expectRateLimited = (outcome: Outcome, limitSec: number) => {
  expect(outcome).toMatchObject({ ok: false, code: 'rate_limited' });
  const retryAfter = (outcome as { retryAfterSec?: number }).retryAfterSec ?? 0;
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(limitSec);
};

describe('log-in and sign-up', () => {
  it('limits log-in attempts per address and email, and sign-ups per address', async () => {
    const t = await createTestApp({ config: { authRateLimitPerMin: 3, trustProxy: true } });
    try {
      const owner = await seedTenant(t.deps);
      const other = await seedTenant(t.deps);
      const [p, q] = [randomIp(), randomIp()];
      const login = (ip: string, email: string, password: string) =>
        request(t.app).post('/api/auth/login').set('x-forwarded-for', ip).send({ email, password });
      for (let i = 0; i < 3; i += 1) expect((await login(p, owner.email, 'wrong-password')).status).toBe(401);
      // The right password does not help once the budget is spent.
      const limited = await login(p, owner.email, owner.password);
      expect({ status: limited.status, code: limited.body.error?.code }).toEqual({ status: 429, code: 'rate_limited' });
      expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(limited.body.error.details.retryAfterSec).toBe(Number(limited.headers['retry-after']));
      // Per key: the same account from another address, another account from this one.
      expect((await login(q, owner.email, owner.password)).status).toBe(200);
      expect((await login(p, other.email, other.password)).status).toBe(200);

      // One address walking through many emails meets the per-address cap: five times one email's budget.
      const r = randomIp();
      const statuses: number[] = [];
      for (let i = 0; i < 16; i += 1) statuses.push((await login(r, `nobody-${i}@example.test`, 'wrong-password')).status);
      expect(statuses).toEqual([...Array(15).fill(401), 429]);

      const signUp = (ip: string) => request(t.app).post('/api/auth/signup').set('x-forwarded-for', ip).send({
        email: `rl-${crypto.randomUUID()}@example.test`, password: 'a long enough password', workspaceName: 'RL',
      });
      const s = randomIp();
      for (let i = 0; i < 3; i += 1) expect((await signUp(s)).status).toBe(201);
      const refused = await signUp(s);
      expect({ status: refused.status, code: refused.body.error?.code }).toEqual({ status: 429, code: 'rate_limited' });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect((await signUp(randomIp())).status).toBe(201);
    } finally {
      await t.close();
    }
  });
});

describe('widget connections and checkouts', () => {
  let server: ChatServer;
  beforeAll(async () => {
    const base = testConfig();
    server = await startChatServer({
      config: {
        trustProxy: true,
        chat: { ...base.chat, connectionsPerIpPerMin: 3, connectionsPerTenantPerMin: 5, newVisitorsPerIpPerHour: 1000 },
        checkout: { visitorPerMin: 2, tenantPerMin: 3 },
      },
    });
  });
  afterAll(async () => {
    for (const socket of opened) socket.close();
    await server.close();
  });

  it('limits handshakes per address, per minute, with retry-after; other addresses still connect', async () => {
    const tenant = await seedChatTenant(server.deps);
    const ip = randomIp();
    for (let i = 0; i < 3; i += 1) await mustConnect(server, tenant.key, ip);
    expectRateLimited(await connectFrom(server, tenant.key, ip), 60);
    // A budget of handshakes, not of sockets: the three stay open and working.
    expect(opened.slice(-3).every((s) => s.connected)).toBe(true);
    await mustConnect(server, tenant.key, randomIp());
    await expectLedgerInvariants(server.deps.pool, tenant.tenantId);
  });

  it('limits handshakes per workspace; another workspace still connects', async () => {
    const busy = await seedChatTenant(server.deps);
    const quiet = await seedChatTenant(server.deps);
    for (let i = 0; i < 5; i += 1) await mustConnect(server, busy.key, randomIp());
    const ip = randomIp();
    expectRateLimited(await connectFrom(server, busy.key, ip), 60);
    await mustConnect(server, quiet.key, ip);
    // No visitor was made for the refused handshake.
    const { rows } = await server.deps.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM visitors WHERE tenant_id = $1', [busy.tenantId]);
    expect(rows[0]!.n).toBe(5);
    await expectLedgerInvariants(server.deps.pool);
  });

  it('limits checkouts per visitor and per workspace, creating nothing when refused', async () => {
    const shop = await seedChatTenant(server.deps);
    const elsewhere = await seedChatTenant(server.deps);
    const packOf = async (tenantId: string) =>
      (await server.deps.models.CreditPack.create({ tenantId, name: 'Pack', credits: 10_000, amountMinor: 500, currency: 'USD' })).id;
    const [shopPack, elsewherePack] = [await packOf(shop.tenantId), await packOf(elsewhere.tenantId)];
    const buy = (socket: WidgetClient, packId: string) => call(socket, 'purchase:start', { packId, returnUrl: `${siteOrigin}/buy` });

    const first = await mustConnect(server, shop.key, randomIp());
    expect((await buy(first.socket, shopPack)).ok).toBe(true);
    expect((await buy(first.socket, shopPack)).ok).toBe(true);
    const third = await buy(first.socket, shopPack);
    expect(third).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    expect(!third.ok && (third.error.details as { retryAfterSec: number }).retryAfterSec).toBeGreaterThanOrEqual(1);

    // Another visitor of the shop has a budget of its own, until the shop's (3) is spent.
    const second = await mustConnect(server, shop.key, randomIp());
    expect((await buy(second.socket, shopPack)).ok).toBe(true);
    expect(await buy(second.socket, shopPack)).toMatchObject({ ok: false, error: { code: 'rate_limited' } });

    // Another workspace is not affected.
    const stranger = await mustConnect(server, elsewhere.key, randomIp());
    expect((await buy(stranger.socket, elsewherePack)).ok).toBe(true);

    const { rows } = await server.deps.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM purchases WHERE tenant_id = $1', [shop.tenantId]);
    expect(rows[0]!.n).toBe(3);
    await expectLedgerInvariants(server.deps.pool);
  });
});
