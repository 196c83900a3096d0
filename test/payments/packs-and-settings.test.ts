import { listActivePacks } from '../../server/src/packs/list-active-packs';
import { getLowBalanceThreshold, isLowBalance } from '../../server/src/payments/low-balance';
import { expectLedgerInvariants } from '../support/ledger';
import { loginAgent, seedMember, seedTenant, type LoggedInAgent, type SeededTenant } from '../support/seed';
import { paymentsHarness, type PaymentsHarness } from './helpers';

let h: PaymentsHarness;
let owner: SeededTenant;
let asOwner: LoggedInAgent;

beforeAll(async () => {
  h = await paymentsHarness();
  owner = await seedTenant(h.t.deps, 'packs');
  asOwner = await loginAgent(h.t.app, owner);
});
afterAll(() => h.close());
afterEach(() => expectLedgerInvariants(h.t.deps.pool, owner.tenantId));

const fieldsOf = (body: { error: { details?: { fields?: Array<{ path: string }> } } }) => (body.error.details?.fields ?? []).map((f) => f.path).sort();

describe('packs', () => {
  it('creates, orders, updates and deletes packs; the widget sees only active ones', async () => {
    const big = await asOwner.write('post', '/api/packs', { name: 'Big', credits: 120_000, amountMinor: 1000, currency: 'eur', badge: 'Best value', sortOrder: 2 }).expect(201);
    expect(big.body).toMatchObject({ name: 'Big', credits: 120_000, amountMinor: 1000, currency: 'EUR', badge: 'Best value', sortOrder: 2, active: true });
    const small = await asOwner.write('post', '/api/packs', { name: 'Small', credits: 10_000, amountMinor: 199, currency: 'EUR' }).expect(201);
    await asOwner.write('post', '/api/packs', { name: 'Hidden', credits: 1, amountMinor: 1, currency: 'EUR', active: false }).expect(201);

    const list = await asOwner.agent.get('/api/packs').expect(200);
    expect(list.body.data.map((p: { name: string }) => p.name)).toEqual(['Small', 'Hidden', 'Big']);
    expect(await listActivePacks({ db: h.t.deps.pool, tenantId: owner.tenantId })).toEqual([
      { id: small.body.id, name: 'Small', credits: 10_000, amountMinor: 199, currency: 'EUR', badge: null },
      { id: big.body.id, name: 'Big', credits: 120_000, amountMinor: 1000, currency: 'EUR', badge: 'Best value' },
    ]);

    const patched = await asOwner.write('patch', `/api/packs/${big.body.id}`, { badge: null, amountMinor: 900 }).expect(200);
    expect(patched.body).toMatchObject({ badge: null, amountMinor: 900, credits: 120_000 });
    await asOwner.write('delete', `/api/packs/${small.body.id}`).expect(204);
    await asOwner.agent.get(`/api/packs/${small.body.id}`).expect(404);
  });

  it('refuses invalid packs with 400 and says which fields', async () => {
    const bad = await asOwner.write('post', '/api/packs', { name: '', credits: 1.5, amountMinor: -1, currency: 'EURO', surprise: true }).expect(400);
    expect(bad.body.error.code).toBe('validation_failed');
    expect(fieldsOf(bad.body)).toEqual(expect.arrayContaining(['amountMinor', 'credits', 'currency', 'name']));
    const floaty = await asOwner.write('post', '/api/packs', { name: 'x', credits: 1000, amountMinor: 4.99, currency: 'USD' }).expect(400);
    expect(fieldsOf(floaty.body)).toEqual(['amountMinor']);
    const huge = await asOwner.write('post', '/api/packs', { name: 'x', credits: 1000, amountMinor: 100_000_000, currency: 'USD' }).expect(400);
    expect(fieldsOf(huge.body)).toEqual(['amountMinor']);
    const created = await asOwner.write('post', '/api/packs', { name: 'ok', credits: 1000, amountMinor: 100, currency: 'USD' }).expect(201);
    expect((await asOwner.write('patch', `/api/packs/${created.body.id}`, {}).expect(400)).body.error.code).toBe('validation_failed');
    await asOwner.write('patch', `/api/packs/${created.body.id}`, { credits: 0 }).expect(400);
    await asOwner.agent.get('/api/packs/not-a-uuid').expect(400);
  });

  it('lets analysts read but not change packs', async () => {
    const analyst = await seedMember(h.t.deps, owner.tenantId, 'analyst');
    const asAnalyst = await loginAgent(h.t.app, analyst, owner.tenantId);
    await asAnalyst.agent.get('/api/packs').expect(200);
    expect((await asAnalyst.write('post', '/api/packs', { name: 'x', credits: 1, amountMinor: 1, currency: 'USD' }).expect(403)).body.error.code).toBe('forbidden');
  });
});

