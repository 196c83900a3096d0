import type { QueryInterface } from 'sequelize';

/** Migrations are plain SQL run in one transaction: constraints are easier to read than builders. */
export async function runSql(context: QueryInterface, sql: string): Promise<void> {
  await context.sequelize.transaction(async (transaction) => {
    await context.sequelize.query(sql, { transaction });
  });
}
