/**
 * The dashboard's shell in a real browser: sign up, settings with validation beside the fields,
 * API keys, invites by link, an analyst who can see but not change (disabled controls, and the
 * server's 403), log out and in, switching workspace.
 */
import type { Browser, Page } from 'playwright-core';
import { describeInBrowser, launchBrowser, newPage, screenshot, startTestServer, type TestServer } from './support/browser';
import { ensureDashboardBuilt } from './support/build';

jest.setTimeout(120_000);

describeInBrowser('dashboard shell', () => {
  let srv: TestServer;
  let browser: Browser;
  const owner = { email: `owner-${Date.now()}@example.test`, password: 'a long passphrase 1' };
  let inviteUrl = '';

  beforeAll(async () => {
    await ensureDashboardBuilt();
    [srv, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await srv?.close();
  });

  const signUp = async (page: Page) => {
    await page.goto(`${srv.url}/dashboard/signup`);
    await page.getByLabel('Site or business name').fill('Acme Shop');
    await page.getByLabel('Your name').fill('Olive Owner');
    await page.getByLabel('Email').fill(owner.email);
    await page.getByLabel('Password').fill(owner.password);
    await page.getByRole('button', { name: 'Create account' }).click();
  };

  it('signs up, edits settings with errors beside the fields, manages keys and invites', async () => {
    const { page, errors, context } = await newPage(browser);
    // A refusal that names a field shows beside it, not in the banner; the button is usable again.
    await page.goto(`${srv.url}/dashboard/signup`);
    await page.getByLabel('Site or business name').fill('Acme Shop');
    await page.getByLabel('Your name').fill('Olive Owner');
    await page.getByLabel('Email').fill(owner.email);
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.locator('input[name="password"][aria-invalid="true"]').waitFor();
    expect(await page.locator('.banner.error').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Create account' }).isDisabled()).toBe(false);
    await signUp(page);
    await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Settings', exact: true }).click();
    await page.getByLabel('Name', { exact: true }).fill('Acme Store');
    await page.getByLabel('Allowed origins').fill('https://shop.example.com\nnot an origin');
    await page.getByRole('button', { name: 'Save workspace' }).click();
    await page.getByText('An origin like https://example.com').waitFor();
    expect(await page.getByLabel('Allowed origins').getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Allowed origins').fill('https://shop.example.com');
    await page.getByRole('button', { name: 'Save workspace' }).click();
    await page.getByText('Saved').first().waitFor();
    await page.reload();
    expect(await page.getByLabel('Allowed origins').inputValue()).toBe('https://shop.example.com');
    expect(await page.getByLabel('Workspace').locator('option:checked').textContent()).toContain('Acme Store');

    await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'API keys', exact: true }).click();
    await page.getByLabel('Kind').selectOption('secret');
    await page.getByLabel('Name').fill('backend');
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = await page.getByTestId('new-key').locator('code').textContent();
    expect(secret).toMatch(/^sk_/);
    await page.getByRole('button', { name: 'Done' }).click();
    const row = page.locator('tr', { hasText: 'backend' });
    await row.getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke key' }).click();
    await row.getByText('revoked').waitFor();

    await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Members', exact: true }).click();
    await page.getByLabel('Role', { exact: true }).selectOption('analyst');
    await page.getByRole('button', { name: 'Create invite link' }).click();
    inviteUrl = (await page.getByTestId('invite-link').locator('code').textContent()) ?? '';
    expect(inviteUrl).toContain(`${srv.url}/dashboard/invite/inv_`);
    await screenshot(page, 'dashboard-members');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('an invited analyst sees everything, every control is disabled, and the server refuses writes', async () => {
    const { page, errors, context } = await newPage(browser);
    await page.goto(inviteUrl);
    await page.getByRole('heading', { name: 'Join Acme Store' }).waitFor();
    await page.getByLabel('Email').fill(`analyst-${Date.now()}@example.test`);
    await page.getByLabel('Password').fill('another long passphrase');
    await page.getByRole('button', { name: 'Create account and join' }).click();
    await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Settings', exact: true }).click();
    await page.getByTestId('read-only').waitFor();
    expect(await page.getByLabel('Allowed origins').isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Save workspace' }).isDisabled()).toBe(true);
    expect(await page.getByLabel('Messages per visitor per minute').isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Save rate limits' }).isDisabled()).toBe(true);
    await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'API keys', exact: true }).click();
    expect(await page.getByRole('button', { name: 'Create key' }).isDisabled()).toBe(true);
    await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Members', exact: true }).click();
    expect(await page.getByRole('button', { name: 'Create invite link' }).isDisabled()).toBe(true);

    const status = await page.evaluate(async () => {
      const me = (await (await fetch('/api/auth/me')).json()) as { csrfToken: string };
      const res = await fetch('/api/workspace', { method: 'PATCH', headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken }, body: JSON.stringify({ name: 'Hijacked' }) });
      return { status: res.status, code: ((await res.json()) as { error: { code: string } }).error.code };
    });
    expect(status).toEqual({ status: 403, code: 'forbidden' });
    await screenshot(page, 'dashboard-analyst');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('logs out and in again, and switches between workspaces', async () => {
    const { page, context } = await newPage(browser);
    await page.goto(`${srv.url}/dashboard/login`);
    await page.getByLabel('Email').fill(owner.email);
    await page.getByLabel('Password').fill('wrong password here');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').getByText('Wrong email or password').waitFor();
    await page.getByLabel('Password').fill(owner.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('button', { name: 'Log out' }).waitFor();

    await page.evaluate(async () => {
      const me = (await (await fetch('/api/auth/me')).json()) as { csrfToken: string };
      await fetch('/api/workspaces', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken }, body: JSON.stringify({ name: 'Second Site' }) });
    });
    await page.reload();
    const switcher = page.getByLabel('Workspace');
    await switcher.selectOption({ label: 'Second Site (owner)' });
    await page.getByText('Switched to Second Site').waitFor();
    await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Settings', exact: true }).click();
    expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe('Second Site');

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    await page.goto(`${srv.url}/dashboard/settings`);
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    await context.close();
  });
});
