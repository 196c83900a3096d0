import { Pool } from 'pg';
import pino from 'pino';
import { createApp, type ParleyApp } from '../../server/src/app';
import { loadConfig, type Config } from '../../server/src/config';
import { initModels } from '../../server/src/db/models';
import { createSequelize } from '../../server/src/db/sequelize';
import type { Deps } from '../../server/src/deps';
import { createMetrics } from '../../server/src/ops/metrics';
import { TestClock } from './clock';
import { workerDatabaseUrl } from './db';

export interface TestApp {
  app: ParleyApp;
  config: Config;
  deps: Deps;
  clock: TestClock;
  close(): Promise<void>;
}

export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    ...loadConfig({
      NODE_ENV: 'test', DATA_DIR: '.data/test', LOG_LEVEL: 'silent', AUTH_RATE_LIMIT_PER_MIN: '1000',
      // Every test connects from 127.0.0.1 into one database per worker: these budgets are tested on their own.
      CHAT_CONNECTIONS_PER_IP_PER_MIN: '1000000', CHECKOUT_VISITOR_PER_MIN: '1000', CHECKOUT_TENANT_PER_MIN: '100000' }),
    sessionSecret: 'test-session-secret-0123456789abcdef',
    masterKey: Buffer.alloc(32, 7).toString('base64'),
    ...overrides,
  };
}

/** Real deps over this worker's PostgreSQL; `databaseUrl` points elsewhere when a test needs its own. */
export async function createTestDeps(options: { databaseUrl?: string; logger?: pino.Logger } = {}): Promise<Deps & { clock: TestClock }> {
  const url = options.databaseUrl ?? (await workerDatabaseUrl());
  const sequelize = createSequelize({ url, poolMax: 10 });
  const pool = new Pool({ connectionString: url, max: 10 });
  // As the server's own pool does (boot.ts): an idle connection that PostgreSQL ends is dropped and
  // replaced. Without a listener pg-pool's 'error' is an uncaught exception that fails whichever test
  // is running (seen once in CI: an idle client ended with 57P01 mid-test, cause not found).
  pool.on('error', () => undefined);
  return {
    sequelize,
    models: initModels(sequelize),
    pool,
    logger: options.logger ?? pino({ level: 'silent' }),
    clock: new TestClock(),
    metrics: createMetrics({ collectDefault: false }),
  };
}

export async function closeDeps(deps: Deps): Promise<void> {
  await deps.sequelize.close();
  await deps.pool.end();
}

export async function createTestApp(options: { config?: Partial<Config>; databaseUrl?: string; logger?: pino.Logger } = {}): Promise<TestApp> {
  const deps = await createTestDeps(options);
  const config = testConfig(options.config);
  return { app: createApp(config, deps), config, deps, clock: deps.clock, close: () => closeDeps(deps) };
}
