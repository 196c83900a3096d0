/**
 * Chatting through the real gateway and the fake OpenAI server, in Chromium: a streamed reply, stop,
 * the balance pill moving by exactly the charge, a reload in the middle of a reply, and going
 * offline (sending meanwhile) and back.
 */
import type { Browser, Page } from 'playwright-core';
import { describeInBrowser, launchBrowser, screenshot } from './support/browser';
import { startHostPages, type HostPages } from './support/host-pages';
import { startBrowserParley, type BrowserParley } from './support/parley';
import { openByLauncher, pillMillicredits, sel, sendText, violations, waitForEvent } from './support/widget-page';

jest.setTimeout(90_000);

const words = (text: string) => text.replace(/\s+/g, ' ').trim();

describeInBrowser('chatting in the widget', () => {
  let parley: BrowserParley;
  let host: HostPages;
  let browser: Browser;

  beforeAll(async () => {
    parley = await startBrowserParley();
    const { key } = await parley.seedTenant();
    host = await startHostPages({ parleyUrl: parley.url, key });
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await parley?.close();
  });

  const openPage = async (): Promise<Page> => {
    const page = await (await browser.newContext({ viewport: { width: 1200, height: 800 } })).newPage();
    await page.goto(`${host.url}/page?csp=strict`);
    await openByLauncher(page);
    await page.waitForSelector(sel.pill);
    return page;
  };

  const dbMessage = async (id: string) =>
    (await parley.running.deps.pool.query('SELECT status, text, charged FROM chat_messages WHERE id = $1', [id])).rows[0] as { status: string; text: string; charged: string };

  const replyText = (page: Page) => page.locator(sel.replies).last().innerText().then((t) => words(t.replace(/^Helper:\s*/, '')));

  it('streams a reply chunk by chunk, announces it once done, and the pill drops by exactly its charge', async () => {
    parley.openai.setBehaviour({ replyTokens: 30, tokensPerSecond: 20 });
    const page = await openPage();
    const before = await pillMillicredits(page);
    await sendText(page, 'Tell me something');
    await page.waitForSelector(sel.replies);
    const seen = new Set<number>();
    for (let i = 0; i < 40 && seen.size < 4; i++) {
      seen.add((await replyText(page)).length);
      await page.waitForTimeout(50);
    }
    expect(seen.size).toBeGreaterThanOrEqual(3); // grew in steps: streamed, not delivered whole
    await screenshot(page, '05-streaming');
    const done = await waitForEvent(page, 'message');
    const row = await dbMessage(done.messageId as string);
    expect(done).toMatchObject({ status: 'done', charged: Number(row.charged) });
    expect(await replyText(page)).toBe(words(parley.openai.requests.at(-1)!.replyText));
    await page.waitForFunction((b) => !document.querySelector('parley-chat')!.shadowRoot!.querySelector('.pill')!.textContent!.includes(String(b / 1000)), before);
    expect(before - (await pillMillicredits(page))).toBe(Number(row.charged));
    expect(await page.locator(sel.live).innerText()).toContain(`Helper replied: ${words(row.text).slice(0, 40)}`);
    await screenshot(page, '06-reply');
    expect(await violations(page)).toEqual([]);
    await page.context().close();
  });

  it('stops a reply: no more text, status stopped, and only what was delivered is charged', async () => {
    parley.openai.setBehaviour({ replyTokens: 400, tokensPerSecond: 25 });
    const page = await openPage();
    const before = await pillMillicredits(page);
    await sendText(page, 'Write me a long essay');
    await page.waitForFunction(() => {
      const bubble = document.querySelector('parley-chat')!.shadowRoot!.querySelector('parley-message[from=assistant]:not(.greeting)');
      return (bubble?.shadowRoot?.querySelector('.bubble')?.textContent?.length ?? 0) > 40;
    });
    await page.click(sel.stop);
    const end = await waitForEvent(page, 'message');
    expect(end.status).toBe('stopped');
    const row = await dbMessage(end.messageId as string);
    expect(row.status).toBe('stopped');
    expect(Number(row.charged)).toBeGreaterThan(0);
    await page.waitForTimeout(500);
    expect(await replyText(page)).toBe(words(row.text));
    expect(words(row.text).length).toBeLessThan(words(parley.openai.requests.at(-1)!.replyText).length);
    await page.waitForFunction(() => document.querySelector('parley-chat')!.shadowRoot!.querySelector('parley-composer')!.shadowRoot!.querySelector('button[part=send]'));
    expect(before - (await pillMillicredits(page))).toBe(Number(row.charged));
    expect(await page.locator('parley-chat parley-message[from=assistant] .meta').last().innerText()).toContain('Stopped');
    await screenshot(page, '07-stopped');
    await page.context().close();
  });

  it('completes a reply exactly once after a reload in the middle of it', async () => {
    parley.openai.setBehaviour({ replyTokens: 90, tokensPerSecond: 20 });
    const page = await openPage();
    await sendText(page, 'Reload while you answer');
    await page.waitForFunction(() => {
      const bubble = document.querySelector('parley-chat')!.shadowRoot!.querySelector('parley-message[from=assistant]:not(.greeting)');
      return (bubble?.shadowRoot?.querySelector('.bubble')?.textContent?.length ?? 0) > 30;
    });
    await page.reload();
    // The panel was open: it reopens by itself, loads the conversation and follows the reply.
    await page.waitForSelector(sel.replies);
    const end = await waitForEvent(page, 'message');
    const row = await dbMessage(end.messageId as string);
    expect(row.status).toBe('done');
    expect(words(row.text)).toBe(words(parley.openai.requests.at(-1)!.replyText));
    expect(await page.locator(sel.replies).count()).toBe(1);
    expect(await page.locator(sel.userMessages).count()).toBe(1);
    expect(await replyText(page)).toBe(words(row.text));
    await screenshot(page, '08-after-reload');
    await page.context().close();
  });

  it('shows when it is offline, keeps what was typed, and sends it once with the same id when back', async () => {
    parley.openai.setBehaviour({ replyTokens: 12, tokensPerSecond: 0 });
    const page = await openPage();
    await page.context().setOffline(true);
    await page.waitForSelector(sel.offline);
    await sendText(page, 'Typed while offline');
    await page.waitForTimeout(1500);
    const count = () => parley.running.deps.pool.query("SELECT id, client_message_id FROM chat_messages WHERE role = 'user' AND text = 'Typed while offline'");
    expect((await count()).rowCount).toBe(0);
    expect(await page.locator('parley-chat parley-message[from=user] .meta').last().innerText()).toContain('Sending');
    await screenshot(page, '09-offline');
    await page.context().setOffline(false);
    const end = await waitForEvent(page, 'message');
    expect(end.status).toBe('done');
    await page.waitForSelector(sel.offline, { state: 'detached' });
    const rows = (await count()).rows;
    expect(rows).toHaveLength(1);
    expect(await page.locator(sel.replies).count()).toBe(1);
    await page.context().close();
  });

  it("starts over as a new anonymous visitor after Parley('logout')", async () => {
    parley.openai.setBehaviour({ replyTokens: 6, tokensPerSecond: 0 });
    const page = await openPage();
    await sendText(page, 'Before logging out');
    await waitForEvent(page, 'message');
    const tokenOf = () => page.evaluate(() => Object.entries(localStorage).find(([k]) => k.endsWith(':token'))?.[1]);
    const before = await tokenOf();
    await page.evaluate(() => (window as unknown as { Parley: (c: string) => void }).Parley('logout'));
    await page.waitForFunction((old) => {
      const token = Object.entries(localStorage).find(([k]) => k.endsWith(':token'))?.[1];
      return token && token !== old;
    }, before);
    expect(await page.locator(sel.userMessages).count()).toBe(0);
    expect(await pillMillicredits(page)).toBe(50_000); // a new visitor's welcome credits
    expect(await tokenOf()).not.toBe(before);
    await page.context().close();
  });

  it('shows provider_unavailable with a Retry that sends the message again, and charges nothing for the failure', async () => {
    parley.openai.setBehaviour({ failStatus: 500, replyTokens: 6, tokensPerSecond: 0 });
    const page = await openPage();
    const before = await pillMillicredits(page);
    await sendText(page, 'This one fails first');
    await page.waitForSelector(`${sel.notice}.bad button`);
    expect(await page.locator(sel.notice).innerText()).toContain('The assistant is not available right now.');
    await screenshot(page, '15-provider-unavailable');
    parley.openai.setBehaviour({ failStatus: undefined });
    await page.locator(`${sel.notice} button`, { hasText: 'Try again' }).click();
    await page.waitForFunction(() => (window as unknown as { __events: Array<{ name: string; detail: { status: string } }> }).__events.some((e) => e.name === 'message' && e.detail.status === 'done'));
    const done = (await page.evaluate(() => (window as unknown as { __events: Array<{ name: string; detail: { status: string; messageId: string } }> }).__events.find((e) => e.name === 'message' && e.detail.status === 'done')!.detail));
    const row = await dbMessage(done.messageId);
    await page.waitForFunction((b) => !document.querySelector('parley-chat')!.shadowRoot!.querySelector('.pill')!.textContent!.includes(String(b / 1000)), before);
    expect(before - (await pillMillicredits(page))).toBe(Number(row.charged));
    await page.context().close();
  });

  it('runs out of credits: the error state offers the packs and the composer is disabled', async () => {
    parley.openai.setBehaviour({ replyTokens: 5, tokensPerSecond: 0 });
    // Enough for one cheap turn, not for two.
    const poor = await parley.seedTenant({ welcomeCredits: 250, price: { messageFee: 200, inputPer1k: 10, outputPer1k: 10 } });
    const page = await (await browser.newContext({ viewport: { width: 1200, height: 800 } })).newPage();
    await page.goto(`${host.url}/page?csp=strict&key=${poor.key}`);
    await openByLauncher(page);
    await sendText(page, 'First question');
    await waitForEvent(page, 'message');
    await sendText(page, 'Second question');
    await page.waitForSelector(`${sel.notice} button[part=buy]`);
    expect(await page.locator(`${sel.notice} button[part=buy]`).allInnerTexts()).toEqual([expect.stringMatching(/Starter 20 credits\s*€5\.00/), expect.stringMatching(/Big 100 credits\s*€20\.00/)]);
    expect(await page.locator(sel.input).isDisabled()).toBe(true);
    expect(await page.locator(sel.input).getAttribute('placeholder')).toBe('Buy credits to keep chatting');
    expect(await page.locator('parley-chat parley-message[from=user] .meta').last().innerText()).toContain('Not sent');
    await screenshot(page, '12-out-of-credits');
    await page.context().close();
  });
});
