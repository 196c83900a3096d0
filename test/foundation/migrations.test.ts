import { QueryTypes } from 'sequelize';
import { createSequelize } from '../../server/src/db/sequelize';
import { createMigrator, migrateUp } from '../../server/src/db/migrator';
import { scratchDatabase } from '../support/db';

const tables = async (sequelize: ReturnType<typeof createSequelize>) =>
  (
    await sequelize.query<{ name: string }>(
      "SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'schema_migrations' ORDER BY 1",
      { type: QueryTypes.SELECT },
    )
  ).map((r) => r.name);

it('migrates up, all the way down, and up again', async () => {
  const db = await scratchDatabase({ migrated: false });
  const sequelize = createSequelize({ url: db.url, poolMax: 2 });
  try {
    const migrator = createMigrator(sequelize);
    const all = (await migrator.pending()).map((m) => m.name);
    expect(all.length).toBeGreaterThan(0);
    expect(await migrateUp(sequelize)).toEqual(all);
    const full = await tables(sequelize);
    expect(full).toEqual(expect.arrayContaining(['tenants', 'users', 'memberships', 'api_keys', 'sessions']));
    await migrator.down({ to: 0 });
    expect(await tables(sequelize)).toEqual([]);
    expect((await migrator.pending()).map((m) => m.name)).toEqual(all);
    await migrator.up();
    expect(await tables(sequelize)).toEqual(full);
    expect(await migrator.pending()).toEqual([]);
  } finally {
    await sequelize.close();
    await db.drop();
  }
});

it('runs concurrently started migrations once (advisory lock)', async () => {
  const db = await scratchDatabase({ migrated: false });
  const a = createSequelize({ url: db.url, poolMax: 2 });
  const b = createSequelize({ url: db.url, poolMax: 2 });
  try {
    const [ranA, ranB] = await Promise.all([migrateUp(a), migrateUp(b)]);
    const total = (await createMigrator(a).executed()).length;
    expect(ranA.length + ranB.length).toBe(total);
  } finally {
    await a.close();
    await b.close();
    await db.drop();
  }
});
