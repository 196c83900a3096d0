/**
 * `npm run size`: builds the widget and prints the raw, gzip and brotli bytes of the loader and of
 * everything a visitor downloads once they open the chat (the loader plus the chunk it imports).
 * `--json` prints one line for CI: {"loaderGzip":…,"widgetGzip":…,"loaderBrotli":…,"widgetBrotli":…}.
 * Exits 1 when a budget is exceeded. Sizes are measured here, from the built files, at gzip level 9
 * and brotli quality 11 (what the server's precompressed copies use).
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { buildWidget } from '../../widget/scripts/build';

const budgets = { loaderGzip: 4 * 1024, widgetGzip: 60 * 1024 };
const dist = path.resolve(import.meta.dirname, '../../widget/dist');

interface Sizes {
  raw: number;
  gzip: number;
  brotli: number;
}

function measure(file: string): Sizes {
  const body = fs.readFileSync(path.join(dist, file));
  return {
    raw: body.length,
    gzip: zlib.gzipSync(body, { level: 9 }).length,
    brotli: zlib.brotliCompressSync(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

const sum = (list: Sizes[]): Sizes => list.reduce((a, b) => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip, brotli: a.brotli + b.brotli }), { raw: 0, gzip: 0, brotli: 0 });

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const { manifest } = await buildWidget();
  const loader = measure(manifest.loader.file);
  const chunks = manifest.chunks.map((file) => ({ file, sizes: measure(file) }));
  const widget = sum([loader, ...chunks.map((c) => c.sizes)]);
  const over = loader.gzip > budgets.loaderGzip || widget.gzip > budgets.widgetGzip;
  if (json) {
    process.stdout.write(`${JSON.stringify({ loaderGzip: loader.gzip, widgetGzip: widget.gzip, loaderBrotli: loader.brotli, widgetBrotli: widget.brotli })}\n`);
  } else {
    const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`.padStart(9);
    const row = (name: string, s: Sizes, note = '') => `  ${name.padEnd(34)}${kb(s.raw)}${kb(s.gzip)}${kb(s.brotli)}  ${note}`;
    const verdict = (value: number, budget: number) => `gzip budget ${(budget / 1024).toFixed(0)} KB: ${value <= budget ? 'ok' : 'OVER'}`;
    const lines = [
      `  ${'file'.padEnd(34)}${'raw'.padStart(9)}${'gzip'.padStart(9)}${'brotli'.padStart(9)}`,
      row(`${manifest.loader.file} (loader)`, loader, verdict(loader.gzip, budgets.loaderGzip)),
      ...chunks.map((c) => row(c.file, c.sizes)),
      row('everything loaded on open', widget, verdict(widget.gzip, budgets.widgetGzip)),
      '',
      '  For comparison (gzip, loaded on open): Crisp ≈ 130 KB, Chatwoot ≈ 170 KB.',
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  if (over) process.exitCode = 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`size failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
