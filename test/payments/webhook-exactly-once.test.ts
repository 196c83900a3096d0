import { expectLedgerInvariants } from '../support/ledger';
import {
  balanceOf, checkoutEvent, deliver, paymentsHarness, purchaseGrants, purchaseRow, seedShop, send, sign, startedPurchase,
  type PaymentsHarness, type Shop,
} from './helpers';

let h: PaymentsHarness;
let shop: Shop;

beforeAll(async () => {
  h = await paymentsHarness();
  shop = await seedShop(h.t);
});
afterAll(() => h.close());
afterEach(() => expectLedgerInvariants(h.t.deps.pool, shop.tenantId));

async function snapshot(tenantId: string) {
  const { rows } = await h.t.deps.pool.query<{ tables: string }>(
    `SELECT json_build_object(
       'events', (SELECT count(*) FROM stripe_events WHERE tenant_id = $1),
       'entries', (SELECT count(*) FROM ledger_entries WHERE tenant_id = $1),
       'purchases', (SELECT json_agg(p ORDER BY p.id) FROM (SELECT id, status, paid_at, grant_id, credits_reversed FROM purchases WHERE tenant_id = $1) p),
       'facts', (SELECT count(*) FROM stripe_payment_facts WHERE tenant_id = $1))::text AS tables`,
    [tenantId],
  );
  return rows[0]!.tables;
}

describe('exactly-once grants', () => {
  it('grants once when the same event is delivered 10 times in a row', async () => {
    const p = await startedPurchase(h.t, shop);
    const event = checkoutEvent(shop, p);
    const outcomes: string[] = [];
    for (let i = 0; i < 10; i += 1) outcomes.push(await send(h.t, shop, event));
    expect(outcomes).toEqual(['applied', ...Array(9).fill('duplicate')]);
    expect((await purchaseGrants(h.t, shop.tenantId)).filter((g) => g.external_ref === p.paymentIntent)).toHaveLength(1);
    expect(await balanceOf(h.t, shop.tenantId, p.visitorId)).toBe(10_000);
    expect((await purchaseRow(h.t, p.purchaseId)).status).toBe('paid');
  });

  it('grants once when the same event is delivered 10 times at once', async () => {
    const p = await startedPurchase(h.t, shop);
    const event = checkoutEvent(shop, p);
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => send(h.t, shop, event)));
    expect(outcomes.filter((o) => o === 'applied')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(9);
    expect((await purchaseGrants(h.t, shop.tenantId)).filter((g) => g.external_ref === p.paymentIntent)).toHaveLength(1);
    expect(await balanceOf(h.t, shop.tenantId, p.visitorId)).toBe(10_000);
  });

  it('grants once when one payment is reported by two event types (completed and async succeeded), concurrently', async () => {
    const p = await startedPurchase(h.t, shop);
    const events = [checkoutEvent(shop, p), checkoutEvent(shop, p, { type: 'checkout.session.async_payment_succeeded' })];
    await Promise.all([...events, ...events].map((e) => send(h.t, shop, e)));
    expect((await purchaseGrants(h.t, shop.tenantId)).filter((g) => g.external_ref === p.paymentIntent)).toHaveLength(1);
    expect(await balanceOf(h.t, shop.tenantId, p.visitorId)).toBe(10_000);
    // The widget heard about it once per change that happened, and never of a second grant.
    expect(h.notifier.recorded.balances.filter((b) => b.visitorId === p.visitorId)).toHaveLength(1);
  });

  it('waits for the money on an unpaid completion, then grants on async success', async () => {
    const p = await startedPurchase(h.t, shop);
    expect(await send(h.t, shop, checkoutEvent(shop, p, { paymentStatus: 'unpaid' }))).toBe('applied');
    expect((await purchaseRow(h.t, p.purchaseId)).status).toBe('pending');
    expect(await balanceOf(h.t, shop.tenantId, p.visitorId)).toBe(0);
    await send(h.t, shop, checkoutEvent(shop, p, { type: 'checkout.session.async_payment_succeeded' }));
    expect((await purchaseRow(h.t, p.purchaseId)).status).toBe('paid');
    expect(await balanceOf(h.t, shop.tenantId, p.visitorId)).toBe(10_000);
  });

  it('acknowledges event types it does not handle, and events about payments that are not Parley’s', async () => {
    const p = await startedPurchase(h.t, shop);
    const other = { ...checkoutEvent(shop, p), type: 'customer.created' };
    expect(await send(h.t, shop, other)).toBe('ignored');
    const foreign = checkoutEvent(shop, p);
    (foreign.data.object as Record<string, unknown>).metadata = {};
    (foreign.data.object as Record<string, unknown>).client_reference_id = null;
    expect(await send(h.t, shop, foreign)).toBe('ignored');
    expect(await balanceOf(h.t, shop.tenantId, p.visitorId)).toBe(0);
  });
});

describe('signature checks', () => {
  it('answers 400 and changes nothing for a bad signature, another tenant’s secret, or a stale timestamp', async () => {
    const other = await seedShop(h.t);
    const p = await startedPurchase(h.t, shop);
    const event = checkoutEvent(shop, p);
    const before = await snapshot(shop.tenantId);
    const good = sign(event, shop.webhookSecret);
    const attempts = [
      { ...good, header: good.header.replace(/v1=[0-9a-f]{8}/, 'v1=00000000') },
      sign(event, other.webhookSecret),
      sign(event, shop.webhookSecret, Math.floor(h.t.clock.now().getTime() / 1000) - 301),
      { payload: good.payload.replace('"paid"', '"PAID"'), header: good.header },
      { payload: good.payload, header: '' },
    ];
    for (const attempt of attempts) {
      const res = await deliver(h.t.app, shop.tenantId, attempt);
      expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status: 400, code: 'invalid_signature' });
    }
    // Another tenant's endpoint does not accept this tenant's event either.
    const crossed = await deliver(h.t.app, other.tenantId, good);
    expect(crossed.status).toBe(400);
    expect(await snapshot(shop.tenantId)).toBe(before);
    expect(await balanceOf(h.t, shop.tenantId, p.visitorId)).toBe(0);
  });

  it('judges the timestamp by the app clock: the same signature is fine now and stale after five minutes', async () => {
    const p = await startedPurchase(h.t, shop);
    const signed = sign(checkoutEvent(shop, p), shop.webhookSecret, Math.floor(h.t.clock.now().getTime() / 1000));
    h.t.clock.advance(301_000);
    expect((await deliver(h.t.app, shop.tenantId, signed)).status).toBe(400);
    h.t.clock.advance(-301_000);
    expect((await deliver(h.t.app, shop.tenantId, signed)).status).toBe(200);
  });

  it('refuses a signed payload without the expected shape with 400, and a body that is not JSON with 415', async () => {
    const p = await startedPurchase(h.t, shop);
    const broken = checkoutEvent(shop, p);
    (broken.data.object as Record<string, unknown>).payment_status = 42;
    const res = await deliver(h.t.app, shop.tenantId, sign(broken, shop.webhookSecret));
    expect({ status: res.status, code: res.body.error.code }).toEqual({ status: 400, code: 'validation_failed' });
    const signed = sign(checkoutEvent(shop, p), shop.webhookSecret);
    const text = await deliver(h.t.app, shop.tenantId, signed).set('content-type', 'text/plain');
    expect(text.status).toBe(415);
    expect(await balanceOf(h.t, shop.tenantId, p.visitorId)).toBe(0);
  });
});
