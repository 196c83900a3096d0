import { z } from 'zod';
import type { AppContext } from '../http/context';
import { defineRoute } from '../http/route';
import { findOwned, type TenantScope } from '../tenancy/scope';
import { adjust } from '../ledger/adjust';
import { pushBalance } from '../payments/notifier';
import { getBalance, statement } from '../ledger/balance';
import { maxMovement } from '../ledger/db';
import {
  balanceJson, balanceView, idempotencyHeader, idempotencyKeyOf, postingJson, postingView, statementJson, statementQuery, statementView,
} from '../ledger/schemas';
import { listVisitors, visitorDetail } from './queries';
import { visitorDetailJson, visitorDetailView, visitorSummaryJson, visitorSummaryView } from './schemas';

const idParams = z.object({ id: z.uuid() });

const adjustmentBody = z
  .object({
    amount: z.number().int().min(-maxMovement).max(maxMovement).refine((n) => n !== 0, 'must not be 0')
      .describe('Millicredits: positive gives credits, negative takes available credits back'),
    reason: z.string().trim().min(1).max(500).describe('Required: shown in the statement and the audit trail'),
    expiresAt: z.iso.datetime({ offset: true }).optional().describe('For a positive adjustment: when it expires (default: never)'),
  })
  .strict();

/** The dashboard's view of visitors: balances, grants, holds, statements and manual adjustments. */
export function visitorRoutes({ deps }: AppContext) {
  const { pool, clock, models } = deps;
  // Tenancy: the row must be the scope's tenant's, or it is a 404 like any missing one.
  const owned = (tenant: TenantScope, id: string) => findOwned(models.Visitor, tenant, id, { what: 'visitor' });
  return [
    defineRoute({
      method: 'get', path: '/api/visitors', tag: 'visitors', auth: 'tenant',
      summary: 'Visitors with their balances, newest first; q searches email, name, external id or id',
      query: z.object({
        q: z.string().trim().min(1).max(200).optional(),
        cursor: z.string().max(200).optional(),
        limit: z.coerce.number().int().min(1).max(100).default(25),
      }),
      response: z.object({ data: z.array(visitorSummaryView), nextCursor: z.string().nullable() }),
      handler: async ({ tenant, query }) => {
        const page = await listVisitors({ db: pool, tenantId: tenant!.tenantId, ...query, now: clock.now() });
        return { data: page.data.map(visitorSummaryJson), nextCursor: page.nextCursor };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/visitors/:id', tag: 'visitors', auth: 'tenant',
      summary: 'One visitor: balance, live grants with their expiry, pending holds',
      params: idParams, response: visitorDetailView,
      handler: async ({ tenant, params }) => {
        await owned(tenant!, params.id);
        return visitorDetailJson(await visitorDetail({ db: pool, tenantId: tenant!.tenantId, visitorId: params.id, now: clock.now() }));
      },
    }),
    defineRoute({
      method: 'get', path: '/api/visitors/:id/statement', tag: 'visitors', auth: 'tenant',
      summary: "A visitor's ledger lines, newest first, with the running balance",
      params: idParams, query: statementQuery, response: statementView,
      handler: async ({ tenant, params, query }) => {
        await owned(tenant!, params.id);
        return statementJson(await statement({ db: pool, tenantId: tenant!.tenantId, visitorId: params.id, ...query }));
      },
    }),
    defineRoute({
      method: 'post', path: '/api/visitors/:id/adjustments', tag: 'visitors', auth: 'tenant', status: 201,
      summary: 'A manual adjustment with a required reason (admins); a negative one cannot exceed what is available',
      params: idParams, headers: idempotencyHeader(false), body: adjustmentBody,
      response: postingView.extend({ balance: balanceView }),
      handler: async ({ req, res, tenant, params, body }) => {
        await owned(tenant!, params.id);
        const key = idempotencyKeyOf(req, false);
        const posting = await adjust({
          db: pool, tenantId: tenant!.tenantId, visitorId: params.id, amount: body.amount, reason: body.reason,
          expiresAt: body.expiresAt ? new Date(body.expiresAt) : null, actor: tenant!.actor,
          idempotencyKey: key ? `dashboard:${key}` : undefined, now: clock.now(),
        });
        if (posting.replayed) res.setHeader('Idempotent-Replayed', 'true');
        else await pushBalance(deps.visitorNotifier, deps.logger, { tenantId: tenant!.tenantId, visitorId: params.id });
        const balance = await getBalance({ db: pool, tenantId: tenant!.tenantId, visitorId: params.id, now: clock.now() });
        return { ...postingJson(posting), balance: balanceJson(balance) };
      },
    }),
  ];
}
