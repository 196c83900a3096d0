/**
 * "Test connection" for a workspace's own provider keys: the real SDKs list models from the fake
 * providers (which check the key like the real APIs), and the answer never carries the key.
 */
import net from 'node:net';
import { startFakeAnthropic } from '../fakes/fake-anthropic';
import { startFakeOpenAI } from '../fakes/fake-openai';
import type { FakeServer } from '../fakes/fake-server';
import { createTestApp, type TestApp } from '../support/app';
import { loginAgent, seedMember, seedTenant, type LoggedInAgent } from '../support/seed';

const openaiKey = 'sk-tenant-openai-key-0123456789';
const anthropicKey = 'sk-ant-tenant-key-0123456789';

let t: TestApp;
let owner: LoggedInAgent;
let tenantId: string;
let openai: FakeServer;
let anthropic: FakeServer;

beforeAll(async () => {
  [t, openai, anthropic] = await Promise.all([
    createTestApp(),
    startFakeOpenAI({ apiKey: openaiKey }),
    startFakeAnthropic({ apiKey: anthropicKey }),
  ]);
  const seeded = await seedTenant(t.deps, 'provider-test');
  tenantId = seeded.tenantId;
  owner = await loginAgent(t.app, seeded);
});
afterAll(async () => {
  await Promise.all([t.close(), openai.close(), anthropic.close()]);
});
beforeEach(() => {
  openai.setBehaviour({ failStatus: undefined });
  anthropic.setBehaviour({ failStatus: undefined });
});

const putKey = (provider: 'openai' | 'anthropic', apiKey: string, baseUrl: string | null) =>
  owner.write('put', '/api/provider-keys', { provider, apiKey, baseUrl }).expect(200);
const test = (provider: 'openai' | 'anthropic') => owner.write('post', `/api/provider-keys/${provider}/test`, {});

function expectNoKey(body: unknown, ...keys: string[]): void {
  const text = JSON.stringify(body);
  for (const key of keys) {
    expect(text).not.toContain(key);
    expect(text).not.toContain(key.slice(0, 12));
  }
}

describe('POST /api/provider-keys/:provider/test', () => {
  it('answers ok for a working OpenAI-compatible key, calling the model list with that key and base URL', async () => {
    await putKey('openai', openaiKey, openai.url);
    const before = openai.requests.length;
    const res = await test('openai').expect(200);
    expect(res.body).toEqual({ ok: true, code: 'ok', status: null, message: expect.stringContaining('lists 2 models') });
    const calls = openai.requests.slice(before);
    expect(calls.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v1/models']);
    expect(calls[0]!.headers.authorization).toBe(`Bearer ${openaiKey}`);
    expectNoKey(res.body, openaiKey);
  });

  it('answers ok for a working Anthropic key', async () => {
    await putKey('anthropic', anthropicKey, anthropic.url);
    const before = anthropic.requests.length;
    const res = await test('anthropic').expect(200);
    expect(res.body).toMatchObject({ ok: true, code: 'ok' });
    expect(anthropic.requests.slice(before).map((r) => `${r.method} ${r.path.split('?')[0]}`)).toEqual(['GET /v1/models']);
    const sent = anthropic.requests.at(-1)!.headers;
    expect(sent['x-api-key'] ?? sent.authorization).toMatch(new RegExp(`^(Bearer )?${anthropicKey}$`));
  });

  it('says invalid_key when the provider refuses the key, without echoing it', async () => {
    const wrong = 'sk-wrong-key-that-the-fake-refuses';
    await putKey('openai', wrong, openai.url);
    const res = await test('openai').expect(200);
    expect(res.body).toMatchObject({ ok: false, code: 'invalid_key', status: 401 });
    expectNoKey(res.body, wrong);
    await putKey('anthropic', 'sk-ant-wrong-key-refused', anthropic.url);
    expect((await test('anthropic').expect(200)).body).toMatchObject({ ok: false, code: 'invalid_key', status: 401 });
  });

  it('says rate_limited on a 429, once (no retries)', async () => {
    await putKey('anthropic', anthropicKey, anthropic.url);
    anthropic.setBehaviour({ failStatus: 429 });
    const before = anthropic.requests.length;
    expect((await test('anthropic').expect(200)).body).toMatchObject({ ok: false, code: 'rate_limited', status: 429 });
    expect(anthropic.requests.length - before).toBe(1);
  });

  it('says provider_error with the status for other answers, and unreachable when nothing listens', async () => {
    await putKey('openai', openaiKey, openai.url);
    openai.setBehaviour({ failStatus: 503 });
    expect((await test('openai').expect(200)).body).toMatchObject({ ok: false, code: 'provider_error', status: 503 });

    const closedPort = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    await putKey('openai', openaiKey, `http://127.0.0.1:${closedPort}/v1`);
    const res = await test('openai').expect(200);
    expect(res.body).toMatchObject({ ok: false, code: 'unreachable', status: null });
    expect(res.body.message).toContain(`127.0.0.1:${closedPort}`);
  });

  it('answers 404 without a stored key, and refuses an analyst (403) and bad input (400)', async () => {
    const other = await seedTenant(t.deps, 'no-keys');
    const asOther = await loginAgent(t.app, other);
    expect((await asOther.write('post', '/api/provider-keys/openai/test', {}).expect(404)).body.error.code).toBe('not_found');

    const analyst = await loginAgent(t.app, await seedMember(t.deps, tenantId, 'analyst'), tenantId);
    expect((await analyst.write('post', '/api/provider-keys/openai/test', {}).expect(403)).body.error.code).toBe('forbidden');
    await owner.write('post', '/api/provider-keys/demo/test', {}).expect(400);
  });
});
