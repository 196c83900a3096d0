/**
 * `npm run migrate` applies pending migrations; `npm run migrate:down` reverts the last one
 * (`-- --to 0` reverts all, `-- --to NAME` down to and including NAME). Uses DATABASE_URL, or the
 * embedded database in DATA_DIR exactly as `npm start` would.
 */
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { openDatabase } from '../src/boot';
import { createSequelize } from '../src/db/sequelize';
import { createMigrator, migrateUp } from '../src/db/migrator';

async function run(): Promise<void> {
  const [direction, flag, target] = process.argv.slice(2);
  if (direction !== 'up' && direction !== 'down') throw new Error('usage: migrate.ts up|down [--to 0|NAME]');
  const config = loadConfig(process.env);
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const database = await openDatabase(config, logger);
  const sequelize = createSequelize({ url: database.url, poolMax: 2 });
  try {
    if (direction === 'up') {
      const applied = await migrateUp(sequelize, logger);
      process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'nothing to apply\n');
    } else {
      const to = flag === '--to' ? (target === '0' ? 0 : target) : undefined;
      const reverted = await createMigrator(sequelize, logger).down(to === undefined ? { step: 1 } : { to: to as 0 | string });
      process.stdout.write(reverted.length ? `reverted: ${reverted.map((m) => m.name).join(', ')}\n` : 'nothing to revert\n');
    }
  } finally {
    await sequelize.close();
    await database.embedded?.stop();
  }
}

run().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
