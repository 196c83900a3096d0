import type { Pool } from 'pg';
import type { Models } from '../db/models';
import { AppError } from '../http/errors';
import { findOwned, tenantWhere, type TenantScope } from '../tenancy/scope';
import type { Persona } from './persona.model';
import type { PersonaInput, PersonaPatch } from './schemas';

interface PersonaDeps {
  models: Models;
  pool: Pool;
  scope: Pick<TenantScope, 'tenantId'>;
}

export function personaView(p: Persona) {
  return {
    id: p.id,
    name: p.name,
    avatarUrl: p.avatarUrl,
    greeting: p.greeting,
    systemPrompt: p.systemPrompt,
    modelId: p.modelId,
    temperature: p.temperature,
    maxOutputTokens: p.maxOutputTokens,
    enabled: p.enabled,
    position: p.position,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}

/** A persona may only use a live model of its own tenant's catalogue (the database enforces the tenant too). */
async function assertCatalogueModel({ pool, scope }: Omit<PersonaDeps, 'models'>, modelId: string): Promise<void> {
  const { rowCount } = await pool.query(
    'SELECT 1 FROM catalogue_models WHERE tenant_id = $1 AND id = $2 AND archived_at IS NULL',
    [scope.tenantId, modelId],
  );
  if (!rowCount) {
    throw new AppError('validation_failed', 'No such model in this workspace', {
      fields: [{ in: 'body', path: 'modelId', message: "not a model of this workspace's catalogue" }],
    });
  }
}

export async function listPersonas({ models, scope }: Omit<PersonaDeps, 'pool'>): Promise<Persona[]> {
  return models.Persona.findAll({ where: tenantWhere(scope), order: [['position', 'ASC'], ['createdAt', 'ASC']] });
}

export async function createPersona(deps: PersonaDeps & { input: PersonaInput }): Promise<Persona> {
  await assertCatalogueModel(deps, deps.input.modelId);
  return deps.models.Persona.create({ ...deps.input, tenantId: deps.scope.tenantId });
}

export async function getPersona({ models, scope, id }: Omit<PersonaDeps, 'pool'> & { id: string }): Promise<Persona> {
  return findOwned(models.Persona, scope, id, { what: 'persona' });
}

export async function updatePersona(deps: PersonaDeps & { id: string; patch: PersonaPatch }): Promise<Persona> {
  const persona = await findOwned(deps.models.Persona, deps.scope, deps.id, { what: 'persona' });
  if (deps.patch.modelId !== undefined && deps.patch.modelId !== persona.modelId) await assertCatalogueModel(deps, deps.patch.modelId);
  return persona.update(deps.patch);
}

/** Past conversations keep their messages; they just no longer name the persona. */
export async function deletePersona({ models, scope, id }: Omit<PersonaDeps, 'pool'> & { id: string }): Promise<void> {
  const persona = await findOwned(models.Persona, scope, id, { what: 'persona' });
  await persona.destroy();
}
