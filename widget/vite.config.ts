/**
 * The widget is built twice (see scripts/build.ts): first the chunk `<parley-chat>` lives in, as one
 * ES module with a content hash in its name; then the loader, `widget.js`, as one classic script
 * (IIFE) that knows the chunk's file name. `vite build -c widget/vite.config.ts` builds the chunk.
 */
import path from 'node:path';
import { defineConfig, type InlineConfig, type Plugin } from 'vite';

const root = path.resolve(import.meta.dirname, '..');
export const srcDir = path.join(root, 'widget/src');

/** Browsers with constructable stylesheets and `adoptedStyleSheets` (Safari 16.4+, Chrome 73+, Firefox 101+). */
const target = ['es2022', 'chrome111', 'safari16.4', 'firefox113'];

/** Whitespace and comments out of CSS, keeping the spaces that are combinators or inside values. */
export function minifyCss(source: string): string {
  return source
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\s+/g, ' ')
    .replace(/\s*([{};,>])\s*/g, '$1')
    .replace(/;}/g, '}')
    .trim();
}

/**
 * Lit's `css` templates (and the loader's stylesheet string) reach the bundle verbatim; the
 * minifier does not touch template text. This squeezes them at build time.
 */
function minifyCssTemplates(): Plugin {
  return {
    name: 'parley:minify-css-templates',
    enforce: 'pre',
    transform(code, id) {
      if (!id.startsWith(srcDir) || !/(\.styles|launcher)\.ts$/.test(id)) return undefined;
      return code.replace(/(css`|Css = `)([^`]*)`/g, (_whole, open: string, body: string) => `${open}${minifyCss(body)}\``);
    },
  };
}

const shared = (outDir: string): InlineConfig => ({
  root,
  configFile: false,
  plugins: [minifyCssTemplates()],
  logLevel: 'warn',
  publicDir: false,
  build: { outDir, emptyOutDir: false, target, minify: true, sourcemap: false, reportCompressedSize: false, copyPublicDir: false },
});

export function chatConfig(outDir: string): InlineConfig {
  const config = shared(outDir);
  return {
    ...config,
    build: {
      ...config.build,
      // App mode, not library mode: Vite keeps whitespace in ES libraries, and this chunk is served as is.
      modulePreload: false,
      rollupOptions: {
        input: path.join(srcDir, 'register.ts'),
        output: { format: 'es', entryFileNames: 'widget/chat-[hash].js', codeSplitting: false },
      },
    },
  };
}

export function loaderConfig(outDir: string, chatFile: string): InlineConfig {
  const config = shared(outDir);
  return {
    ...config,
    define: { __PARLEY_CHAT_FILE__: JSON.stringify(chatFile) },
    build: {
      ...config.build,
      lib: { entry: path.join(srcDir, 'loader/loader.ts'), formats: ['iife'], name: 'ParleyLoader', fileName: () => 'widget.js' },
    },
  };
}

export default defineConfig(chatConfig(path.join(root, 'widget/dist')));
