import type { Models } from '../db/models';
import { toAmount } from '../ledger/db';
import { findOwned, tenantWhere, type TenantScope } from '../tenancy/scope';
import type { CreditPack } from './pack.model';
import type { CreatePackInput, PackAdminView, UpdatePackInput } from './schemas';

/** Tenant CRUD of credit packs, every query built from the caller's tenant scope. */
export function packAdminView(pack: CreditPack): PackAdminView {
  return {
    id: pack.id,
    name: pack.name,
    credits: toAmount(pack.credits),
    amountMinor: toAmount(pack.amountMinor),
    currency: pack.currency,
    badge: pack.badge,
    sortOrder: pack.sortOrder,
    active: pack.active,
    createdAt: pack.createdAt.toISOString(),
    updatedAt: pack.updatedAt.toISOString(),
  };
}

interface PackOptions {
  models: Models;
  scope: Pick<TenantScope, 'tenantId'>;
}

export async function listPacks({ models, scope }: PackOptions): Promise<PackAdminView[]> {
  const packs = await models.CreditPack.findAll({
    where: tenantWhere(scope),
    order: [['sortOrder', 'ASC'], ['createdAt', 'ASC'], ['id', 'ASC']],
  });
  return packs.map(packAdminView);
}

export async function getPack({ models, scope, id }: PackOptions & { id: string }): Promise<PackAdminView> {
  return packAdminView(await findOwned(models.CreditPack, scope, id, { what: 'pack' }));
}

export async function createPack({ models, scope, input }: PackOptions & { input: CreatePackInput }): Promise<PackAdminView> {
  const pack = await models.CreditPack.create({ ...input, tenantId: scope.tenantId });
  return packAdminView(pack);
}

export async function updatePack({ models, scope, id, input }: PackOptions & { id: string; input: UpdatePackInput }): Promise<PackAdminView> {
  const pack = await findOwned(models.CreditPack, scope, id, { what: 'pack' });
  await pack.update(input);
  return packAdminView(pack);
}

/** Purchases keep their own copy of the pack (name, credits, price), so deleting one rewrites no history. */
export async function deletePack({ models, scope, id }: PackOptions & { id: string }): Promise<void> {
  const pack = await findOwned(models.CreditPack, scope, id, { what: 'pack' });
  await pack.destroy();
}
