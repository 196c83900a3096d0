import { z } from 'zod';
import type { AppContext } from '../http/context';
import { defineRoute } from '../http/route';
import { notFound } from '../http/errors';
import type { TenantScope } from '../tenancy/scope';
import { createWorkspace } from '../auth/service';
import { getRateLimits, rateLimitsPatch, rateLimitsView, updateRateLimits } from './rate-limits';
import type { Tenant } from './tenant.model';
import { createWorkspaceBody, memberView, updateWorkspaceBody, workspaceView } from './schemas';

const view = (tenant: Tenant, role: TenantScope['role']) => ({
  id: tenant.id,
  name: tenant.name,
  allowedOrigins: tenant.allowedOrigins,
  role,
  createdAt: tenant.createdAt.toISOString(),
});

export function tenantRoutes({ deps, config }: AppContext) {
  const { models, pool, clock } = deps;
  const operator = { visitorMessagesPerMin: config.chat.visitorMessagesPerMin, tenantMessagesPerMin: config.chat.tenantMessagesPerMin };
  const load = async (scope: TenantScope) => {
    const tenant = await models.Tenant.findByPk(scope.tenantId);
    if (!tenant) throw notFound('workspace');
    return tenant;
  };
  return [
    defineRoute({
      method: 'get', path: '/api/workspace', tag: 'workspace', auth: 'tenant', secretKey: true,
      summary: 'The current workspace (tenant)',
      response: workspaceView,
      handler: async ({ tenant }) => view(await load(tenant!), tenant!.role),
    }),
    defineRoute({
      method: 'patch', path: '/api/workspace', tag: 'workspace', auth: 'tenant',
      summary: 'Rename the workspace or change where its widget may be embedded',
      body: updateWorkspaceBody, response: workspaceView,
      handler: async ({ tenant, body }) => {
        const row = await load(tenant!);
        await row.update(body);
        return view(row, tenant!.role);
      },
    }),
    defineRoute({
      method: 'get', path: '/api/workspace/rate-limits', tag: 'workspace', auth: 'tenant',
      summary: "The workspace's chat rate limits, this server's ceiling, and what applies",
      response: rateLimitsView,
      handler: ({ tenant }) => getRateLimits({ db: pool, tenantId: tenant!.tenantId, operator }),
    }),
    defineRoute({
      method: 'patch', path: '/api/workspace/rate-limits', tag: 'workspace', auth: 'tenant',
      summary: "Set the workspace's own chat rate limits (at most this server's; null: the server's value)",
      body: rateLimitsPatch(operator), response: rateLimitsView,
      handler: ({ tenant, body }) => updateRateLimits({ db: pool, tenantId: tenant!.tenantId, operator, patch: body, now: clock.now() }),
    }),
    defineRoute({
      method: 'post', path: '/api/workspaces', tag: 'workspace', auth: 'user', status: 201,
      summary: 'Create another workspace; you become its owner',
      body: createWorkspaceBody, response: workspaceView,
      handler: async ({ body, user }) => {
        const created = await createWorkspace({ models, userId: user!.userId, name: body.name });
        return view(created, 'owner');
      },
    }),
    defineRoute({
      method: 'get', path: '/api/workspace/members', tag: 'workspace', auth: 'tenant',
      summary: 'Members of the workspace and their roles',
      response: z.object({ data: z.array(memberView) }),
      handler: async ({ tenant }) => {
        const memberships = await models.Membership.findAll({ where: { tenantId: tenant!.tenantId }, order: [['createdAt', 'ASC']] });
        const users = await models.User.findAll({ where: { id: memberships.map((m) => m.userId) } });
        const byId = new Map(users.map((u) => [u.id, u]));
        return {
          data: memberships.map((m) => ({
            userId: m.userId,
            email: byId.get(m.userId)?.email ?? '',
            name: byId.get(m.userId)?.name ?? '',
            role: m.role,
            joinedAt: m.createdAt.toISOString(),
          })),
        };
      },
    }),
  ];
}
