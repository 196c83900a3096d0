import { Op } from 'sequelize';
import type { Models } from '../db/models';

/** The demo owner's email, as `tenants/demo-seed.ts` creates it. */
const demoEmail = 'demo@parley.local';

/** The demo workspace's live publishable key, or undefined when there is no demo workspace. */
export async function demoPublishableKey(models: Models, now: Date): Promise<string | undefined> {
  const user = await models.User.findOne({ where: { email: demoEmail } });
  if (!user) return undefined;
  const membership = await models.Membership.findOne({ where: { userId: user.id }, order: [['createdAt', 'ASC']] });
  if (!membership) return undefined;
  const key = await models.ApiKey.findOne({
    where: {
      tenantId: membership.tenantId,
      kind: 'publishable',
      revokedAt: null,
      [Op.or]: [{ expiresAt: null }, { expiresAt: { [Op.gt]: now } }],
    },
    order: [['createdAt', 'ASC']],
  });
  return key?.publicToken ?? undefined;
}

const escapeHtml = (value: string) =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/**
 * A plain host page, as a site owner would write it: no inline script or style (it is served under
 * a strict CSP), one script tag for the widget, and a log of the widget's window events.
 */
export function demoPageHtml({ scriptUrl, key }: { scriptUrl: string; key: string | undefined }): string {
  const snippet = key ? `<script src="${scriptUrl}" data-key="${key}" async></script>` : '';
  const body = key
    ? `<p>This page embeds the Parley widget exactly as a site owner would: one script tag, under a strict
      Content-Security-Policy (no <code>unsafe-inline</code>, no <code>unsafe-eval</code>). Replies come from the
      offline demo provider unless AI keys are configured, and purchases go through the demo checkout: no money moves.</p>
      <pre><code>${escapeHtml(snippet)}</code></pre>
      <p><button type="button" id="parley-open">Open the chat with <code>Parley('open')</code></button></p>
      <h2>Widget events</h2>
      <ol id="parley-log" aria-live="off"></ol>`
    : `<p>There is no demo workspace in this database (it is created on first start unless <code>SEED_DEMO=false</code>).
      Open <code>/demo?key=pk_…</code> with a workspace's publishable key instead.</p>`;
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Parley demo: Acme Tea</title>
  <link rel="stylesheet" href="/demo/demo.css">
  <script src="/demo/demo.js" defer></script>
</head>
<body>
  <header><strong>Acme Tea</strong> <span>a demo host page for Parley</span></header>
  <main>
    <h1>Ask our tea expert</h1>
    ${body}
  </main>
  ${snippet}
</body>
</html>
`;
}

export const demoCss = `
body{margin:0;font:16px/1.6 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2937;background:#fafaf9}
header{padding:14px 24px;background:#14532d;color:#fff}
header span{opacity:.85;margin-left:8px;font-size:14px}
main{max-width:720px;margin:0 auto;padding:24px}
pre{white-space:pre-wrap;word-break:break-all;background:#f1f5f9;padding:12px;border-radius:8px;font-size:13px}
button{font:inherit;padding:8px 14px;border-radius:8px;border:1px solid #14532d;background:#fff;color:#14532d;cursor:pointer}
#parley-log{font:13px/1.5 ui-monospace,Menlo,Consolas,monospace;padding-left:20px}
`;

/** The demo page's own script: the command queue stub a site would paste, a button, and an event log. */
export const demoJs = `
window.Parley = window.Parley || function () { (window.Parley.q = window.Parley.q || []).push(arguments); };
document.addEventListener('DOMContentLoaded', function () {
  var log = document.getElementById('parley-log');
  var button = document.getElementById('parley-open');
  if (button) button.addEventListener('click', function () { Parley('open'); });
  ['ready', 'open', 'close', 'message', 'purchase', 'low-balance'].forEach(function (name) {
    Parley('on', name, function (detail) {
      if (!log) return;
      var item = document.createElement('li');
      item.textContent = new Date().toLocaleTimeString() + '  parley:' + name + '  ' + JSON.stringify(detail).slice(0, 160);
      log.prepend(item);
    });
  });
});
`;
