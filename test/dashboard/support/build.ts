import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../../..');

/** Runs `build` under a lock directory, so parallel Jest workers build once, not over each other. */
async function locked(name: string, build: () => Promise<void>): Promise<void> {
  const lock = path.join(os.tmpdir(), `parley-${name}.lock`);
  for (let waited = 0; ; waited += 200) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      // A lock older than two minutes belongs to a run that died.
      const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 120_000) fs.rmSync(lock, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    await build();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

/** Builds dashboard/dist when any source is newer than the last build (the same script npm start runs). */
export async function ensureDashboardBuilt(): Promise<void> {
  await locked('dashboard-build', async () => {
    await run(process.execPath, ['--import', 'tsx', 'dashboard/scripts/build.ts', '--if-stale'], { cwd: root });
  });
}

/** The widget, for the embed preview and the host page (its own script skips an up-to-date build). */
export async function ensureWidgetBuilt(): Promise<void> {
  await locked('widget-build', async () => {
    await run(process.execPath, ['--import', 'tsx', 'widget/scripts/build.ts', '--if-stale'], { cwd: root });
  });
}
