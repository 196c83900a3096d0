import request from 'supertest';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openApiPath } from '../../server/src/http/openapi';
import { createTestApp, type TestApp } from '../support/app';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('GET /api/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const res = await request(t.app).get('/api/openapi.json').expect(200);
    expect(res.body.openapi).toBe('3.1.0');
    const file = path.join(os.tmpdir(), `parley-openapi-${process.pid}.json`);
    fs.writeFileSync(file, JSON.stringify(res.body));
    const out = execFileSync(process.execPath, [path.join(__dirname, '../support/validate-openapi.mjs'), file], { encoding: 'utf8' });
    const result = JSON.parse(out) as { valid: boolean; version: string; errors: unknown[] };
    expect(result.errors).toEqual([]);
    expect(result).toMatchObject({ valid: true, version: '3.1' });
  });

  it('lists every route the app registers, with its method', async () => {
    const doc = (await request(t.app).get('/api/openapi.json').expect(200)).body as { paths: Record<string, Record<string, unknown>> };
    const missing = t.app.parleyRoutes
      .filter((r) => !doc.paths[openApiPath(r.path)]?.[r.method])
      .map((r) => `${r.method.toUpperCase()} ${r.path}`);
    expect(missing).toEqual([]);
    expect(t.app.parleyRoutes.length).toBeGreaterThan(10);
  });

  it('documents request bodies and path parameters from the route schemas', async () => {
    const doc = (await request(t.app).get('/api/openapi.json').expect(200)).body;
    const signup = doc.paths['/api/auth/signup'].post;
    expect(signup.requestBody.content['application/json'].schema.required).toEqual(
      expect.arrayContaining(['email', 'password', 'workspaceName']),
    );
    const revoke = doc.paths['/api/keys/{id}'].delete;
    expect(revoke.parameters).toEqual([expect.objectContaining({ name: 'id', in: 'path', required: true })]);
  });
});

it('every registered Express route was declared through defineRoute', () => {
  // Express 5 keeps its routes on app.router.stack; a route mounted by hand would miss OpenAPI and the matrix.
  const declared = new Set(t.app.parleyRoutes.map((r) => `${r.method} ${r.path}`));
  const router = (t.app as unknown as { router: { stack: Layer[] } }).router;
  const mounted = collectRoutes(router.stack);
  expect(mounted).toContain('get /healthz'); // the walk really found the router
  expect(mounted.filter((r) => !declared.has(r))).toEqual([]);
});

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

function collectRoutes(stack: Layer[]): string[] {
  return stack.flatMap((layer) => {
    if (layer.route) return Object.keys(layer.route.methods).map((m) => `${m} ${layer.route!.path}`);
    return layer.handle?.stack ? collectRoutes(layer.handle.stack) : [];
  });
}
