import type { Model, ModelStatic, FindOptions, WhereOptions, Attributes } from 'sequelize';
import { AppError, notFound } from '../http/errors';

/**
 * Tenancy in one place. A `TenantScope` is produced only by the auth layer (a session member of the
 * workspace, or the workspace's secret key); every tenant-owned read and write is built from it, so
 * asking for another tenant's row finds nothing and answers 404 rather than 403 (no existence leak).
 */
export type Role = 'owner' | 'admin' | 'analyst';
export const roles: readonly Role[] = ['owner', 'admin', 'analyst'];

const roleRank: Record<Role, number> = { analyst: 1, admin: 2, owner: 3 };

export type Actor = { type: 'user'; id: string } | { type: 'api_key'; id: string } | { type: 'system'; id: string };

export interface TenantScope {
  tenantId: string;
  role: Role;
  actor: Actor;
}

export function hasRole(scope: { role: Role }, needed: Role): boolean {
  return roleRank[scope.role] >= roleRank[needed];
}

export function assertRole(scope: { role: Role }, needed: Role): void {
  if (!hasRole(scope, needed)) throw new AppError('forbidden', `This needs the ${needed} role or higher`);
}

/** The where-clause every tenant-owned Sequelize query starts from. */
export function tenantWhere<M extends Model>(
  scope: Pick<TenantScope, 'tenantId'>,
  where: WhereOptions<Attributes<M>> = {},
): WhereOptions<Attributes<M>> {
  return { ...(where as object), tenantId: scope.tenantId } as unknown as WhereOptions<Attributes<M>>;
}

/** Loads one tenant-owned row by id, or throws `not_found` whether it is missing or someone else's. */
export async function findOwned<M extends Model>(
  model: ModelStatic<M>,
  scope: Pick<TenantScope, 'tenantId'>,
  id: string,
  options: Omit<FindOptions<Attributes<M>>, 'where'> & { what?: string } = {},
): Promise<M> {
  const { what, ...findOptions } = options;
  const row = await model.findOne({
    ...findOptions,
    where: tenantWhere<M>(scope, { id } as unknown as WhereOptions<Attributes<M>>),
  });
  if (!row) throw notFound(what ?? model.name);
  return row;
}
