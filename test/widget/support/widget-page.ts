import type { Page } from 'playwright-core';

/** Playwright's CSS engine pierces open shadow roots, so these reach inside `<parley-chat>`. */
export const sel = {
  launcher: 'parley-chat .launcher',
  panel: 'parley-chat .panel',
  input: 'parley-chat parley-composer textarea',
  send: 'parley-chat parley-composer button[part=send]',
  stop: 'parley-chat parley-composer button[part=stop]',
  pill: 'parley-chat .pill',
  replies: 'parley-chat parley-message[from=assistant]:not(.greeting) .bubble',
  userMessages: 'parley-chat parley-message[from=user] .bubble',
  offline: 'parley-chat .offline',
  notice: 'parley-chat .notice',
  live: 'parley-chat .sr[aria-live]',
};

interface HostWindow {
  __events: Array<{ name: string; detail: Record<string, unknown> }>;
  __violations: string[];
  __pwned: string[];
}

export async function openByLauncher(page: Page): Promise<void> {
  await page.click(sel.launcher);
  await page.waitForSelector(sel.input);
  await settled(page, sel.panel);
}

/** Waits for the element's CSS animations (the panel's 180 ms rise) so geometry is read at rest. */
export async function settled(page: Page, selector: string): Promise<void> {
  await page.locator(selector).evaluate((el) => Promise.all(el.getAnimations().map((a) => a.finished)).then(() => undefined));
}

export async function sendText(page: Page, text: string): Promise<void> {
  await page.fill(sel.input, text);
  await page.press(sel.input, 'Enter');
}

/** The balance pill ("49.68 credits") in millicredits. */
export async function pillMillicredits(page: Page): Promise<number> {
  const text = await page.locator(sel.pill).innerText();
  return Math.round(Number(text.replace(/[^\d.]/g, '')) * 1000);
}

export async function waitForEvent(page: Page, name: string, count = 1, timeout = 20_000): Promise<Record<string, unknown>> {
  await page.waitForFunction(
    ([n, c]) => (window as unknown as HostWindow).__events.filter((e) => e.name === n).length >= (c as number),
    [name, count] as const,
    { timeout },
  );
  return page.evaluate((n) => (window as unknown as HostWindow).__events.filter((e) => e.name === n).at(-1)!.detail, name);
}

export const violations = (page: Page) => page.evaluate(() => (window as unknown as HostWindow).__violations);
export const pwned = (page: Page) => page.evaluate(() => (window as unknown as HostWindow).__pwned);

/** The focused element, followed through shadow roots: "PARLEY-CHAT > PARLEY-COMPOSER > TEXTAREA". */
export function focusPath(page: Page): Promise<string> {
  return page.evaluate(() => {
    const chain: string[] = [];
    let el: Element | null = document.activeElement;
    while (el) {
      chain.push(el.tagName + (el.className && typeof el.className === 'string' ? `.${el.className.split(' ')[0]}` : ''));
      el = el.shadowRoot?.activeElement ?? null;
    }
    return chain.join(' > ');
  });
}
