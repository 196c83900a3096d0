/**
 * Security headers on every kind of response: the API's locked-down default, the dashboard's strict
 * CSP (no inline or eval'd script, no inline style, no framing but its own preview), the demo host
 * page and demo checkout (never framed), HSTS in production only, and the widget's scripts and
 * config still loadable from any site.
 */
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { defaultDistDir } from '../../server/src/dashboard-assets/assets';
import { startCheckout } from '../../server/src/payments/start-checkout';
import { createTestApp, type TestApp } from '../support/app';
import { seedChatTenant, siteOrigin } from '../support/chat';
import { ensureDashboardBuilt, ensureWidgetBuilt } from '../dashboard/support/build';

jest.setTimeout(120_000);

/** `Content-Security-Policy` as directive → sources. */
function parseCsp(header: string | undefined): Map<string, string[]> {
  expect(header).toBeDefined();
  return new Map(
    header!.split(';').map((part) => part.trim()).filter(Boolean).map((part) => {
      const [name, ...sources] = part.split(/\s+/);
      return [name!, sources] as [string, string[]];
    }),
  );
}

/** What every policy Parley sends must hold: no inline or eval'd script anywhere, no plugins, a frame-ancestors. */
function expectStrict(csp: Map<string, string[]>, framing: "'none'" | "'self'"): void {
  const scriptSources = csp.get('script-src') ?? csp.get('default-src');
  expect(scriptSources).toBeDefined();
  for (const directive of ['default-src', 'script-src', 'script-src-elem', 'script-src-attr']) {
    const loose = (csp.get(directive) ?? []).filter((s) => /^'(unsafe-inline|unsafe-eval|unsafe-hashes|wasm-unsafe-eval)'$|^\*$|^(data|https|http):$/.test(s));
    expect({ directive, loose }).toEqual({ directive, loose: [] });
  }
  expect(csp.get('frame-ancestors')).toEqual([framing]);
  expect(csp.get('base-uri')).toEqual(["'none'"]);
  expect(csp.get('object-src') ?? csp.get('default-src')).toEqual(["'none'"]);
}

let t: TestApp;
beforeAll(async () => {
  await Promise.all([ensureDashboardBuilt(), ensureWidgetBuilt()]);
  t = await createTestApp();
});
afterAll(() => t.close());

describe('the API', () => {
  it.each(['/healthz', '/api/openapi.json', '/api/auth/me', '/api/no-such-route', '/widget/config?key=pk_nope'])(
    '%s: nothing to render, run or frame; no HSTS outside production',
    async (url) => {
      const res = await request(t.app).get(url);
      const csp = parseCsp(res.headers['content-security-policy']);
      expect(csp.get('default-src')).toEqual(["'none'"]);
      expectStrict(csp, "'none'");
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['strict-transport-security']).toBeUndefined();
      expect(res.headers['x-powered-by']).toBeUndefined();
    },
  );

  it('sends HSTS in production, for a year and subdomains', async () => {
    const prod = await createTestApp({ config: { production: true, env: 'production', publicUrl: 'https://parley.example' } });
    try {
      for (const url of ['/healthz', '/api/auth/me', '/dashboard/']) {
        const res = await request(prod.app).get(url);
        expect({ url, hsts: res.headers['strict-transport-security'] }).toEqual({ url, hsts: 'max-age=31536000; includeSubDomains' });
      }
    } finally {
      await prod.close();
    }
  });
});

