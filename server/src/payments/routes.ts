import express from 'express';
import { z } from 'zod';
import type { AppContext } from '../http/context';
import { notFound } from '../http/errors';
import { defineRoute } from '../http/route';
import { cancelDemoCheckout, demoPageModel, loadDemoPurchase, payDemoCheckout } from './demo-checkout';
import { renderDemoPage } from './demo-page';
import { getPurchase, listPurchases, purchaseStatuses, purchaseView } from './purchases';
import { deleteStripeAccount, getStripeAccount, setStripeAccount, stripeKeyPattern, webhookSecretPattern } from './stripe-account';
import { testStripeConnection } from './test-connection';
import { handleStripeWebhook } from './webhook';

const stripeAccountView = z.object({
  configured: z.boolean(),
  mode: z.enum(['test', 'live']).nullable().describe('From the key: sk_test_/rk_test_ or sk_live_/rk_live_'),
  secretKeyHint: z.string().nullable().describe('The last four characters; the key itself is never sent back'),
  webhookSecretHint: z.string().nullable(),
  webhookUrl: z.url().describe('Paste into Stripe as the webhook endpoint URL'),
  updatedAt: z.iso.datetime().nullable(),
});

const demoToken = z.object({ t: z.string().min(1).max(200) });
const purchaseParams = z.object({ purchaseId: z.uuid() });

export function paymentRoutes({ deps, config }: AppContext) {
  const { pool, clock } = deps;
  const settings = [
    defineRoute({
      method: 'get', path: '/api/payments/stripe', tag: 'payments', auth: 'tenant',
      summary: "The workspace's Stripe account: mode, masked secrets, and the webhook URL to give Stripe",
      response: stripeAccountView,
      handler: ({ tenant }) => getStripeAccount({ db: pool, tenantId: tenant!.tenantId, publicUrl: config.publicUrl }),
    }),
    defineRoute({
      method: 'put', path: '/api/payments/stripe', tag: 'payments', auth: 'tenant',
      summary: 'Set the Stripe secret key and/or webhook signing secret (encrypted at rest, never shown again)',
      body: z.object({
        secretKey: z.string().trim().regex(stripeKeyPattern, 'A Stripe secret or restricted key (sk_test_…, sk_live_…, rk_…)').optional(),
        webhookSecret: z.string().trim().regex(webhookSecretPattern, 'A webhook signing secret (whsec_…)').nullable().optional(),
      }).strict().refine((b) => b.secretKey !== undefined || b.webhookSecret !== undefined, 'Give secretKey, webhookSecret or both'),
      response: stripeAccountView,
      handler: ({ tenant, body }) =>
        setStripeAccount({
          db: pool, masterKey: config.masterKey, tenantId: tenant!.tenantId, publicUrl: config.publicUrl,
          secretKey: body.secretKey, webhookSecret: body.webhookSecret, now: clock.now(),
        }),
    }),
    defineRoute({
      method: 'delete', path: '/api/payments/stripe', tag: 'payments', auth: 'tenant', status: 204,
      summary: 'Forget the Stripe keys (outside production, checkout falls back to the demo)',
      response: z.undefined(),
      handler: async ({ tenant }) => {
        if (!(await deleteStripeAccount({ db: pool, tenantId: tenant!.tenantId }))) throw notFound('Stripe account');
      },
    }),
    defineRoute({
      method: 'post', path: '/api/payments/stripe/test', tag: 'payments', auth: 'tenant',
      summary: 'Check that Stripe accepts the stored key',
      body: z.object({}).strict(),
      response: z.object({ ok: z.boolean(), mode: z.enum(['test', 'live']).nullable(), message: z.string() }),
      handler: ({ tenant }) => testStripeConnection({ deps, config, tenantId: tenant!.tenantId }),
    }),
  ];

  const purchases = [
    defineRoute({
      method: 'get', path: '/api/purchases', tag: 'payments', auth: 'tenant', secretKey: true,
      summary: 'Purchases, newest first; filter by visitor or status, page with `before`',
      query: z.object({
        visitorId: z.uuid().optional(),
        status: z.enum(purchaseStatuses).optional(),
        before: z.iso.datetime().optional().describe('The createdAt of the last purchase of the previous page'),
        limit: z.coerce.number().int().min(1).max(200).default(50),
      }),
      response: z.object({ data: z.array(purchaseView) }),
      handler: async ({ tenant, query }) => ({ data: await listPurchases({ db: pool, tenantId: tenant!.tenantId, ...query }) }),
    }),
    defineRoute({
      method: 'get', path: '/api/purchases/:id', tag: 'payments', auth: 'tenant', secretKey: true,
      summary: 'One purchase',
      params: z.object({ id: z.uuid() }),
      response: purchaseView,
      handler: async ({ tenant, params }) => {
        const purchase = await getPurchase({ db: pool, tenantId: tenant!.tenantId, id: params.id });
        if (!purchase) throw notFound('purchase');
        return purchase;
      },
    }),
  ];

  const webhook = defineRoute({
    method: 'post', path: '/webhooks/stripe/:tenantId', tag: 'payments', auth: 'none',
    summary: "Stripe's events for this workspace (signed with its webhook signing secret)",
    params: z.object({ tenantId: z.uuid() }),
    headers: z.object({ 'stripe-signature': z.string() }),
    // The signature covers the exact bytes, so this route alone reads its body raw.
    before: [express.raw({ type: 'application/json', limit: '1mb' })],
    response: z.object({ received: z.literal(true), outcome: z.string() }),
    handler: async ({ req, params }) => {
      const { outcome } = await handleStripeWebhook({ deps, config, tenantId: params.tenantId, rawBody: req.body, signature: req.get('stripe-signature') });
      return { received: true as const, outcome };
    },
  });

  // The demo checkout does not exist in production: its routes are never mounted there.
  const demo = config.production ? [] : [
    defineRoute({
      method: 'get', path: '/demo-checkout/:purchaseId', tag: 'payments', auth: 'none', produces: 'text/html',
      summary: 'Demo checkout page (no Stripe keys, not in production): no money moves',
      params: purchaseParams, query: demoToken,
      handler: async ({ res, params, query }) => {
        const purchase = await loadDemoPurchase({ deps, config, purchaseId: params.purchaseId, token: query.t });
        const { html, csp } = renderDemoPage(demoPageModel(purchase, query.t));
        res.set({ 'Content-Security-Policy': csp, 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' }).type('html').send(html);
      },
    }),
    defineRoute({
      method: 'post', path: '/demo-checkout/:purchaseId/pay', tag: 'payments', auth: 'none', produces: 'text/html', status: 303,
      summary: 'Demo checkout: pay (completes the purchase through the webhook’s fulfilment path)',
      params: purchaseParams, body: demoToken,
      before: [express.urlencoded({ extended: false, limit: '4kb' })],
      handler: async ({ res, params, body }) => {
        res.redirect(303, await payDemoCheckout({ deps, config, purchaseId: params.purchaseId, token: body.t }));
      },
    }),
    defineRoute({
      method: 'post', path: '/demo-checkout/:purchaseId/cancel', tag: 'payments', auth: 'none', produces: 'text/html', status: 303,
      summary: 'Demo checkout: cancel and go back to the site',
      params: purchaseParams, body: demoToken,
      before: [express.urlencoded({ extended: false, limit: '4kb' })],
      handler: async ({ res, params, body }) => {
        res.redirect(303, await cancelDemoCheckout({ deps, config, purchaseId: params.purchaseId, token: body.t }));
      },
    }),
  ];
  return [...settings, ...purchases, webhook, ...demo];
}
