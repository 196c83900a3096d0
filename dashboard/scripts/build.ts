/**
 * Builds the dashboard SPA into dashboard/dist.
 *
 *   tsx dashboard/scripts/build.ts             build
 *   tsx dashboard/scripts/build.ts --if-stale  build only when a source is newer than the build
 */
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'vite';

const root = path.resolve(import.meta.dirname, '../..');
const builtIndex = path.join(root, 'dashboard/dist/index.html');

function newestMtime(target: string): number {
  const stat = fs.statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...fs.readdirSync(target).map((name) => newestMtime(path.join(target, name))));
}

export function dashboardIsStale(): boolean {
  const built = fs.statSync(builtIndex, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const sources = ['dashboard/src', 'dashboard/index.html', 'dashboard/preview.html', 'dashboard/vite.config.ts']
    .map((p) => path.join(root, p))
    .filter((p) => fs.existsSync(p));
  return built <= Math.max(...sources.map(newestMtime));
}

export async function buildDashboard({ ifStale = false } = {}): Promise<boolean> {
  if (ifStale && !dashboardIsStale()) return false;
  await build({ configFile: path.join(root, 'dashboard/vite.config.ts'), logLevel: 'warn' });
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  buildDashboard({ ifStale: process.argv.includes('--if-stale') }).then(
    (built) => process.stdout.write(built ? 'dashboard built\n' : 'dashboard is up to date\n'),
    (err: unknown) => {
      process.stderr.write(`dashboard build failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
