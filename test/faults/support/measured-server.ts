/**
 * `server/main.ts` as the fault run starts it when it needs the server's heap: the same config and
 * `startServer`, plus one IPC request ('heap') answered after a full garbage collection, so the
 * figures compare live objects rather than whenever V8 last happened to collect.
 * Run with `node --expose-gc --import tsx` and an IPC channel (see processes.ts).
 */
import { startServer } from '../../../server/src/boot';
import { loadConfig } from '../../../server/src/config';
import { createLogger } from '../../../server/src/logger';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const running = await startServer(config, createLogger(config.logLevel));
  process.stdout.write(`Parley is running at ${running.url}\n`);

  process.on('message', (message) => {
    if (message !== 'heap') return;
    const gc = (globalThis as { gc?: () => void }).gc;
    if (!gc) throw new Error('run with --expose-gc');
    // Twice: the first pass may only free what makes more collectable (weak refs, finalizers).
    gc();
    gc();
    process.send?.({ type: 'heap', ...process.memoryUsage() });
  });
  // The IPC channel would keep the process up after a stop; leaving with the parent is right here.
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => {
    running.stop().then(() => process.exit(0), () => process.exit(1));
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`measured server failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
