/**
 * Builds the widget into widget/dist: `widget.js` (the loader), `widget/chat-<hash>.js` (the
 * element), and `manifest.json` (what the server serves and caches, and the source hash).
 *
 *   tsx widget/scripts/build.ts             build
 *   tsx widget/scripts/build.ts --if-stale  build only when the sources changed (npm start, tests)
 *
 * Builds go to a temporary folder and replace dist in one rename, under a lock, so a server reading
 * dist or a second build started at the same moment never sees half a build.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { build } from 'vite';
import { chatConfig, loaderConfig } from '../vite.config';
import { widgetSourceHash } from './source-hash';

const root = path.resolve(import.meta.dirname, '../..');
const dist = path.join(root, 'widget/dist');
const lockDir = path.join(root, 'widget/.build-lock');

export interface WidgetManifest {
  sourceHash: string;
  builtAt: string;
  /** The loader, and a short hash of its content for `widget.js?v=`. */
  loader: { file: string; hash: string };
  /** Every file widget.js loads when the panel opens. */
  chunks: string[];
}

function readManifest(): WidgetManifest | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dist, 'manifest.json'), 'utf8')) as WidgetManifest;
  } catch {
    return undefined;
  }
}

async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      break;
    } catch {
      const age = Date.now() - (fs.statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 120_000) fs.rmSync(lockDir, { recursive: true, force: true }); // a crashed build's lock
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}

async function buildInto(outDir: string, sourceHash: string): Promise<WidgetManifest> {
  const chat = await build(chatConfig(outDir));
  const outputs = (Array.isArray(chat) ? chat : [chat]).flatMap((result) => ('output' in result ? result.output : []));
  const chunks = outputs.filter((o) => o.type === 'chunk').map((o) => o.fileName);
  if (chunks.length !== 1 || !chunks[0]) throw new Error(`expected one widget chunk, got ${chunks.join(', ')}`);
  await build(loaderConfig(outDir, path.basename(chunks[0])));
  const loader = fs.readFileSync(path.join(outDir, 'widget.js'));
  // Precompressed copies: the server sends them as they are, with no compression work per request.
  for (const file of ['widget.js', ...chunks]) {
    const body = fs.readFileSync(path.join(outDir, file));
    fs.writeFileSync(path.join(outDir, `${file}.gz`), zlib.gzipSync(body, { level: 9 }));
    fs.writeFileSync(path.join(outDir, `${file}.br`), zlib.brotliCompressSync(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }));
  }
  const manifest: WidgetManifest = {
    sourceHash,
    builtAt: new Date().toISOString(),
    loader: { file: 'widget.js', hash: crypto.createHash('sha256').update(loader).digest('hex').slice(0, 12) },
    chunks,
  };
  fs.writeFileSync(path.join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

export async function buildWidget({ ifStale = false } = {}): Promise<{ built: boolean; manifest: WidgetManifest }> {
  return withLock(async () => {
    const sourceHash = widgetSourceHash(root);
    const current = readManifest();
    if (ifStale && current?.sourceHash === sourceHash) return { built: false, manifest: current };
    const tmp = path.join(root, `widget/.dist-${process.pid}-${Date.now()}`);
    fs.rmSync(tmp, { recursive: true, force: true });
    try {
      const manifest = await buildInto(tmp, sourceHash);
      const old = `${dist}-old-${process.pid}`;
      if (fs.existsSync(dist)) fs.renameSync(dist, old);
      fs.renameSync(tmp, dist);
      fs.rmSync(old, { recursive: true, force: true });
      return { built: true, manifest };
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const ifStale = process.argv.includes('--if-stale');
  buildWidget({ ifStale }).then(
    ({ built, manifest }) => process.stdout.write(built ? `widget built: ${manifest.loader.file} + ${manifest.chunks.join(', ')}\n` : 'widget is up to date\n'),
    (err: unknown) => {
      process.stderr.write(`widget build failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
