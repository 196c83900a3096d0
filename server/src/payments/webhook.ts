import Stripe from 'stripe';
import { ZodError } from 'zod';
import type { Config } from '../config';
import type { Deps } from '../deps';
import { AppError } from '../http/errors';
import { applyPaymentFact, type ApplyOutcome } from './apply-payment-fact';
import { pushChanges } from './notifier';
import { openStripeSecrets } from './stripe-account';
import { parseStripeEvent } from './stripe-events';

/** Stripe's default: a signature older than five minutes is refused (replay protection). */
export const signatureToleranceSec = 300;

export interface StripeWebhookOptions {
  deps: Pick<Deps, 'pool' | 'clock' | 'logger' | 'visitorNotifier'>;
  config: Pick<Config, 'masterKey'>;
  tenantId: string;
  rawBody: unknown;
  signature: string | undefined;
}

export type WebhookOutcome = ApplyOutcome | 'ignored';

const invalidSignature = () => new AppError('invalid_signature', 'The Stripe-Signature header does not match this endpoint’s signing secret');

/**
 * One delivery of `POST /webhooks/stripe/:tenantId`. Verifies the signature over the exact raw
 * bytes with this tenant's signing secret (and the app clock, so tests can age a signature),
 * validates the event's shape, and applies it in one short transaction: a handful of SQL
 * statements and no call to Stripe, so Stripe gets its answer quickly. Anything that fails before
 * the transaction commits changes nothing, and Stripe will deliver again.
 */
export async function handleStripeWebhook(o: StripeWebhookOptions): Promise<{ outcome: WebhookOutcome }> {
  if (!Buffer.isBuffer(o.rawBody) || o.rawBody.length === 0) {
    throw new AppError('unsupported_media_type', 'Send the event as application/json, exactly as Stripe does');
  }
  if (!o.signature) throw invalidSignature();
  const secrets = await openStripeSecrets({ db: o.deps.pool, masterKey: o.config.masterKey, tenantId: o.tenantId });
  // An unknown tenant looks the same as a wrong secret: nothing to learn from probing.
  if (!secrets?.webhookSecret) throw invalidSignature();
  let verified: unknown;
  try {
    verified = Stripe.webhooks.constructEvent(o.rawBody, o.signature, secrets.webhookSecret, signatureToleranceSec, undefined, o.deps.clock.now().getTime());
  } catch {
    throw invalidSignature();
  }

  let parsed;
  try {
    parsed = parseStripeEvent(verified, o.tenantId);
  } catch (err) {
    if (!(err instanceof ZodError)) throw err;
    o.deps.logger.warn({ tenantId: o.tenantId, issues: err.issues }, 'a signed Stripe event does not have the expected shape');
    throw new AppError('validation_failed', 'The event does not have the shape this endpoint expects', { issues: err.issues.slice(0, 5) });
  }
  if (!parsed.handled || !parsed.fact) return { outcome: 'ignored' };

  const result = await applyPaymentFact({
    db: o.deps.pool, tenantId: o.tenantId, fact: parsed.fact, event: { id: parsed.id, type: parsed.type }, now: o.deps.clock.now(),
  });
  if (result.change) await pushChanges(o.deps.visitorNotifier, o.deps.logger, [result.change]);
  return { outcome: result.outcome };
}
