import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

export class Persona extends Model<InferAttributes<Persona>, InferCreationAttributes<Persona>> {
  declare id: CreationOptional<string>;
  declare tenantId: string;
  declare name: string;
  declare avatarUrl: string | null;
  declare greeting: string;
  declare systemPrompt: string;
  /** A model of the tenant's catalogue. */
  declare modelId: string;
  declare temperature: number | null;
  declare maxOutputTokens: number;
  declare enabled: CreationOptional<boolean>;
  declare position: CreationOptional<number>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export function initPersonaModel(sequelize: Sequelize): typeof Persona {
  // A subclass per Sequelize instance: tests build several apps in one process.
  class P extends Persona {}
  P.init(
    {
      id: { type: DataTypes.UUID, primaryKey: true, defaultValue: DataTypes.UUIDV4 },
      tenantId: { type: DataTypes.UUID, allowNull: false },
      name: { type: DataTypes.TEXT, allowNull: false },
      avatarUrl: { type: DataTypes.TEXT, allowNull: true },
      greeting: { type: DataTypes.TEXT, allowNull: false, defaultValue: '' },
      systemPrompt: { type: DataTypes.TEXT, allowNull: false, defaultValue: '' },
      modelId: { type: DataTypes.UUID, allowNull: false },
      temperature: { type: DataTypes.REAL, allowNull: true },
      maxOutputTokens: { type: DataTypes.INTEGER, allowNull: false },
      enabled: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
      position: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      createdAt: DataTypes.DATE,
      updatedAt: DataTypes.DATE,
    },
    { sequelize, modelName: 'Persona', tableName: 'personas' },
  );
  return P;
}
