import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

/** A credit pack on sale. Credits are millicredits; the price is integer minor units of `currency`. */
export class CreditPack extends Model<InferAttributes<CreditPack>, InferCreationAttributes<CreditPack>> {
  declare id: CreationOptional<string>;
  declare tenantId: string;
  declare name: string;
  /** BIGINT: pg hands it over as a string; read it through `packView`. */
  declare credits: number | string;
  declare amountMinor: number | string;
  declare currency: string;
  declare badge: CreationOptional<string | null>;
  declare sortOrder: CreationOptional<number>;
  declare active: CreationOptional<boolean>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export function initCreditPackModel(sequelize: Sequelize): typeof CreditPack {
  // A subclass per Sequelize instance: tests build several apps, each with its own models.
  class P extends CreditPack {}
  P.init(
    {
      id: { type: DataTypes.UUID, primaryKey: true, defaultValue: DataTypes.UUIDV4 },
      tenantId: { type: DataTypes.UUID, allowNull: false },
      name: { type: DataTypes.TEXT, allowNull: false },
      credits: { type: DataTypes.BIGINT, allowNull: false },
      amountMinor: { type: DataTypes.BIGINT, allowNull: false },
      currency: { type: DataTypes.TEXT, allowNull: false },
      badge: { type: DataTypes.TEXT, allowNull: true },
      sortOrder: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
      createdAt: DataTypes.DATE,
      updatedAt: DataTypes.DATE,
    },
    { sequelize, modelName: 'CreditPack', tableName: 'credit_packs' },
  );
  return P;
}
