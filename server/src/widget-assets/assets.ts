import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Where `npm run build:widget` writes (see widget/scripts/build.ts). */
export const defaultWidgetDist = path.resolve(__dirname, '../../../widget/dist');

interface Manifest {
  sourceHash: string;
  loader: { file: string; hash: string };
  chunks: string[];
}

export interface Asset {
  raw: Buffer;
  gzip?: Buffer;
  brotli?: Buffer;
  etag: string;
}

export interface WidgetBuild {
  /** Short content hash of widget.js, the `v` in `widget.js?v=`. */
  version: string;
  /** The current chunk, e.g. `widget/chat-Ab12Cd.js`. */
  chunk: string;
  files: Map<string, Asset>;
}

function readAsset(file: string): Asset {
  const raw = fs.readFileSync(file);
  const optional = (suffix: string) => (fs.existsSync(file + suffix) ? fs.readFileSync(file + suffix) : undefined);
  return { raw, gzip: optional('.gz'), brotli: optional('.br'), etag: `"${crypto.createHash('sha256').update(raw).digest('base64url').slice(0, 22)}"` };
}

/**
 * The built widget, read into memory (a few tens of KB) and re-read when the manifest changes, so
 * a rebuild during development is picked up without a restart. Undefined when nothing is built.
 */
export function widgetBuildReader(distDir: string): () => WidgetBuild | undefined {
  let cached: { mtimeMs: number; build: WidgetBuild } | undefined;
  return () => {
    const manifestFile = path.join(distDir, 'manifest.json');
    const stat = fs.statSync(manifestFile, { throwIfNoEntry: false });
    if (!stat) return undefined;
    if (cached?.mtimeMs === stat.mtimeMs) return cached.build;
    try {
      const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Manifest;
      const files = new Map<string, Asset>();
      for (const name of [manifest.loader.file, ...manifest.chunks]) files.set(name, readAsset(path.join(distDir, name)));
      const build: WidgetBuild = { version: manifest.loader.hash, chunk: manifest.chunks[0] ?? '', files };
      cached = { mtimeMs: stat.mtimeMs, build };
      return build;
    } catch {
      // A build swapping dist right now: serve what we had.
      return cached?.build;
    }
  };
}
