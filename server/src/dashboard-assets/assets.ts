import fs from 'node:fs';
import path from 'node:path';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';

/**
 * Serves the built dashboard (dashboard/dist) at /dashboard. Hashed assets are cached for a year;
 * index.html never is, and it answers every client-side route (/dashboard/visitors/...) so a
 * reload or a shared link lands on the right page.
 *
 * The CSP is strict: scripts only from this origin (Vite emits no inline script), no framing
 * (clickjacking), connections only back to this origin (REST and the live socket). Styles allow
 * this origin only; Lit's constructable stylesheets are not subject to style-src.
 */
export const defaultDistDir = path.resolve(__dirname, '../../../dashboard/dist');

export function dashboardCsp(framing: 'none' | 'self' = 'none'): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: https:",
    "connect-src 'self'",
    "font-src 'self'",
    // The embed page previews the real widget in a frame of this same origin.
    "frame-src 'self'",
    // Only the widget preview page may be framed, and only by the dashboard itself.
    `frame-ancestors '${framing}'`,
    "base-uri 'none'",
    "form-action 'self'",
    "object-src 'none'",
  ].join('; ');
}

const securityHeaders = (res: Response, framing: 'none' | 'self' = 'none'): void => {
  res.setHeader('Content-Security-Policy', dashboardCsp(framing));
  res.setHeader('X-Frame-Options', framing === 'none' ? 'DENY' : 'SAMEORIGIN');
  res.setHeader('Referrer-Policy', 'same-origin');
};

function missingBuild(distDir: string): RequestHandler {
  return (_req, res) => {
    securityHeaders(res);
    res.status(503).type('text/plain').send(`The dashboard has not been built (no ${path.join(distDir, 'index.html')}).\nRun: npm run build:dashboard\n`);
  };
}

/**
 * Static files, so a middleware rather than declared routes: nothing here belongs in the API's
 * OpenAPI document or its route table.
 */
export function dashboardAssets(options: { distDir?: string } = {}): RequestHandler {
  const distDir = options.distDir ?? defaultDistDir;
  const indexFile = path.join(distDir, 'index.html');
  const assets = express.static(path.join(distDir, 'assets'), { immutable: true, maxAge: '365d', index: false });
  const sendPage = (file: string, framing: 'none' | 'self') => (req: Request, res: Response, next: NextFunction) => {
    if (!fs.existsSync(file)) return missingBuild(distDir)(req, res, next);
    securityHeaders(res, framing);
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(file);
  };
  const sendIndex = sendPage(indexFile, 'none');
  // The live widget preview: framed by the embed and personas pages (see widget-preview).
  const sendPreview = sendPage(path.join(distDir, 'preview.html'), 'self');
  return (req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !req.path.startsWith('/dashboard')) return next();
    if (req.path === '/dashboard') return res.redirect(301, '/dashboard/');
    if (req.path.startsWith('/dashboard/assets/')) {
      securityHeaders(res);
      req.url = req.url.slice('/dashboard/assets'.length);
      return assets(req, res, next);
    }
    if (req.path === '/dashboard/preview.html') return sendPreview(req, res, next);
    // Client routes: any path under /dashboard/ without a file extension gets the app.
    if (/^\/dashboard\/[^.]*$/.test(req.path)) return sendIndex(req, res, next);
    next();
  };
}
