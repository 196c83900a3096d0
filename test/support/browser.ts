/**
 * Headless Chromium for the browser tests (widget and dashboard), through playwright-core and the
 * OS's Chromium. Without Chromium the suites skip with a loud message, except on CI (`CI=true`),
 * where a missing browser is a failure: CI must never pass by skipping.
 */
import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/snap/bin/chromium'];

export const chromiumPath: string | undefined = candidates.find((file): file is string => !!file && fs.existsSync(file));

/** `describe` when Chromium is there; otherwise a skip (or, on CI, a failing test that says why). */
export function describeInBrowser(name: string, fn: () => void): void {
  if (chromiumPath) {
    describe(name, fn);
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('needs Chromium', () => {
        throw new Error(`No Chromium found (looked in ${candidates.filter(Boolean).join(', ')}); CI must run the browser tests.`);
      });
    });
    return;
  }
  console.warn(`\n⚠️  SKIPPING browser tests "${name}": no Chromium found. Install it (apt-get install chromium) or set CHROMIUM_PATH.\n`);
  describe.skip(name, fn);
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