describe('the dashboard', () => {
  it('is served under a strict CSP: scripts and styles from its own origin only, never framed', async () => {
    const res = await request(t.app).get('/dashboard/').expect(200);
    const csp = parseCsp(res.headers['content-security-policy']);
    expectStrict(csp, "'none'");
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('style-src')).toEqual(["'self'"]);
    expect(csp.get('connect-src')).toEqual(["'self'"]);
    expect(res.headers['x-frame-options']).toBe('DENY');
    // Deep links get the same page and the same policy.
    const deep = await request(t.app).get('/dashboard/visitors/123').expect(200);
    expect(deep.headers['content-security-policy']).toBe(res.headers['content-security-policy']);
  });

  it('needs nothing the policy forbids: no inline script, no inline style, no eval in its bundles', () => {
    for (const page of ['index.html', 'preview.html']) {
      const html = fs.readFileSync(path.join(defaultDistDir, page), 'utf8');
      const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
      expect(scripts.length).toBeGreaterThan(0);
      for (const [, attrs, body] of scripts) expect({ page, attrs, body: body!.trim() }).toEqual({ page, attrs: expect.stringMatching(/\bsrc=/), body: '' });
      expect({ page, inlineStyle: /<style\b|\sstyle=/.test(html), handlers: /\son[a-z]+=/.test(html) }).toEqual({ page, inlineStyle: false, handlers: false });
    }
    const assets = path.join(defaultDistDir, 'assets');
    for (const file of fs.readdirSync(assets).filter((f) => f.endsWith('.js'))) {
      const code = fs.readFileSync(path.join(assets, file), 'utf8');
      expect({ file, evals: /\beval\(|new Function\(|setTimeout\(\s*["'`]/.test(code) }).toEqual({ file, evals: false });
    }
  });

  it('lets only the dashboard itself frame its widget preview', async () => {
    const res = await request(t.app).get('/dashboard/preview.html').expect(200);
    expectStrict(parseCsp(res.headers['content-security-policy']), "'self'");
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
  });
});

describe('the widget and the demo pages', () => {
  it('serves the widget scripts to any site', async () => {
    const loader = await request(t.app).get('/widget.js').set('origin', siteOrigin).expect(200);
    expect(loader.headers['access-control-allow-origin']).toBe('*');
    expect(loader.headers['cross-origin-resource-policy']).toBe('cross-origin');
    expect(loader.headers['content-type']).toMatch(/^text\/javascript/);
    const chunk = /["'`]\/?(widget\/chat-[\w-]+\.js)["'`]/.exec(loader.text) ?? /(widget\/[\w-]+\.js)/.exec(loader.text);
    expect(chunk).not.toBeNull();
    const lazy = await request(t.app).get(`/${chunk![1]}`).set('origin', siteOrigin).expect(200);
    expect(lazy.headers['cross-origin-resource-policy']).toBe('cross-origin');
    expect(lazy.headers['access-control-allow-origin']).toBe('*');
  });

  it('answers the widget config to an allowed site, cross-origin', async () => {
    const tenant = await seedChatTenant(t.deps);
    const res = await request(t.app).get(`/widget/config?key=${tenant.key}`).set('origin', siteOrigin).expect(200);
    expect(res.headers['access-control-allow-origin']).toBe(siteOrigin);
    expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin');
  });

  it('keeps the demo host page strict and unframeable, allowing the widget', async () => {
    const tenant = await seedChatTenant(t.deps);
    const res = await request(t.app).get(`/demo?key=${tenant.key}`).expect(200);
    const csp = parseCsp(res.headers['content-security-policy']);
    expectStrict(csp, "'none'");
    const own = new URL(t.config.publicUrl).origin;
    expect(csp.get('script-src')).toContain(own);
    expect(csp.get('connect-src')).toEqual(expect.arrayContaining([own, own.replace(/^http/, 'ws')]));
    expect(csp.get('style-src')).not.toContain("'unsafe-inline'");
  });

  it('never lets the demo checkout be framed (clickjacking a pay button)', async () => {
    const tenant = await seedChatTenant(t.deps);
    const pack = await t.deps.models.CreditPack.create({ tenantId: tenant.tenantId, name: 'Pack', credits: 10_000, amountMinor: 500, currency: 'USD' });
    const { rows } = await t.deps.pool.query<{ id: string }>('INSERT INTO visitors (tenant_id) VALUES ($1) RETURNING id', [tenant.tenantId]);
    const started = await startCheckout({
      deps: t.deps, config: t.config, tenantId: tenant.tenantId, visitorId: rows[0]!.id, packId: pack.id, returnUrl: `${siteOrigin}/shop`,
    });
    const res = await request(t.app).get(new URL(started.url).pathname + new URL(started.url).search).expect(200);
    const csp = parseCsp(res.headers['content-security-policy']);
    expectStrict(csp, "'none'");
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(res.headers['x-frame-options']).toBe('DENY');
  });
});
