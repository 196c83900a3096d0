/**
 * A real Parley for the browser tests: `startServer` from server/src/boot.ts (the app, the gateway,
 * jobs and the demo seed, as `npm start` runs them) on a fresh test database, with the OpenAI
 * provider pointed at the local fake OpenAI server. The widget is built first if its sources changed.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { startServer, type RunningServer } from '../../../server/src/boot';
import { startFakeOpenAI } from '../../fakes/fake-openai';
import type { FakeServer } from '../../fakes/fake-server';
import { testConfig } from '../../support/app';
import { seedChatTenant, type ChatTenant } from '../../support/chat';
import { scratchDatabase, type ScratchDatabase } from '../../support/db';

const root = path.resolve(__dirname, '../../..');

/** Builds widget/dist unless it is up to date (a child process: Vite is ESM-only, Jest runs CommonJS). */
export function ensureWidgetBuilt(): void {
  execFileSync(process.execPath, ['--import', 'tsx', 'widget/scripts/build.ts', '--if-stale'], { cwd: root, stdio: 'pipe' });
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface BrowserParley {
  /** `http://localhost:<port>`: a different origin from the host pages on 127.0.0.1. */
  url: string;
  running: RunningServer;
  openai: FakeServer;
  /** A tenant whose persona talks through the fake OpenAI server. */
  seedTenant(options?: Parameters<typeof seedChatTenant>[1] & { packs?: boolean }): Promise<ChatTenant>;
  close(): Promise<void>;
}

export async function startBrowserParley(): Promise<BrowserParley> {
  ensureWidgetBuilt();
  const openai = await startFakeOpenAI({ behaviour: { tokensPerSecond: 40, replyTokens: 24, retryAfterMs: 1 } });
  const db: ScratchDatabase = await scratchDatabase({ migrated: true });
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-browser-'));
  const base = testConfig();
  const config = testConfig({
    databaseUrl: db.url,
    port,
    publicUrl: `http://localhost:${port}`,
    dataDir,
    seedDemo: true,
    openaiApiKey: 'sk-test-openai',
    openaiBaseUrl: openai.url,
    // Every browser context is a new visitor from 127.0.0.1: lift the per-address limits.
    chat: { ...base.chat, newVisitorsPerIpPerHour: 100_000, visitorMessagesPerMin: 1000, tenantMessagesPerMin: 10_000 },
  });
  const running = await startServer(config, pino({ level: 'silent' }));
  return {
    url: running.url,
    running,
    openai,
    async seedTenant(options = {}) {
      const tenant = await seedChatTenant(running.deps, options);
      if (options.packs !== false) {
        await running.deps.models.CreditPack.create({ tenantId: tenant.tenantId, name: 'Starter', credits: 20_000, amountMinor: 500, currency: 'EUR', badge: null });
        await running.deps.models.CreditPack.create({ tenantId: tenant.tenantId, name: 'Big', credits: 100_000, amountMinor: 2000, currency: 'EUR', badge: 'Best value' });
      }
      return tenant;
    },
    async close() {
      await running.stop();
      await openai.close();
      await db.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
