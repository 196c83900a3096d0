import { spawn } from 'node:child_process';
import path from 'node:path';

/**
 * A PostgreSQL of the scenario's own, with PostgreSQL's durability defaults, that the scenario
 * stops and starts again (same port, same data) while the server is under load. The cluster is
 * driven by postgres-control.ts in a child process (see there why).
 */
export interface RestartablePostgres {
  url: string;
  /** PostgreSQL's fast shutdown: open transactions rolled back, every client disconnected. */
  stop(): Promise<void>;
  /** The same cluster on the same port. */
  start(): Promise<void>;
  /** Stops it and deletes the cluster. */
  destroy(): Promise<void>;
}

const root = path.resolve(__dirname, '../../..');

export async function startRestartablePostgres(label: string): Promise<RestartablePostgres> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join('test', 'faults', 'support', 'postgres-control.ts'), label], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const reply = (): Promise<{ url?: string; done?: string; error?: string }> =>
    new Promise((resolve, reject) => {
      const onExit = (code: number | null): void => reject(new Error(`postgres control exited with ${code}`));
      child.once('exit', onExit);
      child.once('message', (message) => {
        child.off('exit', onExit);
        resolve(message as { url?: string; done?: string; error?: string });
      });
    });
  const first = await reply();
  if (!first.url) throw new Error(`PostgreSQL did not start: ${first.error}`);
  const command = async (name: 'stop' | 'start' | 'destroy'): Promise<void> => {
    const answer = reply();
    child.send(name);
    const got = await answer;
    if (got.error) throw new Error(`PostgreSQL ${name} failed: ${got.error}`);
  };
  return {
    url: first.url,
    stop: () => command('stop'),
    start: () => command('start'),
    async destroy() {
      await command('destroy');
      child.disconnect();
    },
  };
}
