/**
 * Issue 7, item 8, as a new site owner does it: sign up; create a model price, a persona and a
 * pack; copy the snippet; open a host page with it; chat; buy through the demo checkout; and the
 * dashboard shows the conversation and the purchase as they happen, then the credits and the
 * revenue in analytics. A member of another workspace sees none of it.
 */
import type { Browser, Page } from 'playwright-core';
import { describeInBrowser, launchBrowser, newPage, screenshot, startTestServer, type TestServer } from './support/browser';
import { ensureDashboardBuilt, ensureWidgetBuilt } from './support/build';
import { startHostPage } from './support/host-page';
import { startFakeOpenAI } from '../fakes/fake-openai';

jest.setTimeout(180_000);

describeInBrowser('dashboard end to end', () => {
  let srv: TestServer;
  let browser: Browser;
  let visitorUrl = '';
  let conversationId = '';

  beforeAll(async () => {
    await Promise.all([ensureDashboardBuilt(), ensureWidgetBuilt()]);
    [srv, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await srv?.close();
  });

  async function signUp(page: Page, site: string): Promise<void> {
    await page.goto(`${srv.url}/dashboard/signup`);
    await page.getByLabel('Site or business name').fill(site);
    await page.getByLabel('Email').fill(`${site.replace(/\W/g, '').toLowerCase()}-${Date.now()}@example.test`);
    await page.getByLabel('Password').fill('a long passphrase here');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Personas', exact: true }).waitFor();
  }

  it('takes a new tenant from sign-up to its first purchase in analytics', async () => {
    const { page, context, errors } = await newPage(browser);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: srv.url });
    await signUp(page, 'Acme Wines');
    await page.getByText('Add a model first').waitFor();

    await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Models & prices', exact: true }).click();
    await page.getByRole('button', { name: 'Add model' }).click();
    await page.getByLabel("Provider's model name").fill('demo');
    await page.getByLabel('Name shown to visitors').fill('House model');
    await page.getByLabel('Per message').fill('0.1');
    await page.getByLabel('Per 1K input tokens').fill('0.5');
    await page.getByLabel('Per 1K output tokens').fill('1');
    // 0.1 + ceil(500 x 500 / 1000) + ceil(300 x 1000 / 1000) millicredits = 0.65 credits.
    await page.getByTestId('sample-price').getByText('0.65 credits').waitFor();
    await page.getByRole('button', { name: 'Add model' }).last().click();
    await page.getByRole('cell', { name: /House model/ }).waitFor();

    await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Personas', exact: true }).click();
    await page.getByRole('button', { name: 'New persona' }).click();
    await page.getByLabel('Name').fill('Sommelier');
    await page.getByLabel('Greeting').fill('Hello! Which wine are you after?');
    await page.getByRole('button', { name: 'Create persona' }).click();
    await page.locator('[data-persona="Sommelier"]').waitFor();

    await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Credit packs', exact: true }).click();
    await page.getByRole('button', { name: 'New pack' }).click();
    await page.getByLabel('Name').fill('Starter');
    await page.getByLabel('Credits').fill('20');
    await page.getByLabel('Price').fill('5.00');
    await page.getByTestId('price-per-credit').getByText('0.2500 USD').waitFor();
    await page.getByRole('button', { name: 'Create pack' }).click();
    await page.getByRole('cell', { name: 'Starter', exact: true }).waitFor();

    await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Embed', exact: true }).click();
    const shown = (await page.getByTestId('snippet').textContent())!.trim();
    expect(shown).toMatch(/^<script src="http:\/\/localhost:\d+\/widget\.js" data-key="pk_\w+" async><\/script>$/);
    await page.getByRole('button', { name: 'Copy snippet' }).click();
    await page.getByRole('button', { name: 'Copied ✓' }).waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toBe(shown);
    await screenshot(page, 'e2e-embed');

    // The owner watches Activity while a visitor chats and buys on the host page.
    await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Activity', exact: true }).click();
    await page.getByText('No conversations yet').waitFor();
    const host = await startHostPage(copied);
    const visitor = await context.newPage();
    try {
      await visitor.goto(host.url);
      await visitor.getByRole('button', { name: 'Open chat' }).click();
      await visitor.getByRole('textbox', { name: 'Message' }).fill('Which wine goes with trout?');
      await visitor.getByRole('button', { name: 'Send' }).click();
      await visitor.getByText(/Cost [\d.]+ credits/).first().waitFor({ timeout: 30_000 });

      await page.locator('tr[data-conversation]').first().waitFor(); // live, no reload
      await visitor.getByRole('button', { name: /^Balance:/ }).click();
      const popup = context.waitForEvent('page');
      await visitor.getByRole('button', { name: /Buy Starter for/ }).click();
      const checkout = await popup;
      await checkout.getByRole('button', { name: 'Pay $5.00' }).click();
      await visitor.getByText('Thank you! 20 credits were added.').waitFor({ timeout: 30_000 });
      await screenshot(visitor, 'e2e-host-page');
      await checkout.close();
    } finally {
      await host.close();
    }

    const purchaseRow = page.locator('tr[data-purchase]').first();
    await purchaseRow.getByText('paid').waitFor(); // live, no reload
    await screenshot(page, 'e2e-activity');
    const visitorUrl = (await purchaseRow.getByRole('link', { name: 'visitor' }).getAttribute('href'))!;

    await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Analytics', exact: true }).click();
    const kpi = (label: string) => page.getByRole('group', { name: label }).locator('.kpi-value');
    await kpi('Conversations').getByText('1', { exact: true }).waitFor();
    expect(await kpi('Credits sold').textContent()).toBe('20');
    expect(await kpi('Revenue').textContent()).toBe('$5.00');
    expect(await kpi('Paying visitors').textContent()).toBe('1');
    expect(Number(await kpi('Credits spent').textContent())).toBeGreaterThan(0);
    await screenshot(page, 'e2e-analytics');

    await page.goto(`${srv.url}${visitorUrl}`);
    await page.getByRole('cell', { name: /^Starter/ }).waitFor();
    await page.getByRole('link', { name: 'Which wine goes with trout?' }).click();
    await page.getByText('Which wine goes with trout?').first().waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('tests a provider key against the provider, and sets rate limits within the server limit', async () => {
    const fake = await startFakeOpenAI({ apiKey: 'sk-e2e-right-key-0123' });
    const { page, context, errors } = await newPage(browser);
    try {
      await signUp(page, 'Limits Shop');
      const nav = page.getByRole('navigation', { name: 'Dashboard' });
      await nav.getByRole('link', { name: 'Provider & Stripe keys', exact: true }).click();
      for (const [key, expected] of [['sk-e2e-wrong-key-0000', /refused the key \(HTTP 401\)/], ['sk-e2e-right-key-0123', /the key works and lists 2 models/]] as const) {
        await page.getByLabel('API key').fill(key);
        await page.getByLabel('Base URL (optional)').fill(fake.url);
        await page.getByRole('button', { name: 'Save provider key' }).click();
        await page.getByRole('button', { name: 'Test the openai key' }).click();
        await page.getByTestId('provider-test-openai').getByText(expected).waitFor();
      }
      expect(await page.getByTestId('provider-test-openai').textContent()).not.toContain('sk-e2e');

      await nav.getByRole('link', { name: 'Settings', exact: true }).click();
      const perVisitor = page.getByLabel('Messages per visitor per minute');
      await perVisitor.fill('999');
      await page.getByRole('button', { name: 'Save rate limits' }).click();
      await page.getByText(/^At most \d+, this server's limit$/).waitFor(); // beside the field
      expect(await perVisitor.evaluate((el) => el.matches(':focus'))).toBe(true);
      await page.getByRole('button', { name: 'Put back the saved values' }).click();
      expect(await perVisitor.inputValue()).toBe('');
      await perVisitor.fill('5');
      await page.getByRole('button', { name: 'Save rate limits' }).click();
      await page.getByText(/Now: 5\./).waitFor();
      await screenshot(page, 'e2e-rate-limits');
      const saved = await page.evaluate(async () => (await (await fetch('/api/workspace/rate-limits')).json()) as { visitorMessagesPerMin: number | null });
      expect(saved.visitorMessagesPerMin).toBe(5);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
      await fake.close();
    }
  });

  it('shows a member of another workspace none of it', async () => {
    // The first workspace's records, from the database: this check does not depend on the test above passing.
    const { rows } = await srv.server.deps.pool.query<{ id: string; visitor_id: string }>(
      'SELECT id, visitor_id FROM chat_conversations ORDER BY created_at DESC LIMIT 1');
    expect(rows[0]).toBeDefined();
    visitorUrl = `/dashboard/visitors/${rows[0]!.visitor_id}`;
    conversationId = rows[0]!.id;
    const { page, context, errors } = await newPage(browser);
    await signUp(page, 'Other Shop');
    await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Analytics', exact: true }).click();
    await page.getByRole('group', { name: 'Conversations' }).locator('.kpi-value').getByText('0', { exact: true }).waitFor();
    await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Visitors', exact: true }).click();
    await page.getByText('No visitors yet').waitFor();
    await page.goto(`${srv.url}${visitorUrl}`);
    await page.getByRole('alert').getByText(/No such visitor/).first().waitFor();
    const status = await page.evaluate(async (id) => (await fetch(`/api/conversations/${id}`)).status, conversationId);
    expect(status).toBe(404);
    // The page's own 404 fetch above logs a failed resource, which is not an error; nothing else may.
    expect(errors).toEqual([]);
    await context.close();
  });
});
