import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * A hash of everything the built widget depends on: its sources, its build configuration and the
 * locked dependency versions. `npm start` and the browser tests rebuild only when it changes.
 */
export function widgetSourceHash(root: string): string {
  const hash = crypto.createHash('sha256');
  const files = [
    ...listFiles(path.join(root, 'widget/src')),
    path.join(root, 'widget/vite.config.ts'),
    path.join(root, 'widget/scripts/build.ts'),
    path.join(root, 'package-lock.json'),
  ];
  for (const file of files.sort()) {
    if (!fs.existsSync(file)) continue;
    hash.update(path.relative(root, file)).update('\0').update(fs.readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? listFiles(full) : [full];
  });
}
