import crypto from 'node:crypto';
import Stripe from 'stripe';
import type { StripeApiTarget } from './runtime';

/**
 * Pinned to the API version this SDK's types describe, so the shapes Parley reads are the shapes
 * Stripe sends. Upgrading the SDK fails the type check here until the version is bumped on purpose.
 */
export const stripeApiVersion = '2026-10-28.endive' satisfies Stripe.LatestApiVersion;

export interface StripeClientOptions {
  secretKey: string;
  api?: StripeApiTarget;
}

export function createStripeClient({ secretKey, api }: StripeClientOptions): Stripe {
  return new Stripe(secretKey, {
    apiVersion: stripeApiVersion,
    // The SDK retries network failures with the same Idempotency-Key, so a retry never makes a second session.
    maxNetworkRetries: 2,
    timeout: 20_000,
    telemetry: false,
    ...(api ? { host: api.host, port: api.port, protocol: api.protocol } : {}),
  });
}

/**
 * One client per tenant key (each holds its own keep-alive agent), kept for the process's life,
 * least recently used dropped first. Keyed by a hash so no key sits in a Map key in clear.
 */
export class StripeClients {
  private readonly clients = new Map<string, Stripe>();

  constructor(private readonly options: { api?: StripeApiTarget; max?: number } = {}) {}

  get(secretKey: string): Stripe {
    const id = crypto.createHash('sha256').update(secretKey).digest('base64url');
    const found = this.clients.get(id);
    if (found) {
      this.clients.delete(id);
      this.clients.set(id, found);
      return found;
    }
    const client = createStripeClient({ secretKey, api: this.options.api });
    this.clients.set(id, client);
    const max = this.options.max ?? 500;
    if (this.clients.size > max) this.clients.delete(this.clients.keys().next().value!);
    return client;
  }
}
