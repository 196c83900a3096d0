import type { Config } from '../config';
import type { Deps } from '../deps';
import { notFound } from '../http/errors';
import { toAmount } from '../ledger/db';
import { applyPaymentFact } from './apply-payment-fact';
import { deriveDemoKey, verifyDemoToken } from './demo-token';
import { pushChanges } from './notifier';
import type { PurchaseRow } from './purchases';
import { returnUrlWith } from './return-url';
import './runtime';

/**
 * The offline stand-in for Stripe Checkout. Never mounted in production. Pay completes the
 * purchase through `applyPaymentFact`, the very function a Stripe webhook ends in, with a payment
 * reference of its own (`demo_<purchase id>`), so a second Pay finds the purchase granted already.
 */
export interface DemoCheckoutOptions {
  deps: Pick<Deps, 'pool' | 'clock' | 'logger' | 'visitorNotifier'>;
  config: Pick<Config, 'sessionSecret'>;
  purchaseId: string;
  token: string;
}

export async function loadDemoPurchase(o: DemoCheckoutOptions): Promise<PurchaseRow> {
  const key = deriveDemoKey(o.config.sessionSecret ?? 'dev-only-session-secret-change-me');
  const tenantId = verifyDemoToken({ key, token: o.token, purchaseId: o.purchaseId });
  // A wrong token and a missing purchase answer alike.
  if (!tenantId) throw notFound('checkout');
  const { rows } = await o.deps.pool.query<PurchaseRow>(
    `SELECT * FROM purchases WHERE tenant_id = $1 AND id = $2 AND provider = 'demo'`,
    [tenantId, o.purchaseId],
  );
  if (!rows[0]) throw notFound('checkout');
  return rows[0];
}

/** Pays (once) and answers where to send the browser. */
export async function payDemoCheckout(o: DemoCheckoutOptions): Promise<string> {
  const purchase = await loadDemoPurchase(o);
  const ref = `demo_${purchase.id}`;
  const result = await applyPaymentFact({
    db: o.deps.pool, tenantId: purchase.tenant_id, now: o.deps.clock.now(),
    fact: { kind: 'checkout', purchaseId: purchase.id, sessionId: ref, paymentIntentId: ref, outcome: 'paid' },
  });
  if (result.change) await pushChanges(o.deps.visitorNotifier, o.deps.logger, [result.change]);
  return returnUrlWith(purchase.return_url, { parley_purchase: purchase.id, parley_checkout: 'success' });
}

/** Like leaving Stripe Checkout: nothing changes, the purchase stays pending. */
export async function cancelDemoCheckout(o: DemoCheckoutOptions): Promise<string> {
  const purchase = await loadDemoPurchase(o);
  return returnUrlWith(purchase.return_url, { parley_purchase: purchase.id, parley_checkout: 'cancelled' });
}

export const demoPageModel = (purchase: PurchaseRow, token: string) => ({
  purchaseId: purchase.id,
  token,
  packName: purchase.pack_name,
  credits: toAmount(purchase.credits),
  amountMinor: toAmount(purchase.amount_minor),
  currency: purchase.currency,
  status: purchase.status,
  returnUrl: purchase.return_url,
});
