/** The built dashboard at /dashboard: the app for every client route, a strict CSP, cached assets. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import { dashboardAssets } from '../../server/src/dashboard-assets/assets';

let dist: string;
beforeAll(() => {
  dist = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-dist-'));
  fs.mkdirSync(path.join(dist, 'assets'));
  fs.writeFileSync(path.join(dist, 'index.html'), '<!doctype html><script type="module" src="/dashboard/assets/app.js"></script>');
  fs.writeFileSync(path.join(dist, 'assets/app.js'), 'console.log(1)');
});
afterAll(() => fs.rmSync(dist, { recursive: true, force: true }));

const app = (distDir: string) => express().use(dashboardAssets({ distDir })).use((_req, res) => res.status(404).send('api 404'));

it('serves the app for client routes with a strict CSP, and never caches it', async () => {
  for (const url of ['/dashboard/', '/dashboard/visitors/8a0e6f52-0000-4000-8000-000000000000', '/dashboard/invite/inv_abc']) {
    const res = await request(app(dist)).get(url).expect(200);
    expect(res.text).toContain('<script type="module"');
    const csp = res.headers['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers['cache-control']).toBe('no-cache');
  }
  await request(app(dist)).get('/dashboard').expect(301).expect('location', '/dashboard/');
});

it('serves hashed assets for a year, and leaves other paths alone', async () => {
  const res = await request(app(dist)).get('/dashboard/assets/app.js').expect(200);
  expect(res.headers['cache-control']).toContain('immutable');
  await request(app(dist)).get('/dashboard/assets/missing.js').expect(404, 'api 404');
  await request(app(dist)).get('/api/anything').expect(404, 'api 404');
  await request(app(dist)).post('/dashboard/').expect(404);
});

it('says how to build it when it has not been built', async () => {
  const res = await request(app(path.join(dist, 'nowhere'))).get('/dashboard/').expect(503);
  expect(res.text).toContain('npm run build:dashboard');
});
