/**
 * `npm run start:cluster`: N server processes on one machine behind one port.
 *
 * The primary opens the database (or starts the embedded one), migrates and seeds it once, then
 * listens and forks WORKERS workers (default: one per CPU). `@socket.io/sticky` hands each
 * connection to a worker, and every later request of the same Socket.IO session to the same one,
 * so long-polling works; workers reach each other through the Socket.IO adapter (PostgreSQL, or
 * Redis with REDIS_URL) like separate machines would. SIGTERM or Ctrl-C stops the workers
 * gracefully, then the embedded PostgreSQL, then the primary.
 */
import cluster, { type Worker } from 'node:cluster';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { setupMaster } from '@socket.io/sticky';
import type { Logger } from 'pino';
import { z } from 'zod';
import { keepSignalsForGracefulStop, prepareDatabase, startServer } from './src/boot';
import { ConfigError, loadConfig, type Config } from './src/config';
import { createLogger } from './src/logger';
import { loadOrCreateSecrets } from './src/secrets';

const workersSchema = z.coerce.number().int().min(1).max(256);
/** A worker that dies is replaced, unless workers die faster than this (then something is wrong). */
const respawnFloorMs = 2_000;

function readConfig(): Config {
  try {
    return loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

async function primary(): Promise<void> {
  const base = readConfig();
  const parsedWorkers = workersSchema.safeParse(process.env.WORKERS || os.availableParallelism());
  if (!parsedWorkers.success) {
    process.stderr.write('Invalid configuration:\n  WORKERS: a whole number from 1 to 256\n');
    process.exit(2);
  }
  const count = parsedWorkers.data;
  const logger = createLogger(base.logLevel);
  await fs.mkdir(base.dataDir, { recursive: true });
  const secrets = await loadOrCreateSecrets(base.dataDir, { sessionSecret: base.sessionSecret, masterKey: base.masterKey });
  const config: Config = { ...base, ...secrets };
  const database = await prepareDatabase(config, logger);
  if (database.embedded) keepSignalsForGracefulStop();

  const server = http.createServer();
  setupMaster(server, { loadBalancingMethod: 'least-connection' });
  // sticky hands request bytes to workers over IPC: Buffers survive only the advanced (structured clone) serialization.
  cluster.setupPrimary({ serialization: 'advanced' });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  const port = (server.address() as AddressInfo).port;
  const workerEnv: Record<string, string> = {
    DATABASE_URL: database.url,
    SESSION_SECRET: secrets.sessionSecret,
    MASTER_KEY: secrets.masterKey,
    SEED_DEMO: 'false',
    PORT: String(port),
  };

  let stopping = false;
  let lastSpawn = 0;
  const spawn = (): Worker => {
    lastSpawn = Date.now();
    return cluster.fork(workerEnv);
  };
  const ready = new Promise<void>((resolve) => {
    let started = 0;
    cluster.on('message', (_worker, message: { type?: string }) => {
      if (message?.type === 'parley:ready' && (started += 1) === count) resolve();
    });
  });
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    logger.error({ worker: worker.process.pid, code, signal }, 'a worker exited; starting another');
    setTimeout(spawn, Math.max(0, respawnFloorMs - (Date.now() - lastSpawn))).unref();
  });
  for (let i = 0; i < count; i += 1) spawn();
  await ready;

  const url = config.publicUrl === `http://localhost:${base.port}` ? `http://localhost:${port}` : config.publicUrl;
  const lines = [
    '',
    `  Parley is running at ${url}  (${count} worker processes, Socket.IO adapter: ${config.redisUrl ? 'redis' : 'postgres'})`,
    `  Dashboard:   ${url}/dashboard`,
    `  Demo page:   ${url}/demo`,
    `  API docs:    ${url}/api/openapi.json`,
    database.demo
      ? `  Demo login:  ${database.demo.email} / ${database.demo.password}   (kept in ${database.demo.file})`
      : '  Demo login:  none (SEED_DEMO=false, or the database already had users)',
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  let signals = 0;
  const shutdown = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) process.exit(1);
    stopping = true;
    logger.info({ signal }, 'shutting down the cluster');
    stopAll(server, config, logger).then(
      async () => {
        await database.embedded?.stop();
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'cluster shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

/** Each worker gets SIGTERM and its own graceful stop; one that outlives the grace is killed. */
async function stopAll(server: http.Server, config: Config, logger: Logger): Promise<void> {
  server.close();
  const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
  await Promise.all(workers.map((worker) => new Promise<void>((resolve) => {
    if (worker.isDead()) return resolve();
    const timer = setTimeout(() => {
      logger.warn({ worker: worker.process.pid }, 'worker did not stop in time; killing it');
      worker.process.kill('SIGKILL');
    }, config.shutdownGraceMs + 10_000);
    worker.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    worker.process.kill('SIGTERM');
  })));
}

async function worker(): Promise<void> {
  const config = readConfig();
  const logger = createLogger(config.logLevel).child({ worker: cluster.worker?.id });
  const running = await startServer(config, logger, { mode: 'sticky' });
  process.send?.({ type: 'parley:ready' });
  // Ctrl-C reaches the whole process group: the primary decides, and sends SIGTERM.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => {
    running.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'worker shutdown failed');
        process.exit(1);
      },
    );
  });
}

(cluster.isPrimary ? primary() : worker()).catch((err: unknown) => {
  process.stderr.write(`Parley failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
