/**
 * Running out and buying more, in Chromium against the real server and its demo checkout: out of
 * credits → the packs → checkout in a popup → Pay → the balance rises by push (no reload) → the
 * confirmation → chat again. Also the purchase history.
 */
import type { Browser } from 'playwright-core';
import { describeInBrowser, launchBrowser, screenshot } from './support/browser';
import { startHostPages, type HostPages } from './support/host-pages';
import { startBrowserParley, type BrowserParley } from './support/parley';
import { openByLauncher, pillMillicredits, sel, sendText, waitForEvent } from './support/widget-page';

jest.setTimeout(90_000);

describeInBrowser('buying credits from the widget', () => {
  let parley: BrowserParley;
  let host: HostPages;
  let browser: Browser;
  let key: string;

  beforeAll(async () => {
    parley = await startBrowserParley();
    // Enough for one cheap turn, not for two.
    key = (await parley.seedTenant({ welcomeCredits: 250, price: { messageFee: 200, inputPer1k: 10, outputPer1k: 10 } })).key;
    host = await startHostPages({ parleyUrl: parley.url, key });
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await parley?.close();
  });

  it('runs out, buys a pack in the demo checkout, sees the balance rise by push, and chats again', async () => {
    parley.openai.setBehaviour({ replyTokens: 5, tokensPerSecond: 0 });
    const page = await (await browser.newContext({ viewport: { width: 1200, height: 800 } })).newPage();
    await page.goto(`${host.url}/page?csp=strict`);
    await openByLauncher(page);
    await sendText(page, 'First question');
    await waitForEvent(page, 'message');
    await sendText(page, 'Second question');
    // Out of credits: the error state offers the packs, and the composer is disabled.
    await page.waitForSelector(`${sel.notice} button[part=buy]`);
    expect(await page.locator(sel.input).isDisabled()).toBe(true);
    const before = await pillMillicredits(page);

    const [popup] = await Promise.all([page.waitForEvent('popup'), page.locator(`${sel.notice} button[part=buy]`).first().click()]);
    await page.waitForSelector('parley-chat .notice[role=status]'); // waiting for payment
    await screenshot(page, '13-waiting-for-payment');
    await popup.waitForLoadState();
    await popup.getByRole('button', { name: /^Pay/ }).click();

    const purchase = await waitForEvent(page, 'purchase');
    expect(purchase.credits).toBe(20_000);
    await page.waitForSelector('parley-chat .notice.ok');
    // The pushed balance reaches the pill without a reload.
    for (let waited = 0; (await pillMillicredits(page)) - before !== 20_000 && waited < 10_000; waited += 100) await page.waitForTimeout(100);
    expect((await pillMillicredits(page)) - before).toBe(20_000);
    await screenshot(page, '14-paid');

    await page.click('parley-chat .notice.ok button');
    expect(await page.locator(sel.input).isDisabled()).toBe(false);
    await sendText(page, 'Third question, after buying');
    const end = await waitForEvent(page, 'message', 2);
    expect(end.status).toBe('done');

    await page.click(sel.pill);
    await page.click('parley-chat .body > button.plain'); // purchase history
    await page.waitForSelector('parley-chat .rows li');
    expect(await page.locator('parley-chat .rows li').count()).toBe(1);
    await page.context().close();
  });
});
