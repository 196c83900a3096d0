import type { Config } from '../config';
import type { Deps } from '../deps';
import { openStripeSecrets, type StripeMode } from './stripe-account';
import { StripeClients } from './stripe-client';

export interface ConnectionCheck {
  ok: boolean;
  mode: StripeMode | null;
  message: string;
}

/**
 * For the dashboard's "Test connection": lists one Checkout Session, the very permission Parley
 * needs (so a restricted key without Checkout access fails here, not at a visitor's first purchase).
 */
export async function testStripeConnection(o: {
  deps: Pick<Deps, 'pool' | 'stripeClients' | 'stripeApi' | 'logger'>;
  config: Pick<Config, 'masterKey'>;
  tenantId: string;
}): Promise<ConnectionCheck> {
  const secrets = await openStripeSecrets({ db: o.deps.pool, masterKey: o.config.masterKey, tenantId: o.tenantId });
  if (!secrets) return { ok: false, mode: null, message: 'No Stripe key is set; purchases use the demo checkout outside production' };
  const stripe = (o.deps.stripeClients ?? new StripeClients({ api: o.deps.stripeApi })).get(secrets.secretKey);
  try {
    await stripe.checkout.sessions.list({ limit: 1 });
  } catch (err) {
    o.deps.logger.info({ err, tenantId: o.tenantId }, 'Stripe connection test failed');
    const message = err instanceof Error ? err.message : 'Stripe did not answer';
    return { ok: false, mode: secrets.mode, message: `Stripe refused the key: ${message}` };
  }
  const hook = secrets.webhookSecret ? '' : ' Add the webhook signing secret so payments can be confirmed.';
  return { ok: true, mode: secrets.mode, message: `Connected in ${secrets.mode} mode.${hook}` };
}
