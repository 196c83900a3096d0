import { UniqueConstraintError } from 'sequelize';
import type { Models } from '../db/models';
import { AppError, notFound } from '../http/errors';
import type { Price } from '../ledger/pricing';
import { findOwned, tenantWhere, type TenantScope } from '../tenancy/scope';
import type { CatalogueModel } from './catalogue-model.model';
import type { z } from 'zod';
import type { createModelBody, updateModelBody } from './schemas';

type Scope = Pick<TenantScope, 'tenantId'>;

/** The price a turn is estimated and settled with (a snapshot of it is kept on the hold). */
export function priceOf(model: CatalogueModel): Price & { modelId: string } {
  return { modelId: model.id, messageFee: model.messageFee, inputPer1k: model.inputPer1k, outputPer1k: model.outputPer1k };
}

export async function listModels({ models, scope, includeArchived }: { models: Models; scope: Scope; includeArchived: boolean }) {
  return models.CatalogueModel.findAll({
    where: tenantWhere<CatalogueModel>(scope, includeArchived ? {} : { archivedAt: null }),
    order: [['displayName', 'ASC'], ['createdAt', 'ASC']],
  });
}

export async function getModel({ models, scope, id }: { models: Models; scope: Scope; id: string }) {
  return findOwned(models.CatalogueModel, scope, id, { what: 'model' });
}

/** A model a turn may use: the tenant's, enabled and not archived; otherwise 404. */
export async function findUsableModel({ models, scope, id }: { models: Models; scope: Scope; id: string }) {
  const model = await getModel({ models, scope, id });
  if (!model.enabled || model.archivedAt) throw notFound('model');
  return model;
}

const taken = () => new AppError('conflict', 'This workspace already offers that provider model');

async function unique<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (err instanceof UniqueConstraintError) throw taken();
    throw err;
  }
}

export async function createModel({ models, scope, input }: { models: Models; scope: Scope; input: z.output<typeof createModelBody> }) {
  return unique(() => models.CatalogueModel.create({ ...input, tenantId: scope.tenantId }));
}

export async function updateModel({ models, scope, id, input }: { models: Models; scope: Scope; id: string; input: z.output<typeof updateModelBody> }) {
  const model = await getModel({ models, scope, id });
  if (model.archivedAt && input.enabled) throw new AppError('conflict', 'An archived model cannot be enabled again; create it anew');
  return unique(() => model.update(input));
}

/** Archives (disables and hides) rather than deletes: past turns and personas refer to the model. */
export async function archiveModel({ models, scope, id, now }: { models: Models; scope: Scope; id: string; now: Date }) {
  const model = await getModel({ models, scope, id });
  if (!model.archivedAt) await model.update({ archivedAt: now, enabled: false });
  return model;
}
