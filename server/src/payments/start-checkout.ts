import type Stripe from 'stripe';
import type { Config } from '../config';
import type { Deps } from '../deps';
import { AppError, notFound } from '../http/errors';
import { toAmount } from '../ledger/db';
import { deriveDemoKey, signDemoToken } from './demo-token';
import { checkReturnUrl, returnUrlWith } from './return-url';
import { openStripeSecrets } from './stripe-account';
import { StripeClients } from './stripe-client';

export interface StartCheckoutOptions {
  deps: Pick<Deps, 'pool' | 'clock' | 'logger' | 'stripeClients' | 'stripeApi'>;
  config: Pick<Config, 'production' | 'publicUrl' | 'masterKey' | 'sessionSecret'>;
  tenantId: string;
  visitorId: string;
  packId: string;
  /** The page the visitor bought from; checkout sends them back there. */
  returnUrl: string;
}

export interface StartedCheckout {
  purchaseId: string;
  /** Stripe Checkout, or the local demo checkout page. */
  url: string;
  provider: 'stripe' | 'demo';
}

interface PackRow {
  id: string;
  name: string;
  credits: string;
  amount_minor: string;
  currency: string;
}

/**
 * Starts buying a pack: records a pending purchase, then opens a Stripe Checkout Session on the
 * tenant's own account (or, with no Stripe keys outside production, the demo checkout) and
 * returns where to send the visitor. Nothing is granted here; only a verified payment does that.
 */
export async function startCheckout(o: StartCheckoutOptions): Promise<StartedCheckout> {
  const { pool } = o.deps;
  const [pack, tenant, visitor] = await Promise.all([
    pool.query<PackRow>('SELECT id, name, credits, amount_minor, currency FROM credit_packs WHERE tenant_id = $1 AND id = $2 AND active', [o.tenantId, o.packId]),
    pool.query<{ allowed_origins: string[] }>('SELECT allowed_origins FROM tenants WHERE id = $1', [o.tenantId]),
    pool.query<{ blocked_at: Date | null }>('SELECT blocked_at FROM visitors WHERE tenant_id = $1 AND id = $2', [o.tenantId, o.visitorId]),
  ]);
  const packRow = pack.rows[0];
  if (!packRow) throw notFound('pack');
  if (!tenant.rows[0] || !visitor.rows[0]) throw notFound('visitor');
  if (visitor.rows[0].blocked_at) throw new AppError('visitor_blocked', 'This visitor cannot buy credits until the account is settled');
  const returnUrl = checkReturnUrl({
    returnUrl: o.returnUrl, allowedOrigins: tenant.rows[0].allowed_origins, production: o.config.production, publicUrl: o.config.publicUrl,
  }).toString();

  const secrets = await openStripeSecrets({ db: pool, masterKey: o.config.masterKey, tenantId: o.tenantId });
  if (!secrets && o.config.production) throw new AppError('unavailable', 'This site does not take payments yet');
  const provider = secrets ? 'stripe' : 'demo';
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO purchases (tenant_id, visitor_id, pack_id, pack_name, credits, amount_minor, currency, provider, return_url, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id`,
    [o.tenantId, o.visitorId, packRow.id, packRow.name, packRow.credits, packRow.amount_minor, packRow.currency, provider, returnUrl, o.deps.clock.now()],
  );
  const purchaseId = rows[0]!.id;
  if (!secrets) return { purchaseId, url: demoCheckoutUrl(o, purchaseId), provider };

  const stripe = (o.deps.stripeClients ?? new StripeClients({ api: o.deps.stripeApi })).get(secrets.secretKey);
  const session = await createSession(stripe, { ...o, purchaseId, pack: packRow, returnUrl });
  await pool.query('UPDATE purchases SET checkout_session_id = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2', [
    o.tenantId, purchaseId, session.id, o.deps.clock.now(),
  ]);
  if (!session.url) throw new AppError('unavailable', 'Stripe did not return a checkout page');
  return { purchaseId, url: session.url, provider };
}

function demoCheckoutUrl(o: StartCheckoutOptions, purchaseId: string): string {
  const key = deriveDemoKey(o.config.sessionSecret ?? 'dev-only-session-secret-change-me');
  const token = signDemoToken({ key, tenantId: o.tenantId, purchaseId });
  return `${o.config.publicUrl}/demo-checkout/${purchaseId}?t=${encodeURIComponent(token)}`;
}

async function createSession(
  stripe: Stripe,
  o: StartCheckoutOptions & { purchaseId: string; pack: PackRow; returnUrl: string },
): Promise<Stripe.Checkout.Session> {
  // Read back on every event: Parley finds the purchase by these, never by amounts or emails.
  const metadata = { parley_tenant_id: o.tenantId, parley_visitor_id: o.visitorId, parley_pack_id: o.pack.id, parley_purchase_id: o.purchaseId };
  const credits = toAmount(o.pack.credits);
  try {
    return await stripe.checkout.sessions.create(
      {
        mode: 'payment',
        client_reference_id: o.purchaseId,
        metadata,
        // Charges, refunds and disputes carry the payment intent's metadata, so they can be matched too.
        payment_intent_data: { metadata },
        line_items: [{
          quantity: 1,
          price_data: {
            currency: o.pack.currency.toLowerCase(),
            unit_amount: toAmount(o.pack.amount_minor),
            product_data: { name: o.pack.name, description: `${(credits / 1000).toLocaleString('en-US')} credits` },
          },
        }],
        success_url: returnUrlWith(o.returnUrl, { parley_purchase: o.purchaseId, parley_checkout: 'success' }),
        cancel_url: returnUrlWith(o.returnUrl, { parley_purchase: o.purchaseId, parley_checkout: 'cancelled' }),
      },
      // One key per purchase attempt: a retried request returns the same session, never a second one.
      { idempotencyKey: `parley-checkout-${o.purchaseId}` },
    );
  } catch (err) {
    o.deps.logger.warn({ err, tenantId: o.tenantId, purchaseId: o.purchaseId }, 'Stripe refused to create a checkout session');
    await o.deps.pool
      .query(`UPDATE purchases SET status = 'failed', failed_at = $3, updated_at = $3 WHERE tenant_id = $1 AND id = $2 AND status = 'pending'`, [
        o.tenantId, o.purchaseId, o.deps.clock.now(),
      ])
      .catch(() => undefined);
    throw new AppError('unavailable', 'The payment provider is not reachable right now; try again shortly');
  }
}
