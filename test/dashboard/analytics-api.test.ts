/**
 * The analytics API over a small known history: KPIs, buckets in the workspace's time zone,
 * breakdowns, the funnel, insufficient-credits conversion, CSV, validation; and the same answers
 * whether rows are read raw or from the rollups.
 */
import { refreshRollups } from '../../server/src/analytics/rollups';
import { createTestApp, type TestApp } from '../support/app';
import { loginAgent, seedMember, seedTenant, type LoggedInAgent, type SeededTenant } from '../support/seed';
import { addConversation, addPurchase, addVisitor, seedCatalogue } from './support/analytics-data';

let t: TestApp;
let owner: SeededTenant;
let as: LoggedInAgent;
const range = 'from=2026-03-01&to=2026-03-07&tz=Asia/Kolkata';

beforeAll(async () => {
  t = await createTestApp();
  owner = await seedTenant(t.deps, 'analytics');
  as = await loginAgent(t.app, owner);
  const db = t.deps.pool;
  const tenantId = owner.tenantId;
  const { modelId, personaId } = await seedCatalogue(db, tenantId);
  // Kolkata is UTC+5:30: 2026-03-01 00:00 local is 2026-02-28 18:30Z.
  const a = await addVisitor(db, tenantId, '2026-02-28T18:40:00Z'); // opened Mar 1 local
  const b = await addVisitor(db, tenantId, '2026-03-02T10:00:00Z');
  const c = await addVisitor(db, tenantId, '2026-03-03T10:00:00Z'); // opens, never chats
  await addVisitor(db, tenantId, '2026-02-28T18:00:00Z'); // Feb 28 local: outside the range
  await addConversation(db, { tenantId, visitorId: a, personaId, modelId, at: '2026-02-28T18:45:00Z', turns: [300, 200] });
  await addConversation(db, { tenantId, visitorId: b, personaId, modelId, at: '2026-03-02T10:05:00Z', turns: [500, 'insufficient'] });
  await addConversation(db, { tenantId, visitorId: a, personaId, modelId, at: '2026-03-05T12:00:00Z', turns: ['insufficient'] });
  await addPurchase(db, { tenantId, visitorId: b, paidAt: '2026-03-02T10:20:00Z', amountMinor: 500, currency: 'USD', credits: 20_000 });
  await addPurchase(db, { tenantId, visitorId: b, paidAt: '2026-03-04T10:00:00Z', amountMinor: 1200, currency: 'USD', credits: 60_000, refundedMinor: 200 });
  await addPurchase(db, { tenantId, visitorId: a, paidAt: '2026-03-06T09:00:00Z', amountMinor: 900, currency: 'EUR', credits: 30_000 });
  void c;
});
afterAll(() => t.close());

const get = async (path: string) => (await as.agent.get(path).expect(200)).body;

async function everything() {
  return {
    summary: await get(`/api/analytics/summary?${range}`),
    series: await get(`/api/analytics/timeseries?${range}`),
    models: await get(`/api/analytics/models?${range}`),
    personas: await get(`/api/analytics/personas?${range}`),
    funnel: await get(`/api/analytics/funnel?${range}`),
    walls: await get(`/api/analytics/insufficient-credits?${range}`),
  };
}

it('computes the KPIs, revenue by currency, cost and margin', async () => {
  const { summary } = await everything();
  expect(summary).toMatchObject({
    conversations: 3, messages: 5, activeVisitors: 2, payingVisitors: 2, purchases: 3,
    creditsSold: 110_000, creditsSpent: 1000,
    revenue: [{ currency: 'EUR', grossMinor: 900, netMinor: 900 }, { currency: 'USD', grossMinor: 1700, refundedMinor: 200, netMinor: 1500 }],
    // 3 charged replies x (1000 in x $1/1M + 500 out x $2/1M) = 3 x 2000 micros.
    providerCost: [{ currency: 'USD', micros: 6000 }],
  });
  expect(summary.grossMargin.find((m: { currency: string }) => m.currency === 'USD')).toEqual({
    currency: 'USD', revenueMinor: 1500, costMinor: 1, marginMinor: 1499, marginPct: 99.9,
  });
});

