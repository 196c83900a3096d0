import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for a tenant's own site: serves one page with the embed snippet pasted in, on its
 * own origin (http://127.0.0.1:<port>, which the server allows outside production).
 */
export async function startHostPage(snippet: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (req.url !== '/' && !req.url?.startsWith('/?')) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Acme Wines</title></head>
      <body><h1>Acme Wines</h1><p>Ask our sommelier anything.</p>${snippet}</body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
