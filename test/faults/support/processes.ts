import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * Real server processes for the fault scenarios: `node --import tsx server/main.ts`, or the
 * measuring entry beside this file (the same `startServer`, plus a heap probe over IPC).
 * Kept here rather than in test/support so the fault run depends on nothing still being written.
 */
const root = path.resolve(__dirname, '../../..');

export const faultSecrets = {
  SESSION_SECRET: 'fault-tests-session-secret-0123456789',
  MASTER_KEY: Buffer.alloc(32, 9).toString('base64'),
};

export interface HeapFigures {
  heapUsed: number;
  heapTotal: number;
  rss: number;
  external: number;
}

export interface ServerProcess {
  child: ChildProcess;
  /** http://127.0.0.1:port */
  url: string;
  /** The last 64 KB the process wrote, for failure messages. */
  output(): string;
  /** Resolves once the process has exited, however. */
  exited: Promise<void>;
  /** SIGKILL: no cleanup at all, as a crash or an OOM kill. */
  kill(): Promise<void>;
  /** SIGTERM: a graceful stop. */
  stop(): Promise<void>;
  /** Only for the measuring entry: garbage-collects, then reports process.memoryUsage(). */
  heap(): Promise<HeapFigures>;
}

/** The environment of a server on `databaseUrl`, quiet, on a free port, with fast background jobs. */
export function serverEnv(options: { databaseUrl: string; dataDir: string; openaiUrl?: string; extra?: Record<string, string> }): Record<string, string> {
  return {
    NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', DATABASE_URL: options.databaseUrl, DATA_DIR: options.dataDir,
    LOG_LEVEL: 'error', SEED_DEMO: 'false', JOBS_INTERVAL_MS: '250', SHUTDOWN_GRACE_MS: '2000', ...faultSecrets,
    // Every visitor comes from 127.0.0.1 here: the per-address and per-workspace limits would refuse most.
    CHAT_NEW_VISITORS_PER_IP_PER_HOUR: '1000000', CHAT_CONNECTIONS_PER_IP_PER_MIN: '1000000', CHAT_TENANT_MESSAGES_PER_MIN: '1000000', CHAT_VISITOR_MESSAGES_PER_MIN: '1000',
    ...(options.openaiUrl ? { OPENAI_API_KEY: 'sk-fault-test', OPENAI_BASE_URL: options.openaiUrl } : {}),
    ...options.extra,
  };
}

export async function tempDataDir(label: string): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `parley-fault-${label}-`));
  return { dir, remove: () => fs.rm(dir, { recursive: true, force: true }) };
}

/**
 * Starts a server process and resolves with its URL. `entry: 'measured'` runs the measuring entry
 * (heap probe over IPC, --expose-gc); the default is the real `server/main.ts`.
 */
export async function startServerProcess(options: { env: Record<string, string>; entry?: 'main' | 'measured' }): Promise<ServerProcess> {
  const measured = options.entry === 'measured';
  const args = measured
    ? ['--expose-gc', '--import', 'tsx', path.join('test', 'faults', 'support', 'measured-server.ts')]
    : ['--import', 'tsx', path.join('server', 'main.ts')];
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...options.env },
    stdio: measured ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (data: Buffer): void => {
    output = (output + data.toString()).slice(-65_536);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start within 90 s:\n${output}`)), 90_000);
    const onData = (): void => {
      const match = /Parley is running at (\S+)/.exec(output);
      if (!match?.[1]) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      resolve(match[1].replace('localhost', '127.0.0.1'));
    };
    child.stdout!.on('data', onData);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${child.exitCode ?? child.signalCode}:\n${output}`));
    });
  });

  const signal = async (name: NodeJS.Signals): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
    await exited;
  };
  return {
    child,
    url,
    output: () => output,
    exited,
    kill: () => signal('SIGKILL'),
    stop: () => signal('SIGTERM'),
    heap: () =>
      new Promise<HeapFigures>((resolve, reject) => {
        if (!measured) return reject(new Error('heap() needs the measured entry'));
        const onMessage = (message: unknown): void => {
          const m = message as { type?: string } & HeapFigures;
          if (m.type !== 'heap') return;
          child.off('message', onMessage);
          resolve({ heapUsed: m.heapUsed, heapTotal: m.heapTotal, rss: m.rss, external: m.external });
        };
        child.on('message', onMessage);
        child.send('heap');
      }),
  };
}

/** Polls `check` every `everyMs` until it returns a value; a hang guard, not a timed assertion. */
export async function until<T>(what: string, check: () => Promise<T | undefined>, options: { timeoutMs?: number; everyMs?: number } = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(options.everyMs ?? 200);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `fn` over `items`, at most `size` at once. */
export async function inBatches<T, R>(items: readonly T[], size: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) {
    out.push(...(await Promise.all(items.slice(i, i + size).map((item, j) => fn(item, i + j)))));
  }
  return out;
}

/** Prints a scenario's figures plainly (not through console.log, whose stack lines would bury them). */
export function printSummary(title: string, lines: string[]): void {
  process.stdout.write(`\n== ${title}\n${lines.map((l) => `   ${l}`).join('\n')}\n`);
}
