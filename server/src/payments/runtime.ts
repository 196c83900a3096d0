/**
 * Where the Stripe SDK sends its API calls. Absent in production (api.stripe.com); tests point it
 * at a local fake Stripe.
 */
export interface StripeApiTarget {
  host: string;
  port: number;
  protocol: 'http' | 'https';
}
