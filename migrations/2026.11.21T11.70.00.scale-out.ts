import type { MigrationFn } from 'umzug';
import type { QueryInterface } from 'sequelize';
import { runSql } from './_sql';

/**
 * Several server processes over one database (issue 8):
 * - `socket_io_attachments`: the Socket.IO PostgreSQL adapter's table for messages too large for a
 *   NOTIFY payload (8000 bytes). Its shape is the adapter's own; the app never creates schema at run time.
 * - `parley_tenant_cache`: a notification naming the workspace whenever something each process
 *   caches about it changes (settings and allowed origins, personas, models and prices, API keys,
 *   provider keys, packs). Triggers, not application code, so no write path can forget one; each
 *   process drops what it holds for that workspace when it hears it (server/src/tenant-cache).
 */
const cached = ['personas', 'catalogue_models', 'api_keys', 'tenant_provider_keys', 'credit_packs'];

export const up: MigrationFn<QueryInterface> = async ({ context }) => {
  await runSql(context, `
    CREATE TABLE socket_io_attachments (
      id bigserial UNIQUE,
      created_at timestamptz DEFAULT now(),
      payload bytea
    );

    CREATE FUNCTION parley_notify_tenant_cache() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      -- One notification per workspace per transaction: PostgreSQL folds identical payloads.
      IF TG_TABLE_NAME = 'tenants' THEN
        PERFORM pg_notify('parley_tenant_cache', COALESCE(NEW.id, OLD.id)::text);
      ELSE
        PERFORM pg_notify('parley_tenant_cache', COALESCE(NEW.tenant_id, OLD.tenant_id)::text);
        IF TG_OP = 'UPDATE' AND NEW.tenant_id IS DISTINCT FROM OLD.tenant_id THEN
          PERFORM pg_notify('parley_tenant_cache', OLD.tenant_id::text);
        END IF;
      END IF;
      RETURN NULL;
    END
    $fn$;

    -- A tenant's counters and timestamps change without changing what is cached: only the cached columns count.
    CREATE TRIGGER tenants_cache_notify AFTER UPDATE OF name, allowed_origins, settings, chat_visitor_messages_per_min, chat_tenant_messages_per_min OR DELETE ON tenants
      FOR EACH ROW EXECUTE FUNCTION parley_notify_tenant_cache();
    -- last_used_at is touched by use; revocation, expiry and new keys are what matter.
    CREATE TRIGGER api_keys_cache_notify AFTER INSERT OR DELETE OR UPDATE OF revoked_at, expires_at, token_hash, kind, tenant_id ON api_keys
      FOR EACH ROW EXECUTE FUNCTION parley_notify_tenant_cache();
    ${cached.filter((t) => t !== 'api_keys').map((t) => `
    CREATE TRIGGER ${t}_cache_notify AFTER INSERT OR UPDATE OR DELETE ON ${t}
      FOR EACH ROW EXECUTE FUNCTION parley_notify_tenant_cache();`).join('')}
  `);
};

export const down: MigrationFn<QueryInterface> = async ({ context }) => {
  await runSql(context, `
    ${cached.map((t) => `DROP TRIGGER ${t}_cache_notify ON ${t};`).join('\n    ')}
    DROP TRIGGER tenants_cache_notify ON tenants;
    DROP FUNCTION parley_notify_tenant_cache();
    DROP TABLE socket_io_attachments;
  `);
};
