import crypto from 'node:crypto';

/**
 * The demo checkout page: plain server-rendered HTML and a form POST, so it needs no script at all
 * and works under the strictest Content-Security-Policy. Every value shown is escaped.
 */
const escapeHtml = (value: string): string =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Formats integer minor units without floating point: the decimal string goes to Intl as is. */
export function formatMoney(amountMinor: number, currency: string): string {
  const format = new Intl.NumberFormat('en-US', { style: 'currency', currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  const text = String(amountMinor).padStart(digits + 1, '0');
  const decimal = digits > 0 ? `${text.slice(0, -digits)}.${text.slice(-digits)}` : text;
  return format.format(decimal as Intl.StringNumericLiteral);
}

export const formatCredits = (millicredits: number): string =>
  `${Math.floor(millicredits / 1000).toLocaleString('en-US')}${millicredits % 1000 ? `.${String(millicredits % 1000).padStart(3, '0').replace(/0+$/, '')}` : ''} credits`;

export interface DemoPageModel {
  purchaseId: string;
  token: string;
  packName: string;
  credits: number;
  amountMinor: number;
  currency: string;
  status: string;
  returnUrl: string;
}

const css = `
  body { font: 16px/1.5 system-ui, sans-serif; background: #f3f4f6; color: #111827; margin: 0; }
  main { max-width: 420px; margin: 8vh auto; background: #fff; border-radius: 12px; padding: 28px; box-shadow: 0 4px 24px rgba(0,0,0,.08); }
  .demo { background: #fef3c7; color: #92400e; border-radius: 8px; padding: 10px 12px; font-weight: 600; }
  .amount { font-size: 32px; font-weight: 700; margin: 4px 0 20px; }
  form { display: inline; }
  button, a.button { font: inherit; border: 0; border-radius: 8px; padding: 10px 18px; cursor: pointer; text-decoration: none; display: inline-block; }
  .pay { background: #4f46e5; color: #fff; } .cancel { background: #e5e7eb; color: #111827; margin-left: 8px; }
`;

/** A fresh nonce per response lets the one inline stylesheet through a strict style-src. */
export function renderDemoPage(m: DemoPageModel): { html: string; csp: string } {
  const nonce = crypto.randomBytes(16).toString('base64');
  const token = escapeHtml(m.token);
  const base = `/demo-checkout/${escapeHtml(m.purchaseId)}`;
  const body =
    m.status === 'pending'
      ? `<form method="post" action="${base}/pay"><input type="hidden" name="t" value="${token}"><button class="pay" type="submit">Pay ${escapeHtml(formatMoney(m.amountMinor, m.currency))}</button></form>` +
        `<form method="post" action="${base}/cancel"><input type="hidden" name="t" value="${token}"><button class="cancel" type="submit">Cancel</button></form>`
      : `<p>This purchase is <strong>${escapeHtml(m.status.replace('_', ' '))}</strong>.</p><a class="button pay" href="${escapeHtml(m.returnUrl)}">Back to the site</a>`;
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>Demo checkout — no money moves</title>
<style nonce="${nonce}">${css}</style></head>
<body><main>
<p class="demo" role="note">Demo checkout — no money moves. This server has no Stripe keys, so purchases complete here.</p>
<h1>${escapeHtml(m.packName)}</h1>
<p>${escapeHtml(formatCredits(m.credits))}</p>
<p class="amount">${escapeHtml(formatMoney(m.amountMinor, m.currency))}</p>
${body}
</main></body></html>`;
  // form-action must name the site too: browsers apply it to the redirect that follows the POST.
  const returnOrigin = new URL(m.returnUrl).origin;
  const csp = [
    "default-src 'none'", `style-src 'nonce-${nonce}'`, `form-action 'self' ${returnOrigin}`,
    "frame-ancestors 'none'", "base-uri 'none'",
  ].join('; ');
  return { html, csp };
}
