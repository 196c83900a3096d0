import { z } from 'zod';

/**
 * The Stripe events Parley acts on, validated with zod after the signature check: the signature
 * proves Stripe sent the bytes, not that they have the shape this code reads. Only the fields used
 * are declared; Stripe's others pass through untouched.
 */
export const handledEventTypes = [
  'checkout.session.completed',
  'checkout.session.async_payment_succeeded',
  'checkout.session.async_payment_failed',
  'charge.refunded',
  'charge.dispute.created',
  'charge.dispute.closed',
] as const;
export type HandledEventType = (typeof handledEventTypes)[number];

export const isHandledEventType = (type: string): type is HandledEventType => (handledEventTypes as readonly string[]).includes(type);

export const eventEnvelope = z.object({
  id: z.string().min(1).max(255),
  object: z.literal('event'),
  type: z.string().min(1).max(100),
  livemode: z.boolean(),
  data: z.object({ object: z.record(z.string(), z.unknown()) }),
});

/** Stripe sends an id, or the object itself when the field was expanded. */
const idOf = z.union([z.string().min(1).max(255), z.object({ id: z.string().min(1).max(255) }).transform((o) => o.id)]);
const metadata = z.record(z.string(), z.string()).nullable().optional();
const amount = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

const checkoutSession = z.object({
  id: z.string().min(1).max(255),
  object: z.literal('checkout.session'),
  client_reference_id: z.string().max(200).nullable().optional(),
  metadata,
  payment_intent: idOf.nullable().optional(),
  payment_status: z.enum(['paid', 'unpaid', 'no_payment_required']),
});

const charge = z.object({
  id: z.string().min(1).max(255),
  object: z.literal('charge'),
  payment_intent: idOf.nullable().optional(),
  amount,
  amount_refunded: amount,
  metadata,
});

const dispute = z.object({
  id: z.string().min(1).max(255),
  object: z.literal('dispute'),
  payment_intent: idOf.nullable().optional(),
  amount,
  status: z.string().min(1).max(50),
  metadata,
});

/** What an event means for a payment, independent of which provider said it. */
export type PaymentFact =
  | { kind: 'checkout'; purchaseId: string | null; sessionId: string; paymentIntentId: string | null; outcome: 'paid' | 'unpaid' | 'failed' }
  | { kind: 'refund'; purchaseId: string | null; paymentIntentId: string; chargeAmount: number; amountRefunded: number }
  | { kind: 'dispute'; purchaseId: string | null; paymentIntentId: string; disputeId: string; status: string; amount: number };

const uuid = z.uuid();

/** The purchase an object names, if it is one of Parley's for this tenant. */
function purchaseIdOf(meta: Record<string, string> | null | undefined, tenantId: string, fallback?: string | null): string | null {
  if (meta?.parley_tenant_id && meta.parley_tenant_id !== tenantId) return null;
  const candidate = meta?.parley_purchase_id ?? fallback ?? null;
  return candidate && uuid.safeParse(candidate).success ? candidate : null;
}

export type ParsedEvent =
  | { handled: true; id: string; type: HandledEventType; fact: PaymentFact | null }
  | { handled: false; id: string; type: string };

/**
 * The fact a verified event reports, or null for a handled type that is not about a Parley
 * payment (the tenant's Stripe account may sell other things too). Throws a ZodError on a payload
 * that does not have the expected shape.
 */
export function parseStripeEvent(payload: unknown, tenantId: string): ParsedEvent {
  const event = eventEnvelope.parse(payload);
  const { type } = event;
  if (!isHandledEventType(type)) return { handled: false, id: event.id, type };
  const object = event.data.object;
  const result = (fact: PaymentFact | null): ParsedEvent => ({ handled: true, id: event.id, type, fact });
  switch (type) {
    case 'checkout.session.completed':
    case 'checkout.session.async_payment_succeeded':
    case 'checkout.session.async_payment_failed': {
      const s = checkoutSession.parse(object);
      const purchaseId = purchaseIdOf(s.metadata, tenantId, s.client_reference_id);
      if (!purchaseId) return result(null);
      const outcome = type === 'checkout.session.async_payment_failed' ? 'failed'
        : type === 'checkout.session.async_payment_succeeded' || s.payment_status === 'paid' ? 'paid' : 'unpaid';
      return result({ kind: 'checkout', purchaseId, sessionId: s.id, paymentIntentId: s.payment_intent ?? null, outcome });
    }
    case 'charge.refunded': {
      const c = charge.parse(object);
      if (!c.payment_intent || c.amount <= 0) return result(null);
      return result({
        kind: 'refund', purchaseId: purchaseIdOf(c.metadata, tenantId), paymentIntentId: c.payment_intent,
        chargeAmount: c.amount, amountRefunded: Math.min(c.amount_refunded, c.amount),
      });
    }
    case 'charge.dispute.created':
    case 'charge.dispute.closed': {
      const d = dispute.parse(object);
      if (!d.payment_intent) return result(null);
      return result({
        kind: 'dispute', purchaseId: purchaseIdOf(d.metadata, tenantId), paymentIntentId: d.payment_intent,
        disputeId: d.id, status: d.status, amount: d.amount,
      });
    }
  }
}
