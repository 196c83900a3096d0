import { z } from 'zod';
import type { AppContext } from '../http/context';
import { defineRoute } from '../http/route';
import { findVisitorByExternalId, upsertVisitorByExternalId } from '../visitors/service';
import { getBalance, statement } from './balance';
import { withTransaction } from './db';
import { grantInTransaction } from './grant';
import { pushBalance } from '../payments/notifier';
import { fingerprint } from './idempotency';
import {
  balanceJson, balanceView, idempotencyHeader, idempotencyKeyOf, metadataSchema, positiveAmount, postingJson, postingView,
  statementJson, statementQuery, statementView,
} from './schemas';

/**
 * The secret-key API for a tenant's own backend: credits for the users it knows by its own ids.
 * Grants are idempotent the way Stripe's API is: `Idempotency-Key` + the same body returns the
 * first response (with `Idempotent-Replayed: true`); + another body is 409 `idempotency_conflict`.
 */
const grantBody = z
  .object({
    externalUserId: z.string().trim().min(1).max(255).describe("The user's id in your system; the visitor is created if new"),
    amount: positiveAmount,
    source: z.enum(['purchase', 'welcome', 'promotion']).default('purchase'),
    expiresAt: z.iso.datetime({ offset: true }).optional().describe('When the credits expire (default: never)'),
    externalRef: z.string().trim().min(1).max(255).optional().describe('E.g. your payment id: the same reference never grants twice'),
    reason: z.string().trim().max(500).optional(),
    email: z.email().max(254).optional(),
    name: z.string().trim().max(200).optional(),
    metadata: metadataSchema.optional(),
  })
  .strict();

const byExternalUser = z.object({ externalUserId: z.string().trim().min(1).max(255) });
const withUser = z.object({ visitorId: z.uuid(), externalUserId: z.string() });

export function ledgerRoutes({ deps }: AppContext) {
  const { pool, clock } = deps;
  return [
    defineRoute({
      method: 'post', path: '/api/credits/grants', tag: 'credits', auth: 'tenant', secretKey: true, status: 201,
      summary: 'Grant credits to one of your users (by your user id); needs an Idempotency-Key header',
      headers: idempotencyHeader(true), body: grantBody,
      response: postingView.extend({ externalUserId: z.string(), grantId: z.uuid() }),
      handler: async ({ req, res, tenant, body }) => {
        const key = idempotencyKeyOf(req, true)!;
        const now = clock.now();
        const { externalUserId, email, name, expiresAt, ...terms } = body;
        const { posting, visitorId } = await withTransaction(pool, async (client) => {
          const visitor = await upsertVisitorByExternalId({ db: client, tenantId: tenant!.tenantId, externalUserId, email, name, now });
          const granted = await grantInTransaction(client, {
            ...terms, tenantId: tenant!.tenantId, visitorId: visitor.id, expiresAt: expiresAt ? new Date(expiresAt) : null,
            idempotencyKey: `api:${key}`, fingerprint: fingerprint('api:grant', body), actor: tenant!.actor, now,
          });
          return { posting: granted, visitorId: visitor.id };
        });
        if (posting.replayed) res.setHeader('Idempotent-Replayed', 'true');
        else await pushBalance(deps.visitorNotifier, deps.logger, { tenantId: tenant!.tenantId, visitorId });
        return { ...postingJson(posting), externalUserId, grantId: posting.grantId! };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/credits/balance', tag: 'credits', auth: 'tenant', secretKey: true,
      summary: "One of your users' credit balance (by your user id)",
      query: byExternalUser, response: balanceView.extend(withUser.shape),
      handler: async ({ tenant, query }) => {
        const visitor = await findVisitorByExternalId({ db: pool, tenantId: tenant!.tenantId, externalUserId: query.externalUserId });
        const balance = await getBalance({ db: pool, tenantId: tenant!.tenantId, visitorId: visitor.id, now: clock.now() });
        return { ...balanceJson(balance), visitorId: visitor.id, externalUserId: query.externalUserId };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/credits/statement', tag: 'credits', auth: 'tenant', secretKey: true,
      summary: "One of your users' ledger lines, newest first, with the running balance",
      query: statementQuery.extend(byExternalUser.shape), response: statementView.extend(withUser.shape),
      handler: async ({ tenant, query }) => {
        const visitor = await findVisitorByExternalId({ db: pool, tenantId: tenant!.tenantId, externalUserId: query.externalUserId });
        const page = await statement({ db: pool, tenantId: tenant!.tenantId, visitorId: visitor.id, cursor: query.cursor, limit: query.limit });
        return { ...statementJson(page), visitorId: visitor.id, externalUserId: query.externalUserId };
      },
    }),
  ];
}