describe('Stripe settings', () => {
  const secretKey = 'sk_test_51AbCdEfGhIjKlMnOpQrStUvWxYz0123456789secretTAIL';
  const webhookSecret = 'whsec_AbCdEfGhIjKlMnOpQrStUvWx0123HOOK';

  it('stores the keys encrypted and never sends them back in full', async () => {
    const empty = await asOwner.agent.get('/api/payments/stripe').expect(200);
    expect(empty.body).toEqual({
      configured: false, mode: null, secretKeyHint: null, webhookSecretHint: null, updatedAt: null,
      webhookUrl: `${h.t.config.publicUrl}/webhooks/stripe/${owner.tenantId}`,
    });
    const set = await asOwner.write('put', '/api/payments/stripe', { secretKey, webhookSecret }).expect(200);
    expect(set.body).toMatchObject({ configured: true, mode: 'test', secretKeyHint: '…TAIL', webhookSecretHint: '…HOOK' });
    const read = await asOwner.agent.get('/api/payments/stripe').expect(200);
    for (const text of [JSON.stringify(set.body), JSON.stringify(read.body)]) {
      expect(text).not.toContain(secretKey.slice(8, 30));
      expect(text).not.toContain(webhookSecret.slice(6, 30));
    }
    const { rows } = await h.t.deps.pool.query('SELECT * FROM tenant_stripe_accounts WHERE tenant_id = $1', [owner.tenantId]);
    expect(JSON.stringify(rows)).not.toContain(secretKey.slice(8));
    expect(JSON.stringify(rows)).not.toContain(webhookSecret.slice(6));
  });

  it('derives the mode from the key, keeps the other secret when one changes, and validates both', async () => {
    await asOwner.write('put', '/api/payments/stripe', { secretKey, webhookSecret }).expect(200);
    const live = await asOwner.write('put', '/api/payments/stripe', { secretKey: 'rk_live_0123456789abcdefLIVE' }).expect(200);
    expect(live.body).toMatchObject({ mode: 'live', secretKeyHint: '…LIVE', webhookSecretHint: '…HOOK' });
    const noHook = await asOwner.write('put', '/api/payments/stripe', { webhookSecret: null }).expect(200);
    expect(noHook.body).toMatchObject({ mode: 'live', webhookSecretHint: null });
    for (const body of [{ secretKey: 'pk_test_0123456789abcdef' }, { secretKey: 'sk_test_short' }, { webhookSecret: 'nope' }, {}]) {
      expect((await asOwner.write('put', '/api/payments/stripe', body).expect(400)).body.error.code).toBe('validation_failed');
    }
    await asOwner.write('delete', '/api/payments/stripe').expect(204);
    await asOwner.write('delete', '/api/payments/stripe').expect(404);
    expect((await asOwner.write('put', '/api/payments/stripe', { webhookSecret }).expect(409)).body.error.code).toBe('conflict');
  });

  it('tests the connection against Stripe with the stored key', async () => {
    expect((await asOwner.write('post', '/api/payments/stripe/test', {}).expect(200)).body).toMatchObject({ ok: false, mode: null });
    await asOwner.write('put', '/api/payments/stripe', { secretKey, webhookSecret }).expect(200);
    expect((await asOwner.write('post', '/api/payments/stripe/test', {}).expect(200)).body).toMatchObject({ ok: true, mode: 'test' });
    expect(h.stripe.requests.at(-1)).toMatchObject({ method: 'GET', path: '/v1/checkout/sessions', apiKey: secretKey });
    h.stripe.failNext(1, 401);
    expect((await asOwner.write('post', '/api/payments/stripe/test', {}).expect(200)).body).toMatchObject({ ok: false, mode: 'test' });
  });
});

it('reads the low-balance threshold from the widget settings', async () => {
  expect(await getLowBalanceThreshold({ db: h.t.deps.pool, tenantId: owner.tenantId })).toBe(1_000);
  await h.t.deps.pool.query(`UPDATE tenants SET settings = '{"chat":{"lowBalanceThreshold":25000}}' WHERE id = $1`, [owner.tenantId]);
  expect(await getLowBalanceThreshold({ db: h.t.deps.pool, tenantId: owner.tenantId })).toBe(25_000);
  expect(isLowBalance({ available: 24_999, threshold: 25_000 })).toBe(true);
  expect(isLowBalance({ available: 25_000, threshold: 25_000 })).toBe(false);
  expect(isLowBalance({ available: 0, threshold: 0 })).toBe(false);
});
