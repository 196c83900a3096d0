import { Sequelize } from 'sequelize';
import type { Logger } from 'pino';

export interface DatabaseOptions {
  url: string;
  poolMax?: number;
  logger?: Logger;
}

/** One Sequelize instance per process (or per test file), passed around in `deps`; never global. */
export function createSequelize({ url, poolMax = 20, logger }: DatabaseOptions): Sequelize {
  return new Sequelize(url, {
    dialect: 'postgres',
    logging: logger ? (sql: string) => logger.trace({ sql }, 'sql') : false,
    pool: { max: poolMax, min: 0, idle: 10_000, acquire: 30_000 },
    // BIGINT credit amounts come back as strings from pg; models convert them explicitly.
    dialectOptions: { application_name: 'parley' },
    define: { underscored: true, timestamps: true },
  });
}

/** `SELECT 1`, bounded in time, for readiness checks. */
export async function pingDatabase(sequelize: Sequelize, timeoutMs = 2000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      sequelize.query('SELECT 1'),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
      }),
    ]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
