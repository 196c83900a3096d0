/** The widget's browser-test helpers: the shared Chromium ones, plus screenshots into its own folder. */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';

export { chromiumPath, describeInBrowser, launchBrowser } from '../../support/browser';

export const artifactsDir = path.resolve(__dirname, '../../../test-artifacts/widget');

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(artifactsDir, { recursive: true });
  await page.screenshot({ path: path.join(artifactsDir, `${name}.png`) });
}
