/**
 * Embedding, against a real Parley (startServer) and real Chromium: a host page on another origin
 * sending a strict CSP; the launcher at once and the chunk only on intent; opening by the launcher
 * and by Parley('open'); two copies of the snippet; a client-side router; a phone; keyboard only.
 */
import type { Browser, Page } from 'playwright-core';
import { describeInBrowser, launchBrowser, screenshot } from './support/browser';
import { startHostPages, type HostPages } from './support/host-pages';
import { startBrowserParley, type BrowserParley } from './support/parley';
import { focusPath, openByLauncher, sel, sendText, violations, waitForEvent } from './support/widget-page';

jest.setTimeout(90_000);

describeInBrowser('embedding the widget', () => {
  let parley: BrowserParley;
  let host: HostPages;
  let browser: Browser;
  let key: string;

  beforeAll(async () => {
    parley = await startBrowserParley();
    key = (await parley.seedTenant()).key;
    host = await startHostPages({ parleyUrl: parley.url, key });
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await parley?.close();
  });

  const newPage = async (options: Parameters<Browser['newContext']>[0] = {}): Promise<Page> => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 }, ...options });
    return context.newPage();
  };

  it('draws the launcher at once, loads the chunk only on intent, and opens under a strict CSP', async () => {
    const page = await newPage();
    const chunkRequests: string[] = [];
    page.on('request', (r) => r.url().includes('/widget/chat-') && chunkRequests.push(r.url()));
    const response = await page.goto(`${host.url}/page?csp=strict`);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.waitForSelector(sel.launcher);
    await page.waitForTimeout(300);
    expect(chunkRequests).toEqual([]);
    await screenshot(page, '01-launcher');

    await page.hover(sel.launcher); // preconnect + modulepreload
    await page.waitForTimeout(300);
    expect(chunkRequests.length).toBeGreaterThanOrEqual(1);
    await openByLauncher(page);
    await waitForEvent(page, 'ready');
    expect(await focusPath(page)).toBe('PARLEY-CHAT > PARLEY-COMPOSER > TEXTAREA');
    expect(await page.evaluate(() => (window as unknown as { __readyViaQueue?: unknown }).__readyViaQueue)).toMatchObject({ locale: 'en' });
    await sendText(page, 'Hello from a strict page');
    await waitForEvent(page, 'message');
    await screenshot(page, '02-open-strict-csp');
    expect(await violations(page)).toEqual([]);
    await page.context().close();
  });

  it("opens with Parley('open') called by the page, and closes with Parley('close')", async () => {
    const page = await newPage();
    await page.goto(`${host.url}/page?csp=strict`);
    await page.waitForSelector(sel.launcher);
    await page.evaluate(() => (window as unknown as { Parley: (c: string) => void }).Parley('open'));
    await page.waitForSelector(sel.input);
    await waitForEvent(page, 'open');
    await page.evaluate(() => (window as unknown as { Parley: (c: string) => void }).Parley('close'));
    await page.waitForSelector(sel.panel, { state: 'detached' });
    expect(await violations(page)).toEqual([]);
    await page.context().close();
  });

  it('works under Trusted Types as well, in the language data-locale asks for', async () => {
    const page = await newPage();
    const response = await page.goto(`${host.url}/page?csp=strict-tt&locale=de`);
    expect(response?.headers()['content-security-policy']).toContain("require-trusted-types-for 'script'");
    expect(await page.locator(sel.launcher).getAttribute('aria-label')).toBe('Chat öffnen');
    await openByLauncher(page);
    expect(await page.locator(sel.input).getAttribute('placeholder')).toBe('Nachricht schreiben…');
    await sendText(page, 'Hallo');
    await waitForEvent(page, 'message');
    expect(await page.locator(sel.launcher).getAttribute('aria-label')).toBe('Chat schließen');
    expect(await violations(page)).toEqual([]);
    await page.context().close();
  });

  it('is harmless when the snippet is included twice', async () => {
    const page = await newPage();
    const warnings: string[] = [];
    page.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
    await page.goto(`${host.url}/page?csp=strict&copies=2`);
    await page.waitForSelector(sel.launcher);
    await openByLauncher(page);
    expect(await page.locator('parley-chat').count()).toBe(1);
    expect(warnings.some((w) => w.includes('more than once'))).toBe(true);
    await page.context().close();
  });

  it('survives client-side routing, including a router that replaces <body>', async () => {
    const page = await newPage();
    await page.goto(`${host.url}/page?csp=strict`);
    await openByLauncher(page);
    await sendText(page, 'Remember me across routes');
    await waitForEvent(page, 'message');
    const navigate = (path: string) => page.evaluate((p) => (window as unknown as { navigate: (p: string) => void }).navigate(p), path);
    await navigate('/products');
    await navigate('/replace-body');
    await page.waitForSelector(sel.panel);
    expect(await page.locator('parley-chat').count()).toBe(1);
    expect(await page.locator(sel.userMessages).allInnerTexts()).toEqual([expect.stringContaining('Remember me across routes')]);
    await sendText(page, 'Still here after the body was replaced');
    await waitForEvent(page, 'message', 2);
    expect(await violations(page)).toEqual([]);
    await page.context().close();
  });

  it('fills a phone screen below 640 px and keeps the composer in view', async () => {
    const page = await newPage({ viewport: { width: 375, height: 667 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    await page.goto(`${host.url}/page?csp=strict`);
    await openByLauncher(page);
    const box = (await page.locator(sel.panel).boundingBox())!;
    // Sub-pixel layout (deviceScaleFactor 2) may leave 1e-5 px of noise; whole pixels are what matter.
    expect({ x: Math.round(box.x), y: Math.round(box.y), width: Math.round(box.width), height: Math.round(box.height) })
      .toEqual({ x: 0, y: 0, width: 375, height: 667 });
    const composer = await page.locator(sel.input).boundingBox();
    expect(composer!.y + composer!.height).toBeLessThanOrEqual(667);
    expect(await page.locator(sel.launcher).isVisible()).toBe(false);
    await screenshot(page, '03-phone');
    await page.context().close();
  });

  it("follows the visitor's dark colour scheme and reduced motion", async () => {
    const page = await newPage({ colorScheme: 'dark', reducedMotion: 'reduce' });
    await page.goto(`${host.url}/page?csp=strict`);
    await openByLauncher(page);
    const look = await page.locator(sel.panel).evaluate((el) => {
      const style = getComputedStyle(el);
      return { background: style.backgroundColor, color: style.color, animation: style.animationName };
    });
    expect(look).toEqual({ background: 'rgb(17, 24, 39)', color: 'rgb(243, 244, 246)', animation: 'none' });
    await screenshot(page, '16-dark');
    await page.context().close();
  });

  it('is usable with the keyboard alone: Tab to the launcher, Enter, type, Enter, Esc', async () => {
    const page = await newPage();
    await page.goto(`${host.url}/page?csp=strict`);
    await page.waitForSelector(sel.launcher);
    for (let i = 0; i < 5 && !(await focusPath(page)).startsWith('PARLEY-CHAT'); i++) await page.keyboard.press('Tab');
    expect(await focusPath(page)).toBe('PARLEY-CHAT > BUTTON.launcher');
    await page.keyboard.press('Enter');
    await page.waitForSelector(sel.input);
    await page.waitForFunction(() => document.activeElement?.tagName === 'PARLEY-CHAT');
    await page.waitForTimeout(200);
    expect(await focusPath(page)).toBe('PARLEY-CHAT > PARLEY-COMPOSER > TEXTAREA');
    await page.keyboard.type('Typed without a mouse');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('second line');
    await page.keyboard.press('Enter');
    await waitForEvent(page, 'message');
    expect(await page.locator(sel.userMessages).last().innerText()).toContain('Typed without a mouse\nsecond line');
    // The header's controls are reachable backwards from the composer, and each has a name.
    await page.keyboard.press('Shift+Tab');
    const names = await page.evaluate(() =>
      Array.from(document.querySelector('parley-chat')!.shadowRoot!.querySelectorAll('button')).map((b) => b.getAttribute('aria-label') ?? b.textContent?.trim()),
    );
    expect(names.every((n) => !!n)).toBe(true);
    await screenshot(page, '04-keyboard');
    await page.keyboard.press('Escape');
    await page.waitForSelector(sel.panel, { state: 'detached' });
    expect(await focusPath(page)).toBe('PARLEY-CHAT > BUTTON.launcher');
    await page.context().close();
  });

  it('serves widget.js and its chunk with long-lived caching, a version in the URL, and CORS', async () => {
    const page = await newPage();
    await page.goto(`${parley.url}/demo`);
    const src = await page.locator('script[data-key]').getAttribute('src');
    expect(src).toMatch(/\/widget\.js\?v=[\w-]+$/);
    const versioned = await fetch(src!, { headers: { 'accept-encoding': 'br' } });
    expect(versioned.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(versioned.headers.get('access-control-allow-origin')).toBe('*');
    expect(versioned.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    const plain = await fetch(`${parley.url}/widget.js`);
    expect(plain.headers.get('cache-control')).toMatch(/max-age=300/);
    const chunk = (await plain.text()).match(/chat-[\w-]+\.js/)![0];
    const chunkResponse = await fetch(`${parley.url}/widget/${chunk}`);
    expect(chunkResponse.status).toBe(200);
    expect(chunkResponse.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    // The demo page itself runs under the strict policy it documents.
    expect((await fetch(`${parley.url}/demo`)).headers.get('content-security-policy')).not.toMatch(/unsafe/);
    await page.context().close();
  });
});
