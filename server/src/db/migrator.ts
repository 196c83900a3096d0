import path from 'node:path';
import { Umzug, SequelizeStorage } from 'umzug';
import type { QueryInterface, Sequelize } from 'sequelize';
import type { Logger } from 'pino';

export const migrationsDir = path.resolve(__dirname, '../../../migrations');

/** Migrations are TypeScript files named `YYYY.MM.DDTHH.MM.SS.name.ts`, applied in name order. */
export function createMigrator(sequelize: Sequelize, logger?: Logger): Umzug<QueryInterface> {
  return new Umzug<QueryInterface>({
    migrations: { glob: ['*.ts', { cwd: migrationsDir, ignore: ['*.d.ts', '_*.ts'] }] },
    context: sequelize.getQueryInterface(),
    storage: new SequelizeStorage({ sequelize, tableName: 'schema_migrations' }),
    logger: logger
      ? {
          info: (m) => logger.info(m, 'migration'),
          warn: (m) => logger.warn(m, 'migration'),
          error: (m) => logger.error(m, 'migration'),
          debug: (m) => logger.debug(m, 'migration'),
        }
      : undefined,
  });
}

/**
 * Runs pending migrations under a PostgreSQL advisory lock, so several server processes starting
 * together do not race each other through the same migration.
 */
export async function migrateUp(sequelize: Sequelize, logger?: Logger): Promise<string[]> {
  const lockKey = 734_211_905; // arbitrary, fixed: "parley migrations"
  const [conn] = [await sequelize.connectionManager.getConnection({ type: 'write' })];
  const client = conn as unknown as { query: (sql: string, params?: unknown[]) => Promise<unknown> };
  try {
    await client.query('SELECT pg_advisory_lock($1)', [lockKey]);
    const done = await createMigrator(sequelize, logger).up();
    return done.map((m) => m.name);
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [lockKey]).catch(() => undefined);
    sequelize.connectionManager.releaseConnection(conn);
  }
}

/** True when every migration file has been applied (used by `/readyz`). */
export async function migrationsCurrent(sequelize: Sequelize): Promise<boolean> {
  const pending = await createMigrator(sequelize).pending();
  return pending.length === 0;
}
