import request from 'supertest';
import { Writable } from 'node:stream';
import { createLogger } from '../../server/src/logger';
import { createTestApp, type TestApp } from '../support/app';

let t: TestApp;
const lines: Array<Record<string, unknown>> = [];
beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  // The app's own logger factory: redaction is configured there, so that is what must be tested.
  t = await createTestApp({ logger: createLogger('info', sink) });
});
afterAll(() => t.close());

describe('operations', () => {
  it('healthz says the process is alive', async () => {
    expect((await request(t.app).get('/healthz').expect(200)).body).toEqual({ status: 'ok' });
  });

  it('readyz checks the database and migrations', async () => {
    expect((await request(t.app).get('/readyz').expect(200)).body).toEqual({ status: 'ready', database: true, migrations: true });
  });

  it('sets security headers', async () => {
    const res = await request(t.app).get('/healthz');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'"); // JSON: nothing to render (test/security/headers.test.ts has the rest)
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['strict-transport-security']).toBeUndefined(); // only in production
  });

  it('gives every request an id, echoed in the response and on its log line', async () => {
    const res = await request(t.app).get('/api/workspace').set('x-request-id', 'req-abc-123').expect(401);
    expect(res.headers['x-request-id']).toBe('req-abc-123');
    const own = await request(t.app).get('/readyz');
    expect(own.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const logged = lines.find((l) => (l.req as { id?: string } | undefined)?.id === 'req-abc-123');
    expect(logged).toBeDefined();
  });

  it('never logs credentials', async () => {
    await request(t.app).get('/api/workspace').set('authorization', 'Bearer sk_secretsecretsecretsecret').set('cookie', 'parley.sid=abc');
    const text = JSON.stringify(lines);
    expect(text).not.toContain('sk_secretsecretsecretsecret');
    expect(text).not.toContain('parley.sid=abc');
  });

  it('exposes Prometheus metrics with HTTP latency by route template', async () => {
    await request(t.app).get('/api/keys/00000000-0000-4000-8000-000000000000').expect(404);
    await request(t.app).get('/healthz');
    const res = await request(t.app).get('/metrics').expect(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.text).toMatch(/parley_http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} \d+/);
    expect(res.text).not.toContain('00000000-0000-4000-8000-000000000000');
  });
});
