import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

export type ProviderName = 'openai' | 'anthropic' | 'demo';
export const providerNames: readonly ProviderName[] = ['openai', 'anthropic', 'demo'];

/**
 * A model a tenant offers, with its price to visitors (millicredits) and what the provider costs
 * the tenant (micro-units of `costCurrency` per 1M tokens: 1 USD = 1,000,000, so $0.075 per 1M
 * tokens is 75,000; cents would be too coarse). Archived rather than deleted: turns refer to it.
 */
export class CatalogueModel extends Model<InferAttributes<CatalogueModel>, InferCreationAttributes<CatalogueModel>> {
  declare id: CreationOptional<string>;
  declare tenantId: string;
  declare provider: ProviderName;
  declare providerModelId: string;
  declare displayName: string;
  declare messageFee: CreationOptional<number>;
  declare inputPer1k: number;
  declare outputPer1k: number;
  declare inputCostPer1mMicros: CreationOptional<number>;
  declare outputCostPer1mMicros: CreationOptional<number>;
  declare costCurrency: CreationOptional<string>;
  declare maxOutputTokens: CreationOptional<number>;
  declare enabled: CreationOptional<boolean>;
  declare archivedAt: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

/**
 * BIGINT arrives from pg as a string; these amounts are bounded safe integers, read as numbers.
 * Column names are explicit: `underscored` would turn `inputPer1k` into `input_per1k`.
 */
function bigintAttribute(name: string, field: string, defaultValue?: number) {
  return {
    type: DataTypes.BIGINT,
    allowNull: false,
    field,
    ...(defaultValue === undefined ? {} : { defaultValue }),
    get(this: Model): number {
      return Number(this.getDataValue(name as never));
    },
  };
}

export function initCatalogueModel(sequelize: Sequelize): typeof CatalogueModel {
  // A subclass per Sequelize instance: tests build several apps in one process.
  class C extends CatalogueModel {}
  C.init(
    {
      id: { type: DataTypes.UUID, primaryKey: true, defaultValue: DataTypes.UUIDV4 },
      tenantId: { type: DataTypes.UUID, allowNull: false },
      provider: { type: DataTypes.TEXT, allowNull: false },
      providerModelId: { type: DataTypes.TEXT, allowNull: false },
      displayName: { type: DataTypes.TEXT, allowNull: false },
      messageFee: bigintAttribute('messageFee', 'message_fee', 0),
      inputPer1k: bigintAttribute('inputPer1k', 'input_per_1k'),
      outputPer1k: bigintAttribute('outputPer1k', 'output_per_1k'),
      inputCostPer1mMicros: bigintAttribute('inputCostPer1mMicros', 'input_cost_per_1m_micros', 0),
      outputCostPer1mMicros: bigintAttribute('outputCostPer1mMicros', 'output_cost_per_1m_micros', 0),
      costCurrency: { type: DataTypes.TEXT, allowNull: false, defaultValue: 'USD' },
      maxOutputTokens: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 4096 },
      enabled: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
      archivedAt: { type: DataTypes.DATE, allowNull: true },
      createdAt: DataTypes.DATE,
      updatedAt: DataTypes.DATE,
    },
    { sequelize, modelName: 'CatalogueModel', tableName: 'catalogue_models' },
  );
  return C;
}
