import { UniqueConstraintError } from 'sequelize';
import type { z } from 'zod';
import type { Models } from '../db/models';
import { AppError } from '../http/errors';
import { createApiKey } from '../api-keys/service';
import { hashPassword } from './passwords';
import { normaliseEmail } from './passport';
import type { signupBody } from './schemas';

/** Sign-up makes the user, their first workspace, the owner membership and a publishable key, atomically. */
export async function signUp({ models, input }: { models: Models; input: z.output<typeof signupBody> }) {
  const passwordHash = await hashPassword(input.password);
  try {
    return await models.User.sequelize!.transaction(async (transaction) => {
      const user = await models.User.create({ email: normaliseEmail(input.email), name: input.name, passwordHash }, { transaction });
      const tenant = await createWorkspace({ models, userId: user.id, name: input.workspaceName, transaction });
      return { user, tenant };
    });
  } catch (err) {
    if (err instanceof UniqueConstraintError) throw new AppError('email_taken', 'An account with this email already exists');
    throw err;
  }
}

export async function createWorkspace(options: {
  models: Models;
  userId: string;
  name: string;
  transaction?: import('sequelize').Transaction;
}) {
  const { models, userId, name, transaction } = options;
  const tenant = await models.Tenant.create({ name }, { transaction });
  await models.Membership.create({ tenantId: tenant.id, userId, role: 'owner' }, { transaction });
  const scope = { tenantId: tenant.id, actor: { type: 'user' as const, id: userId } };
  await createApiKey({ models, scope, kind: 'publishable', name: 'Widget', transaction });
  return tenant;
}

/** The signed-in user, their workspaces, and which one the session is looking at. */
export async function describeUser({ models, userId, currentTenantId }: { models: Models; userId: string; currentTenantId?: string }) {
  const user = await models.User.findByPk(userId);
  if (!user) throw new AppError('unauthenticated', 'Log in first');
  const memberships = await models.Membership.findAll({ where: { userId }, order: [['createdAt', 'ASC']] });
  const tenants = await models.Tenant.findAll({ where: { id: memberships.map((m) => m.tenantId) } });
  const names = new Map(tenants.map((t) => [t.id, t.name]));
  const workspaces = memberships.map((m) => ({ id: m.tenantId, name: names.get(m.tenantId) ?? '', role: m.role }));
  const current = workspaces.find((w) => w.id === currentTenantId) ?? workspaces[0];
  return { user: { id: user.id, email: user.email, name: user.name }, workspaces, currentWorkspaceId: current?.id ?? null };
}
