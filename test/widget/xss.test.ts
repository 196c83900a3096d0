/**
 * An XSS corpus (42 payloads) through model output and through every tenant-supplied string the
 * widget shows, on a host page without any CSP (so nothing but the widget itself stands in the
 * way). The sentinel `window.pwn` must never be called, and the widget's DOM must hold no element
 * or attribute that could run script.
 */
import type { Browser, Page } from 'playwright-core';
import { describeInBrowser, launchBrowser, screenshot } from './support/browser';
import { startHostPages, type HostPages } from './support/host-pages';
import { startBrowserParley, type BrowserParley } from './support/parley';
import { modelOutputPayloads, tenantPayload } from './support/xss-corpus';
import { openByLauncher, pwned, sel, sendText, waitForEvent } from './support/widget-page';

jest.setTimeout(180_000);

/** Every element in the widget's shadow trees that could run script or leave the page. */
function dangerousNodes(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    const walk = (root: ParentNode) => {
      for (const el of Array.from(root.querySelectorAll('*'))) {
        const tag = el.tagName.toLowerCase();
        // The composer's own <form> is the widget's, not content.
        if (tag === 'form' && (el.getRootNode() as ShadowRoot).host?.tagName === 'PARLEY-COMPOSER') continue;
        if (['script', 'iframe', 'object', 'embed', 'form', 'base', 'meta', 'style', 'template', 'math', 'input', 'video', 'audio', 'details', 'marquee'].includes(tag)) found.push(`<${tag}>`);
        if (tag === 'svg' && el.closest('.launcher, .icon, button') === null && !el.getAttribute('aria-hidden')) found.push('<svg> outside icons');
        if (tag === 'img' && !el.parentElement?.classList.contains('avatar')) found.push('<img> outside avatars');
        for (const attr of Array.from(el.attributes)) {
          if (/^on/i.test(attr.name)) found.push(`${tag}[${attr.name}]`);
          if (['href', 'src', 'action', 'xlink:href'].includes(attr.name) && !/^(https?:|mailto:)/i.test(attr.value)) found.push(`${tag}[${attr.name}=${attr.value}]`);
        }
        if (el.shadowRoot) walk(el.shadowRoot);
      }
    };
    walk(document.querySelector('parley-chat')!.shadowRoot!);
    return found;
  });
}

/** Moves over, focuses and toggles everything, so handlers that need an event would have had one. */
async function poke(page: Page): Promise<void> {
  for (const bubble of await page.locator('parley-chat parley-message .bubble').all()) await bubble.hover().catch(() => undefined);
  await page.keyboard.press('Tab');
  await page.waitForTimeout(300);
}

describeInBrowser('XSS: nothing from the model or the tenant ever runs', () => {
  let parley: BrowserParley;
  let host: HostPages;
  let browser: Browser;

  beforeAll(async () => {
    parley = await startBrowserParley();
    const { key } = await parley.seedTenant({ welcomeCredits: 500_000 });
    host = await startHostPages({ parleyUrl: parley.url, key });
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await parley?.close();
  });

  it(`renders ${modelOutputPayloads.length} payloads in model output as text`, async () => {
    expect(modelOutputPayloads.length).toBeGreaterThanOrEqual(30);
    parley.openai.setBehaviour({ tokensPerSecond: 0 });
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${host.url}/page`); // no CSP at all
    await openByLauncher(page);
    for (const [i, payload] of modelOutputPayloads.entries()) {
      parley.openai.setBehaviour({ replyText: `Payload ${i + 1}:\n\n${payload}` });
      await sendText(page, `payload ${i + 1}`);
      await waitForEvent(page, 'message', i + 1);
    }
    await poke(page);
    expect(await pwned(page)).toEqual([]);
    expect(await dangerousNodes(page)).toEqual([]);
    const shown = (await page.locator(sel.replies).allInnerTexts()).join('\n');
    expect(shown).toContain('<script>pwn(1)</script>');
    expect(shown).toContain('<img src=x onerror=pwn(2)>');
    // Vetted links survive as real links that open safely in a new tab.
    const links = await page.evaluate(() =>
      Array.from(document.querySelector('parley-chat')!.shadowRoot!.querySelectorAll('parley-message')).flatMap((m) =>
        Array.from(m.shadowRoot!.querySelectorAll('a')).map((a) => `${a.getAttribute('href')} ${a.target} ${a.rel}`),
      ),
    );
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) expect(link).toMatch(/^https?:\S+ _blank noopener noreferrer$/);
    await screenshot(page, '10-xss-model-output');
    await page.context().close();
  });

  it('renders tenant-supplied strings (persona, greeting, avatar, labels, models, packs) as text', async () => {
    const tenant = await parley.seedTenant({ packs: false });
    const { models } = parley.running.deps;
    await models.Persona.update(
      { name: tenantPayload('persona-name'), greeting: `${tenantPayload('greeting')} [x](javascript:pwn('greeting-link'))`, avatarUrl: "javascript:pwn('avatar')" },
      { where: { id: tenant.personaId } },
    );
    const second = await models.CatalogueModel.create({ tenantId: tenant.tenantId, provider: 'openai', providerModelId: 'gpt-test-2', displayName: tenantPayload('model'), messageFee: 1, inputPer1k: 1, outputPer1k: 1 });
    await models.Persona.create({
      tenantId: tenant.tenantId, name: '"><svg onload=pwn(\'persona2\')>', avatarUrl: "https://x.invalid/a.png\" onerror=\"pwn('avatar2')", greeting: '<script>pwn("greeting2")</script>',
      systemPrompt: '', modelId: second.id, temperature: null, maxOutputTokens: 100,
    });
    await models.CreditPack.create({ tenantId: tenant.tenantId, name: tenantPayload('pack'), credits: 1000, amountMinor: 100, currency: 'EUR', badge: tenantPayload('badge') });
    const strings = { title: tenantPayload('title'), placeholder: tenantPayload('placeholder'), send: tenantPayload('send'), lowBalance: tenantPayload('low'), buyCredits: tenantPayload('buy') };
    await models.Tenant.update({ settings: { chat: { strings, welcomeCredits: 50_000 } } }, { where: { id: tenant.tenantId } });

    const page = await (await browser.newContext()).newPage();
    await page.goto(`${host.url}/page?key=${tenant.key}`);
    await openByLauncher(page);
    await waitForEvent(page, 'ready');
    for (const view of ['.title', '.sub', '.pill', '.icon']) {
      await page.click(`parley-chat ${view}`);
      await page.waitForTimeout(200);
      await poke(page);
      expect(await dangerousNodes(page)).toEqual([]);
      await page.click('parley-chat .subhead button');
    }
    expect(await page.locator('parley-chat parley-composer textarea').getAttribute('placeholder')).toBe(strings.placeholder);
    await screenshot(page, '11-xss-tenant-strings');
    expect(await pwned(page)).toEqual([]);
    await page.context().close();
  });
});
