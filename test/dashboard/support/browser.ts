import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startServer, type RunningServer } from '../../../server/src/boot';
import { loadConfig } from '../../../server/src/config';
import { scratchDatabase, type ScratchDatabase } from '../../support/db';
import { chromiumPath, describeInBrowser, launchBrowser } from '../../support/browser';

export { chromiumPath, describeInBrowser, launchBrowser };

/**
 * Browser tests drive the real dashboard in headless Chromium against a real server (its own
 * database, migrated by the server itself as on a first start). Chromium itself: ../../support/browser.ts.
 */
export const artifactsDir = path.resolve(__dirname, '../../../test-artifacts');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}

export interface TestServer {
  server: RunningServer;
  url: string;
  close(): Promise<void>;
}

/** A real server on a free port, over an empty database it migrates itself. */
export async function startTestServer(): Promise<TestServer> {
  const db: ScratchDatabase = await scratchDatabase({ migrated: false });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-dash-'));
  const port = await freePort();
  // A fixed port (not 0) so PUBLIC_URL, and with it invite links and the embed snippet, are right.
  const config = loadConfig({
    NODE_ENV: 'test', HOST: '127.0.0.1', PORT: String(port), DATABASE_URL: db.url, DATA_DIR: dataDir, LOG_LEVEL: process.env.PARLEY_TEST_LOG_LEVEL ?? 'silent',
    SEED_DEMO: 'false', AUTH_RATE_LIMIT_PER_MIN: '1000', PUBLIC_URL: `http://localhost:${port}`,
  });
  const server = await startServer(config, pino({ level: process.env.PARLEY_TEST_LOG_LEVEL ?? 'silent' }));
  return {
    server,
    url: `http://localhost:${port}`,
    close: async () => {
      await server.stop();
      await db.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A fresh browser context (its own cookies) with console errors and CSP violations collected. */
export async function newPage(browser: Browser): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  // Every Content-Security-Policy violation in any page or frame of this context (the dashboard, its
  // preview frame, host pages, the checkout) is an error, whether or not the browser logs it.
  await context.exposeBinding('__parleyCspViolation', (_source, violation: string) => errors.push(`CSP violation: ${violation}`));
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { __parleyCspViolation(v: string): void }).__parleyCspViolation(
        `${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} on ${e.documentURI}`,
      );
    });
  });
  page.on('console', (msg) => {
    // HTTP errors the pages expect (401 before logging in, 400 validation) are not script errors.
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) errors.push(msg.text());
  });
  return { context, page, errors };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(artifactsDir, { recursive: true });
  await page.screenshot({ path: path.join(artifactsDir, `${name}.png`), fullPage: true });
}
