/**
 * Host pages on another origin (127.0.0.1, while Parley answers on localhost), as a tenant's site
 * would serve them: `/page?csp=strict&copies=2&router=1`. Their only script of their own is
 * `/host.js` (no inline script, so the strict CSP applies to the page too): it records CSP
 * violations and exposes the XSS sentinel `window.__pwned`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { strictHostCsp } from '../../../server/src/widget-assets/csp';

export interface HostPages {
  url: string;
  close(): Promise<void>;
}

const hostJs = `
// The command queue stub a site may paste before widget.js; a listener registered before load.
window.Parley = window.Parley || function () { (window.Parley.q = window.Parley.q || []).push(arguments); };
Parley('on', 'ready', function (detail) { window.__readyViaQueue = detail; });
window.__violations = [];
window.__pwned = [];
window.pwn = function (what) { window.__pwned.push(String(what)); };
document.addEventListener('securitypolicyviolation', function (e) {
  window.__violations.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sourceFile || '') + ':' + e.lineNumber);
});
window.__events = [];
['ready', 'open', 'close', 'message', 'purchase', 'low-balance'].forEach(function (name) {
  window.addEventListener('parley:' + name, function (e) { window.__events.push({ name: name, detail: e.detail }); });
});
// A React-style router: navigation swaps the app's content, and /replace-body swaps <body> itself.
window.navigate = function (path) {
  history.pushState({}, '', path);
  if (path.indexOf('replace-body') >= 0) {
    var body = document.createElement('body');
    var main = document.createElement('main');
    main.textContent = 'Replaced body at ' + path;
    body.append(main);
    document.documentElement.replaceChild(body, document.body);
  } else {
    var app = document.getElementById('app');
    if (app) app.replaceChildren(Object.assign(document.createElement('p'), { textContent: 'Route ' + path }));
    Array.from(document.body.children).forEach(function (el) { if (el.id !== 'app' && el.tagName !== 'SCRIPT') el.remove(); });
  }
};
`;

export async function startHostPages({ parleyUrl, key }: { parleyUrl: string; key: string }): Promise<HostPages> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://host');
    if (url.pathname === '/host.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(hostJs);
      return;
    }
    const copies = Number(url.searchParams.get('copies') ?? '1');
    const attrs = [`data-key="${url.searchParams.get('key') ?? key}"`];
    for (const name of ['locale', 'position', 'open', 'launcher', 'color']) {
      const value = url.searchParams.get(name);
      if (value) attrs.push(`data-${name}="${value.replace(/"/g, '')}"`);
    }
    const snippet = `<script src="${parleyUrl}/widget.js" ${attrs.join(' ')} async></script>`;
    const headers: Record<string, string> = { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' };
    const csp = url.searchParams.get('csp');
    if (csp === 'strict') headers['content-security-policy'] = strictHostCsp(new URL(parleyUrl).origin);
    // Trusted Types enforced too: Lit's one policy, "lit-html", is the only one the widget creates.
    if (csp === 'strict-tt') headers['content-security-policy'] = `${strictHostCsp(new URL(parleyUrl).origin)}; require-trusted-types-for 'script'; trusted-types lit-html`;
    res.writeHead(200, headers).end(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Host page</title><script src="/host.js"></script></head>
<body><div id="app"><h1>A tenant's page</h1><p>Some content.</p><button id="page-button">A page button</button></div>
${Array.from({ length: copies }, () => snippet).join('\n')}
</body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
