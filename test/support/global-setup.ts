import path from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../server/src/db/embedded';
import { createSequelize } from '../../server/src/db/sequelize';
import { migrateUp } from '../../server/src/db/migrator';

declare global {
  // eslint-disable-next-line no-var
  var __parleyEmbedded: EmbeddedDatabase | undefined;
}

/**
 * One PostgreSQL for the whole run: embedded by default, or TEST_DATABASE_URL's server. A template
 * database is migrated once with the real migrations; each Jest worker clones it (fast) on first use.
 */
export default async function globalSetup(): Promise<void> {
  const runId = `${process.pid}`;
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (adminUrl) {
    const u = new URL(adminUrl);
    u.pathname = '/postgres';
    adminUrl = u.toString();
  } else {
    const embedded = await startEmbeddedPostgres({
      dir: path.resolve(__dirname, `../../.data/test-pg-${runId}`),
      database: 'postgres',
      persistent: false,
      // Test data is throwaway; benchmarks keep PostgreSQL's durability defaults.
      settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: 300 },
    });
    globalThis.__parleyEmbedded = embedded;
    adminUrl = embedded.adminUrl;
  }
  const template = `parley_template_${runId}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${template}`);
  await admin.end();

  const templateUrl = new URL(adminUrl);
  templateUrl.pathname = `/${template}`;
  const sequelize = createSequelize({ url: templateUrl.toString(), poolMax: 2 });
  await migrateUp(sequelize);
  await sequelize.close();

  process.env.PARLEY_TEST_ADMIN_URL = adminUrl;
  process.env.PARLEY_TEST_TEMPLATE = template;
  process.env.PARLEY_TEST_RUN = runId;
}
