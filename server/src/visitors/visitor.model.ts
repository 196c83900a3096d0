import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

/**
 * A person on a tenant's site. Created through `createVisitor` or directly: either way a trigger
 * opens the visitor's credit account in the same transaction. Balances live in the ledger.
 */
export class Visitor extends Model<InferAttributes<Visitor>, InferCreationAttributes<Visitor>> {
  declare id: CreationOptional<string>;
  declare tenantId: string;
  declare anonymousId: CreationOptional<string>;
  declare externalUserId: CreationOptional<string | null>;
  declare email: CreationOptional<string | null>;
  declare name: CreationOptional<string | null>;
  declare createdAt: CreationOptional<Date>;
  declare lastSeenAt: CreationOptional<Date>;
  declare blockedAt: CreationOptional<Date | null>;
  declare blockedReason: CreationOptional<string | null>;
}

export function initVisitorModel(sequelize: Sequelize): typeof Visitor {
  // A subclass per Sequelize instance: tests build several apps in one process.
  class V extends Visitor {}
  V.init(
    {
      id: { type: DataTypes.UUID, primaryKey: true, defaultValue: DataTypes.UUIDV4 },
      tenantId: { type: DataTypes.UUID, allowNull: false },
      anonymousId: { type: DataTypes.UUID, allowNull: false, defaultValue: DataTypes.UUIDV4 },
      externalUserId: { type: DataTypes.TEXT, allowNull: true },
      email: { type: DataTypes.TEXT, allowNull: true },
      name: { type: DataTypes.TEXT, allowNull: true },
      createdAt: DataTypes.DATE,
      lastSeenAt: { type: DataTypes.DATE, allowNull: false, defaultValue: DataTypes.NOW },
      blockedAt: { type: DataTypes.DATE, allowNull: true },
      blockedReason: { type: DataTypes.TEXT, allowNull: true },
    },
    { sequelize, modelName: 'Visitor', tableName: 'visitors', updatedAt: false },
  );
  return V;
}
