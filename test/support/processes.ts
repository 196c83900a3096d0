import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * Real server processes for the tests that need more than one (`node --import tsx server/main.ts`,
 * as `npm start` runs it), each with its own port over one shared database.
 */
const root = path.resolve(__dirname, '../..');

export interface ServerProcess {
  child: ChildProcess;
  /** http://127.0.0.1:<port> */
  url: string;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** SIGTERM and wait for the exit (graceful: replies finish, pools close). */
  stop(): Promise<void>;
  /** SIGKILL and wait: no shutdown code runs, as in a crash. */
  kill(): Promise<void>;
}

/** The environment every process of one test shares: database, secrets, fast jobs, quiet logs. */
export function processEnv(options: { databaseUrl: string; dataDir: string; extra?: Record<string, string> }): Record<string, string> {
  return {
    NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', DATABASE_URL: options.databaseUrl, DATA_DIR: options.dataDir,
    LOG_LEVEL: 'warn', SEED_DEMO: 'false', SESSION_SECRET: 'scale-test-session-secret-0123456789',
    MASTER_KEY: Buffer.alloc(32, 5).toString('base64'), JOBS_INTERVAL_MS: '200', AUTH_RATE_LIMIT_PER_MIN: '1000',
    ...options.extra,
  };
}

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));

/** Starts one server process and resolves once it prints where it listens (PORT=0 picks a free port). */
export async function startServerProcess(env: Record<string, string>, options: { script?: string } = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', options.script ?? 'server/main.ts'], {
    cwd: root,
    // REDIS_URL and friends from the developer's shell must not leak into a test's processes.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.homedir(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 90_000);
    const onData = (data: Buffer) => {
      output += data.toString();
      const match = /Parley is running at (\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  return {
    child,
    url: url.replace('localhost', '127.0.0.1'),
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited(child);
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited(child);
    },
  };
}

/** A data folder of its own (the processes write demo-login and secrets files there). */
export async function tempDataDir(label: string): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `parley-${label}-`));
  return { dir, remove: () => fs.rm(dir, { recursive: true, force: true }) };
}

/** Polls `check` until it returns a value (not undefined), or fails after `timeoutMs`. */
export async function until<T>(check: () => Promise<T | undefined>, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** True when something accepts TCP connections at host:port (for optional services such as Redis). */
export function reachable(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** A counter from a process's /metrics, summed over label sets matching `labels` (substring). */
export async function metricValue(url: string, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(name) && line.includes(labels))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}
