import type { MigrationFn } from 'umzug';
import type { QueryInterface } from 'sequelize';
import { runSql } from './_sql';

/**
 * A workspace's own chat limits, below the operator's (CHAT_* in the environment, which stay the
 * ceiling and are applied at run time, so lowering them later still binds every workspace). NULL
 * means "the operator's value". The bounds are the widest the environment itself accepts.
 */
export const up: MigrationFn<QueryInterface> = async ({ context }) => {
  await runSql(context, `
    ALTER TABLE tenants
      ADD COLUMN chat_visitor_messages_per_min integer
        CONSTRAINT tenants_chat_visitor_messages_per_min_range CHECK (chat_visitor_messages_per_min BETWEEN 1 AND 100000),
      ADD COLUMN chat_tenant_messages_per_min integer
        CONSTRAINT tenants_chat_tenant_messages_per_min_range CHECK (chat_tenant_messages_per_min BETWEEN 1 AND 1000000)`);
};

export const down: MigrationFn<QueryInterface> = async ({ context }) => {
  await runSql(context, `
    ALTER TABLE tenants
      DROP COLUMN chat_visitor_messages_per_min,
      DROP COLUMN chat_tenant_messages_per_min`);
};
