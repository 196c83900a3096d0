import request from 'supertest';
import { createApp } from '../../server/src/app';
import { startCheckout } from '../../server/src/payments/start-checkout';
import { expectLedgerInvariants } from '../support/ledger';
import { balanceOf, newVisitor, paymentsHarness, purchaseGrants, purchaseRow, returnUrl, seedShop, type PaymentsHarness, type Shop } from './helpers';

let h: PaymentsHarness;
let shop: Shop;

beforeAll(async () => {
  h = await paymentsHarness();
  shop = await seedShop(h.t, { demo: true });
});
afterAll(() => h.close());
afterEach(() => expectLedgerInvariants(h.t.deps.pool, shop.tenantId));

async function demoPurchase() {
  const visitorId = await newVisitor(h.t, shop.tenantId);
  const started = await startCheckout({ deps: h.t.deps, config: h.t.config, tenantId: shop.tenantId, visitorId, packId: shop.packId, returnUrl });
  const url = new URL(started.url);
  return { ...started, visitorId, path: url.pathname, token: url.searchParams.get('t')! };
}

it('completes a purchase offline: page, Pay, credits granted once however often Pay is pressed', async () => {
  const p = await demoPurchase();
  expect(p.provider).toBe('demo');
  expect(p.url.startsWith(`${h.t.config.publicUrl}/demo-checkout/${p.purchaseId}?t=`)).toBe(true);
  expect(h.stripe.requests).toHaveLength(0);

  const page = await request(h.t.app).get(p.path).query({ t: p.token }).expect(200);
  expect(page.headers['content-type']).toMatch(/^text\/html/);
  expect(page.text).toContain('Demo checkout — no money moves');
  expect(page.text).toContain('Starter');
  expect(page.text).toContain('$5.00');
  expect(page.text).toContain('10 credits');
  expect(page.text).toContain(`action="/demo-checkout/${p.purchaseId}/pay"`);
  expect(page.text).not.toMatch(/<script/i);
  const csp = page.headers['content-security-policy'];
  expect(csp).toContain("default-src 'none'");
  expect(csp).toContain("form-action 'self' https://shop.example");
  expect(csp).not.toContain('unsafe-inline');

  const paid = await request(h.t.app).post(`${p.path}/pay`).type('form').send({ t: p.token }).expect(303);
  const back = new URL(paid.headers.location!);
  expect(back.origin + back.pathname).toBe('https://shop.example/pricing');
  expect(back.searchParams.get('parley_checkout')).toBe('success');
  expect(back.searchParams.get('parley_purchase')).toBe(p.purchaseId);
  expect(await balanceOf(h.t, shop.tenantId, p.visitorId)).toBe(10_000);
  expect(h.notifier.recorded.purchases.at(-1)).toMatchObject({ purchaseId: p.purchaseId, status: 'paid', credits: 10_000 });
  expect(h.notifier.recorded.balances.at(-1)).toEqual({ tenantId: shop.tenantId, visitorId: p.visitorId });

  await request(h.t.app).post(`${p.path}/pay`).type('form').send({ t: p.token }).expect(303);
  expect(await balanceOf(h.t, shop.tenantId, p.visitorId)).toBe(10_000);
  expect((await purchaseGrants(h.t, shop.tenantId)).filter((g) => g.external_ref === `demo_${p.purchaseId}`)).toHaveLength(1);

  const after = await request(h.t.app).get(p.path).query({ t: p.token }).expect(200);
  expect(after.text).toContain('<strong>paid</strong>');
  expect(after.text).not.toContain('/pay"');
});

it('cancel goes back to the site and leaves the purchase pending', async () => {
  const p = await demoPurchase();
  const res = await request(h.t.app).post(`${p.path}/cancel`).type('form').send({ t: p.token }).expect(303);
  expect(new URL(res.headers.location!).searchParams.get('parley_checkout')).toBe('cancelled');
  expect((await purchaseRow(h.t, p.purchaseId)).status).toBe('pending');
  expect(await balanceOf(h.t, shop.tenantId, p.visitorId)).toBe(0);
});

it('answers 404 to a wrong or borrowed token, and escapes what it shows', async () => {
  const a = await demoPurchase();
  const b = await demoPurchase();
  await request(h.t.app).get(a.path).query({ t: b.token }).expect(404);
  await request(h.t.app).get(a.path).query({ t: 'nonsense' }).expect(404);
  await request(h.t.app).post(`${a.path}/pay`).type('form').send({ t: b.token }).expect(404);
  expect(await balanceOf(h.t, shop.tenantId, a.visitorId)).toBe(0);

  await h.t.deps.pool.query(`UPDATE purchases SET pack_name = '<script>alert(1)</script>' WHERE id = $1`, [a.purchaseId]);
  const page = await request(h.t.app).get(a.path).query({ t: a.token }).expect(200);
  expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  expect(page.text).not.toContain('<script>');
});

it('cannot be reached in production mode, and production checkout without Stripe keys is refused', async () => {
  const p = await demoPurchase();
  const config = { ...h.t.config, production: true, env: 'production' as const };
  const production = createApp(config, h.t.deps);
  for (const res of [
    await request(production).get(p.path).query({ t: p.token }),
    await request(production).post(`${p.path}/pay`).type('form').send({ t: p.token }),
  ]) expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status: 404, code: 'route_not_found' });
  expect(await balanceOf(h.t, shop.tenantId, p.visitorId)).toBe(0);
  await expect(startCheckout({ deps: h.t.deps, config, tenantId: shop.tenantId, visitorId: p.visitorId, packId: shop.packId, returnUrl }))
    .rejects.toMatchObject({ code: 'unavailable' });
});