it("buckets by day in the workspace's time zone, empty days included", async () => {
  const { series } = await everything();
  expect(series.data.map((p: { bucket: string }) => p.bucket)).toEqual(
    ['2026-03-01', '2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05', '2026-03-06', '2026-03-07'].map((d) => `${d}T00:00`));
  const day = (d: string) => series.data.find((p: { bucket: string }) => p.bucket.startsWith(d));
  expect(day('2026-03-01')).toMatchObject({ conversations: 1, messages: 2, activeVisitors: 1, creditsSpent: 500 });
  expect(day('2026-03-02')).toMatchObject({ conversations: 1, messages: 2, creditsSpent: 500, creditsSold: 20_000, revenue: { USD: 500 } });
  expect(day('2026-03-03')).toMatchObject({ conversations: 0, messages: 0, revenue: {} });
  const hourly = await get('/api/analytics/timeseries?from=2026-03-01&to=2026-03-01&tz=Asia/Kolkata&granularity=hour');
  expect(hourly.data).toHaveLength(24);
  expect(hourly.data[0]).toMatchObject({ bucket: '2026-03-01T00:00', conversations: 1, messages: 2 });
});

it('breaks usage down by model and persona, and follows the funnel', async () => {
  const { models, personas, funnel, walls } = await everything();
  expect(models.data).toEqual([expect.objectContaining({ name: 'GPT Test', replies: 5, visitors: 2, inputTokens: 3000, outputTokens: 1500, creditsSpent: 1000, providerCostMicros: 6000 })]);
  expect(personas.data).toEqual([expect.objectContaining({ name: 'Helper', conversations: 3, replies: 5, creditsSpent: 1000 })]);
  expect(funnel.data.map((s: { step: string; visitors: number }) => [s.step, s.visitors])).toEqual([
    ['opened', 3], ['first_message', 2], ['first_purchase', 2], ['repeat_purchase', 1],
  ]);
  // b hit the wall on Mar 2 and paid 14 minutes later; a hit it on Mar 5 and paid 21 hours (1260 minutes) later.
  expect(walls).toMatchObject({ prompts: 2, visitors: 2, converted: 2, conversionRate: 1, medianMinutesToPurchase: 637 });
  const strict = await get(`/api/analytics/insufficient-credits?${range}&windowHours=1`);
  expect(strict).toMatchObject({ visitors: 2, converted: 1, conversionRate: 0.5 });
});

it('answers the same from the rollups as from the raw rows', async () => {
  const raw = await everything();
  // As if the job ran long after: every row is now read from the rollups.
  expect(await refreshRollups({ db: t.deps.pool, now: new Date('2026-04-01T00:00:00Z'), from: new Date('2026-02-01T00:00:00Z'), force: true })).toBeGreaterThan(0);
  const { rows } = await t.deps.pool.query('SELECT count(*)::int AS n FROM analytics_usage_rollups WHERE tenant_id = $1', [owner.tenantId]);
  expect(rows[0].n).toBeGreaterThan(0);
  expect(await everything()).toEqual(raw);
});

it('exports every table as CSV, formula-safe', async () => {
  for (const table of ['summary', 'timeseries', 'models', 'personas', 'funnel', 'insufficient-credits']) {
    const res = await as.agent.get(`/api/analytics/${table}.csv?${range}`).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toContain(`parley-${table}-2026-03-01-to-2026-03-07.csv`);
    expect(res.text.split('\r\n').length).toBeGreaterThan(2);
  }
  const series = await as.agent.get(`/api/analytics/timeseries.csv?${range}`).expect(200);
  expect(series.text).toContain('bucket,conversations,messages,active_visitors');
  expect(series.text).toContain('revenue_net_minor_USD');
});

it('refuses bad ranges with field messages, and lets analysts read', async () => {
  const bad = async (query: string, path: string) => {
    const res = await as.agent.get(`/api/analytics/timeseries?${query}`).expect(400);
    expect(res.body.error.details.fields[0].path).toBe(path);
  };
  await bad('from=2026-03-07&to=2026-03-01', 'to');
  await bad('from=2026-01-01&to=2026-03-01&granularity=hour', 'granularity');
  await bad('from=2026-03-01&to=2026-03-02&tz=Mars/Olympus', 'tz');
  await bad('from=yesterday&to=2026-03-02', 'from');
  const analyst = await seedMember(t.deps, owner.tenantId, 'analyst');
  const asAnalyst = await loginAgent(t.app, analyst, owner.tenantId);
  await asAnalyst.agent.get(`/api/analytics/summary?${range}`).expect(200);
});
