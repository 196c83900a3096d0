import type { Request, Response } from 'express';
import { z } from 'zod';
import { defineRoute, type AnyRoute } from '../http/route';
import type { Config } from '../config';
import type { Deps } from '../deps';
import { defaultWidgetDist, widgetBuildReader, type Asset, type WidgetBuild } from './assets';
import { strictHostCsp } from './csp';
import { demoCss, demoJs, demoPageHtml, demoPublishableKey } from './demo-page';

const immutable = 'public, max-age=31536000, immutable';
/** The unversioned widget.js URL must pick up a new release soon, yet stay cheap for busy sites. */
const shortLived = 'public, max-age=300, stale-while-revalidate=86400';

export interface WidgetAssetOptions {
  config: Pick<Config, 'publicUrl'>;
  deps: Pick<Deps, 'models' | 'clock'>;
  /** Tests point this at their own build. */
  distDir?: string;
}

/** The versioned loader URL for snippets Parley prints itself (demo page, dashboard). */
export function widgetScriptUrl(publicUrl: string, build: WidgetBuild | undefined): string {
  return `${publicUrl}/widget.js${build ? `?v=${build.version}` : ''}`;
}

/**
 * Serves the widget to any site: the loader (`/widget.js`), the chunk it imports, and the `/demo`
 * host page. Scripts are loaded cross-origin by design, so they carry permissive CORS and
 * Cross-Origin-Resource-Policy headers (overriding helmet's same-origin default); they are
 * precompressed at build time. Declared with `defineRoute` like every other route, so they are in
 * the OpenAPI document (as non-JSON responses) and in the route checks.
 */
export function widgetAssetRoutes({ config, deps, distDir = defaultWidgetDist }: WidgetAssetOptions): AnyRoute[] {
  const current = widgetBuildReader(distDir);

  const notBuilt = (res: Response) =>
    res.status(503).type('text/plain').set('Cache-Control', 'no-store').send('The widget is not built: run `npm run build:widget`.\n');

  const text = (path: string, summary: string, type: string, body: string) =>
    defineRoute({
      method: 'get', path, tag: 'widget', auth: 'none', produces: type, summary,
      handler: ({ res }) => void res.type(type).set('Cache-Control', 'public, max-age=300').send(body),
    });

  return [
    defineRoute({
      method: 'get', path: '/widget.js', tag: 'widget', auth: 'none', produces: 'text/javascript',
      summary: 'The widget loader for the embed snippet (cached for a year when `v` names this build)',
      query: z.object({ v: z.string().max(64).optional() }),
      handler: ({ req, res, query }) => {
        const build = current();
        const asset = build?.files.get('widget.js');
        if (!build || !asset) return void notBuilt(res);
        // Only the URL naming this exact build may be cached forever; any other `v` gets today's file, briefly.
        sendScript(req, res, asset, query.v === build.version ? immutable : shortLived);
      },
    }),
    defineRoute({
      method: 'get', path: '/widget/:file', tag: 'widget', auth: 'none', produces: 'text/javascript',
      summary: 'A content-hashed widget chunk, loaded by the loader on intent',
      params: z.object({ file: z.string().max(200) }),
      handler: ({ req, res, params }) => {
        const build = current();
        if (!build) return void notBuilt(res);
        const asset = build.files.get(`widget/${params.file}`);
        if (asset) return sendScript(req, res, asset, immutable);
        // A loader cached before a deploy asks for a chunk that is gone: send it to today's.
        if (/^chat-[\w-]+\.js$/.test(params.file)) {
          return void res
            .set({ 'Cache-Control': 'no-cache', 'Access-Control-Allow-Origin': '*', 'Cross-Origin-Resource-Policy': 'cross-origin' })
            .redirect(302, `/${build.chunk}`);
        }
        res.status(404).type('text/plain').send('Not found\n');
      },
    }),
    defineRoute({
      method: 'get', path: '/demo', tag: 'widget', auth: 'none', produces: 'text/html',
      summary: 'A plain host page embedding the demo workspace\'s widget (or `key`\'s), under a strict CSP',
      query: z.object({ key: z.string().regex(/^pk_[A-Za-z0-9]{1,100}$/).optional() }),
      handler: async ({ res, query }) => {
        const key = query.key ?? (await demoPublishableKey(deps.models as Deps['models'], deps.clock.now()));
        const scriptUrl = widgetScriptUrl(config.publicUrl, current());
        res
          .set({ 'Content-Security-Policy': strictHostCsp(new URL(config.publicUrl).origin), 'Cache-Control': 'no-store' })
          .type('html')
          .send(demoPageHtml({ scriptUrl, key }));
      },
    }),
    text('/demo/demo.css', 'Styles of the demo host page', 'text/css', demoCss),
    text('/demo/demo.js', 'Script of the demo host page (no inline script, for the strict CSP)', 'text/javascript', demoJs),
  ];
}

function sendScript(req: Request, res: Response, asset: Asset, cacheControl: string): void {
  res.set({
    'Content-Type': 'text/javascript; charset=utf-8',
    'Cache-Control': cacheControl,
    ETag: asset.etag,
    Vary: 'Accept-Encoding',
    'Access-Control-Allow-Origin': '*',
    'Cross-Origin-Resource-Policy': 'cross-origin',
    'Timing-Allow-Origin': '*',
  });
  if (req.headers['if-none-match'] === asset.etag) {
    res.status(304).end();
    return;
  }
  const accepts = String(req.headers['accept-encoding'] ?? '');
  const [body, encoding] =
    asset.brotli && /\bbr\b/.test(accepts) ? [asset.brotli, 'br'] : asset.gzip && /\bgzip\b/.test(accepts) ? [asset.gzip, 'gzip'] : [asset.raw, undefined];
  if (encoding) res.set('Content-Encoding', encoding);
  res.set('Content-Length', String(body.length));
  res.status(200).end(req.method === 'HEAD' ? undefined : body);
}
