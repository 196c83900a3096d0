import { Client } from 'pg';

export default async function globalTeardown(): Promise<void> {
  const adminUrl = process.env.PARLEY_TEST_ADMIN_URL;
  const run = process.env.PARLEY_TEST_RUN;
  if (adminUrl && run && process.env.TEST_DATABASE_URL) {
    // On a shared server, leave nothing behind; an embedded one is deleted whole below.
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    const { rows } = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname LIKE $2`,
      [`parley_test_${run}_%`, `parley_template_${run}`],
    );
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    await admin.end();
  }
  await globalThis.__parleyEmbedded?.stop();
}
