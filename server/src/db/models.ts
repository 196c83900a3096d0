import type { Sequelize } from 'sequelize';
import { initTenantModels } from '../tenants/tenant.model';
import { initUserModel } from '../auth/user.model';
import { initApiKeyModel } from '../api-keys/api-key.model';
import { initCreditPackModel } from '../packs/pack.model';
import { initVisitorModel } from '../visitors/visitor.model';
import { initCatalogueModel } from '../models-catalogue/catalogue-model.model';
import { initPersonaModel } from '../personas/persona.model';

/** Every Sequelize model, bound to one Sequelize instance. Features add theirs here. */
export function initModels(sequelize: Sequelize) {
  return {
    ...initTenantModels(sequelize),
    User: initUserModel(sequelize),
    ApiKey: initApiKeyModel(sequelize),
    CreditPack: initCreditPackModel(sequelize),
    Visitor: initVisitorModel(sequelize),
    CatalogueModel: initCatalogueModel(sequelize),
    Persona: initPersonaModel(sequelize),
  };
}

export type Models = ReturnType<typeof initModels>;
