/** Serving the widget: versions and caching, compression, CORS, a missing build, and the /demo page. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import pino from 'pino';
import { csrfSync } from 'csrf-sync';
import { widgetAssetRoutes } from '../../server/src/widget-assets/routes';
import { mountRoutes } from '../../server/src/http/mount';
import { errorMiddleware } from '../../server/src/http/error-middleware';
import type { Deps } from '../../server/src/deps';
import { ensureWidgetBuilt } from './support/parley';

const dist = path.resolve(__dirname, '../../widget/dist');
const models = { User: { findOne: async () => null } };
const appWith = (distDir: string) => {
  const deps = { models: models as unknown as Deps['models'], clock: { now: () => new Date() }, logger: pino({ level: 'silent' }) };
  const router = express.Router();
  const routes = widgetAssetRoutes({ config: { publicUrl: 'https://parley.example' }, deps, distDir });
  mountRoutes(router, routes, { deps, csrf: csrfSync(), validateResponses: true });
  return express().use(router).use(errorMiddleware(deps.logger));
};

describe('widget assets', () => {
  beforeAll(() => ensureWidgetBuilt(), 120_000);

  const manifest = () => JSON.parse(fs.readFileSync(path.join(dist, 'manifest.json'), 'utf8')) as { loader: { hash: string }; chunks: string[] };

  it('caches the versioned loader forever and the bare one briefly, with CORS and CORP for other sites', async () => {
    const app = appWith(dist);
    const versioned = await request(app).get(`/widget.js?v=${manifest().loader.hash}`).expect(200);
    expect(versioned.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(versioned.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(versioned.headers['access-control-allow-origin']).toBe('*');
    expect(versioned.headers['cross-origin-resource-policy']).toBe('cross-origin');
    for (const url of ['/widget.js', '/widget.js?v=old']) {
      expect((await request(app).get(url).expect(200)).headers['cache-control']).toBe('public, max-age=300, stale-while-revalidate=86400');
    }
    const etag = versioned.headers.etag!;
    await request(app).get('/widget.js').set('if-none-match', etag).expect(304);
  });

  it('sends the precompressed brotli or gzip copy the browser accepts', async () => {
    const app = appWith(dist);
    const chunk = `/${manifest().chunks[0]}`;
    const br = await request(app).get(chunk).set('accept-encoding', 'gzip, br').buffer(true).parse((res, cb) => res.on('data', () => undefined).on('end', () => cb(null, null)));
    expect(br.headers['content-encoding']).toBe('br');
    expect(Number(br.headers['content-length'])).toBe(fs.statSync(path.join(dist, `${manifest().chunks[0]}.br`)).size);
    const gz = await request(app).get(chunk).set('accept-encoding', 'gzip');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('sends a loader from before a deploy to the current chunk, and 404s anything else', async () => {
    const app = appWith(dist);
    const moved = await request(app).get('/widget/chat-GoneAway1.js').expect(302);
    expect(moved.headers.location).toBe(`/${manifest().chunks[0]}`);
    await request(app).get('/widget/other.js').expect(404);
  });

  it('answers 503 with the fix when nothing is built', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-empty-'));
    const res = await request(appWith(empty)).get('/widget.js').expect(503);
    expect(res.text).toContain('npm run build:widget');
  });

  it('serves /demo under a strict CSP, embedding a given key and refusing markup in it', async () => {
    const app = appWith(dist);
    const page = await request(app).get('/demo?key=pk_Abc123').expect(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self' https://parley.example");
    expect(page.headers['content-security-policy']).toContain('connect-src \'self\' https://parley.example wss://parley.example');
    expect(page.headers['content-security-policy']).not.toMatch(/unsafe/);
    expect(page.text).toContain(`<script src="https://parley.example/widget.js?v=${manifest().loader.hash}" data-key="pk_Abc123" async></script>`);
    expect(page.text).not.toMatch(/<script>|<style>/); // nothing inline
    // A key that is not a key is refused by the route's schema, and nothing of it is echoed.
    const hostile = await request(app).get('/demo?key=pk_x"><script>alert(1)</script>').expect(400);
    expect(hostile.body.error.code).toBe('validation_failed');
    expect(hostile.text).not.toContain('<script>');
    const none = await request(app).get('/demo').expect(200);
    expect(none.text).toContain('There is no demo workspace');
  });
});
