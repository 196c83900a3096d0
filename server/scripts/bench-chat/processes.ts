import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { openDatabase } from '../../src/boot';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';

const root = path.resolve(__dirname, '../../..');

export const progress = (what: string): void => {
  if (process.env.BENCH_DEBUG) process.stderr.write(`[bench] ${what}\n`);
};

/** Starts `node [nodeArgs] --import tsx ...args` and resolves with the URL it prints after `marker`. */
export async function startChild(options: {
  args: string[];
  env?: Record<string, string>;
  marker: RegExp;
  nodeArgs?: string[];
  /** Opens an IPC channel to the child (bench:load asks the server for its memory through it). */
  ipc?: boolean;
}): Promise<{ child: ChildProcess; url: string }> {
  const { args, marker } = options;
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', ...args], {
    cwd: root,
    env: { ...process.env, ...options.env },
    stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args[0]} did not start:\n${output}`)), 120_000);
    const onData = (data: Buffer) => {
      output += data.toString();
      const match = marker.exec(output);
      if (!match?.[1]) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.stderr!.off('data', onData);
      resolve(match[1]);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${args[0]} exited (${code}):\n${output}`)));
  });
  // BENCH_DEBUG=1 shows the children's own output (on stderr, so --json stays one line).
  for (const stream of [child.stdout!, child.stderr!]) {
    if (process.env.BENCH_DEBUG) stream.pipe(process.stderr);
    else stream.resume();
  }
  return { child, url: url.replace('://localhost', '://127.0.0.1') };
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** A tenant made through the dashboard API, as an owner would: a priced model, a persona, welcome credits. */
export async function setUpTenant(url: string): Promise<{ key: string; personaId: string; tenantId: string }> {
  let cookie = '';
  let csrf = '';
  const call = async <T>(method: string, route: string, body?: object): Promise<T> => {
    const res = await fetch(`${url}${route}`, {
      method,
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf },
      body: body ? JSON.stringify(body) : undefined,
    });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) cookie = setCookie.split(';')[0]!;
    const json = (await res.json()) as T & { csrfToken?: string };
    if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${JSON.stringify(json)}`);
    if (json.csrfToken) csrf = json.csrfToken;
    return json;
  };
  await call('POST', '/api/auth/signup', { email: `bench-${Date.now()}@bench.local`, password: 'bench password 123', workspaceName: 'Bench' });
  const me = await call<{ currentWorkspaceId: string }>('GET', '/api/auth/me');
  const model = await call<{ id: string }>('POST', '/api/models', {
    provider: 'openai', providerModelId: 'gpt-bench', displayName: 'Bench', messageFee: 100, inputPer1k: 300, outputPer1k: 1200,
  });
  const persona = await call<{ id: string }>('POST', '/api/personas', { name: 'Bench', modelId: model.id, maxOutputTokens: 400, systemPrompt: 'Be brief.' });
  await call('PATCH', '/api/widget/settings', { welcomeCredits: 20_000 });
  const keys = await call<{ data: Array<{ kind: string; prefix: string }> }>('GET', '/api/keys');
  return { key: keys.data.find((k) => k.kind === 'publishable')!.prefix, personaId: persona.id, tenantId: me.currentWorkspaceId };
}

/**
 * The database a bench runs on: DATABASE_URL, or the embedded PostgreSQL in DATA_DIR that
 * `npm start` and `npm run ledger:verify` use (started with PostgreSQL's durability defaults).
 */
export async function openBenchDatabase(): Promise<Awaited<ReturnType<typeof openDatabase>>> {
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn' });
  return openDatabase(config, createLogger('warn')).catch((err: unknown) => {
    throw new Error(`could not open the database (is \`npm start\` using ${config.dataDir}? stop it, or set DATABASE_URL or DATA_DIR): ${String(err)}`);
  });
}
