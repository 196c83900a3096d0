import type { MigrationFn } from 'umzug';
import type { QueryInterface } from 'sequelize';
import { runSql } from './_sql';

/**
 * The dashboard's tables: workspace invites (a link that adds a member with a role), and the
 * indexes the analytics queries read through.
 *
 * Analytics indexes are partial and covering: each serves one family of queries with an
 * index-only scan over the tenant's range (`tenant_id, created_at`), carrying the few columns the
 * aggregate needs, so a month of a million-message tenant is read without touching the heap.
 * Built in the migration's transaction (not CONCURRENTLY): on a large live database, run the
 * statements by hand with CONCURRENTLY before deploying, and this migration will find them.
 */
export const up: MigrationFn<QueryInterface> = async ({ context }) => {
  await runSql(context, `
    CREATE TABLE workspace_invites (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      role membership_role NOT NULL,
      -- When set, only the account with this email may accept.
      email text CHECK (email = lower(email) AND char_length(email) BETWEEN 3 AND 254),
      -- SHA-256 of the token in the link: the link itself is shown once, to the inviter.
      token_hash text NOT NULL,
      created_by uuid REFERENCES users(id) ON DELETE SET NULL,
      expires_at timestamptz NOT NULL,
      accepted_at timestamptz,
      accepted_by uuid REFERENCES users(id) ON DELETE SET NULL,
      revoked_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT workspace_invites_token_unique UNIQUE (token_hash),
      CONSTRAINT workspace_invites_accepted_by CHECK (accepted_by IS NULL OR accepted_at IS NOT NULL)
    );
    CREATE INDEX workspace_invites_tenant_idx ON workspace_invites (tenant_id, created_at DESC);

    -- Messages, active visitors (count distinct), per-bucket series.
    CREATE INDEX IF NOT EXISTS analytics_user_messages_idx ON chat_messages (tenant_id, created_at)
      INCLUDE (visitor_id) WHERE role = 'user';
    -- Credits spent, tokens, provider cost, breakdowns by model and persona.
    CREATE INDEX IF NOT EXISTS analytics_replies_idx ON chat_messages (tenant_id, created_at)
      INCLUDE (model_id, persona_id, visitor_id, charged, input_tokens, output_tokens) WHERE role = 'assistant';
    -- Insufficient-credits prompts (replies refused for want of credits).
    CREATE INDEX IF NOT EXISTS analytics_insufficient_idx ON chat_messages (tenant_id, created_at)
      INCLUDE (visitor_id) WHERE error_code = 'insufficient_credits';
    -- Not analytics: deleting a workspace (erasure, or seed:big --fresh) cascades through grants,
    -- and each deleted grant looks for grants transferred from it. Without this index that is a
    -- scan of all grants per grant.
    CREATE INDEX IF NOT EXISTS grants_transferred_from_idx ON grants (transferred_from) WHERE transferred_from IS NOT NULL;
    -- Conversations by persona.
    CREATE INDEX IF NOT EXISTS analytics_conversations_idx ON chat_conversations (tenant_id, created_at) INCLUDE (persona_id);
    -- Revenue, credits sold, paying visitors; and each visitor's paid purchases (funnel, conversion).
    CREATE INDEX IF NOT EXISTS analytics_paid_purchases_idx ON purchases (tenant_id, paid_at)
      INCLUDE (visitor_id, credits, amount_minor, amount_refunded_minor, currency) WHERE paid_at IS NOT NULL;
    CREATE INDEX IF NOT EXISTS analytics_visitor_paid_idx ON purchases (tenant_id, visitor_id, paid_at) WHERE paid_at IS NOT NULL;

    -- Rollups: 15-minute UTC buckets (every time zone's offset is a multiple of 15 minutes, so a
    -- bucket lies within one local hour, day and week). Rebuilt from the raw rows by a job for a
    -- trailing window; queries read rollups before analytics_rollup_state.stable_to and raw rows
    -- after it, so a figure is never stale nor counted twice, whether the job has run or not.
    CREATE TABLE analytics_usage_rollups (
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      bucket timestamptz NOT NULL,
      -- The nil uuid stands for "none" (a key column cannot be null).
      persona_id uuid NOT NULL,
      model_id uuid NOT NULL,
      conversations integer NOT NULL DEFAULT 0,
      replies integer NOT NULL DEFAULT 0,
      insufficient integer NOT NULL DEFAULT 0,
      credits_spent bigint NOT NULL DEFAULT 0,
      input_tokens bigint NOT NULL DEFAULT 0,
      output_tokens bigint NOT NULL DEFAULT 0,
      PRIMARY KEY (tenant_id, bucket, persona_id, model_id)
    );
    CREATE INDEX analytics_usage_rollups_bucket_idx ON analytics_usage_rollups (bucket);
    -- Who sent a message in each bucket: distinct visitors over any range, from far fewer rows.
    CREATE TABLE analytics_visitor_rollups (
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      bucket timestamptz NOT NULL,
      visitor_id uuid NOT NULL,
      PRIMARY KEY (tenant_id, bucket, visitor_id)
    );
    CREATE INDEX analytics_visitor_rollups_bucket_idx ON analytics_visitor_rollups (bucket);
    CREATE TABLE analytics_rollup_state (
      id smallint PRIMARY KEY CHECK (id = 1),
      -- Buckets before this are final in the rollups; rows from here on are read raw.
      stable_to timestamptz NOT NULL,
      refreshed_at timestamptz NOT NULL
    );
    INSERT INTO analytics_rollup_state VALUES (1, '-infinity', '-infinity');
    -- The refresh job reads a time window across all tenants: BRIN indexes cost almost nothing
    -- to keep on append-mostly tables and find a recent window without scanning the table.
    CREATE INDEX analytics_messages_created_brin ON chat_messages USING brin (created_at);
    CREATE INDEX analytics_conversations_created_brin ON chat_conversations USING brin (created_at);

    -- The dashboard's live feed: new conversations and purchase status changes are announced on
    -- one channel at commit; every server process LISTENs and tells the sockets of that tenant.
    -- A bulk load may set parley.quiet_notify = 'on' for its transaction to skip them.
    CREATE FUNCTION parley_dashboard_notify() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      IF current_setting('parley.quiet_notify', true) = 'on' THEN RETURN NULL; END IF;
      IF TG_TABLE_NAME = 'chat_conversations' THEN
        PERFORM pg_notify('parley_dashboard', json_build_object(
          'type', 'conversation', 'tenantId', NEW.tenant_id, 'id', NEW.id, 'visitorId', NEW.visitor_id,
          'personaId', NEW.persona_id, 'title', left(NEW.title, 100), 'createdAt', NEW.created_at)::text);
      ELSE
        PERFORM pg_notify('parley_dashboard', json_build_object(
          'type', 'purchase', 'tenantId', NEW.tenant_id, 'id', NEW.id, 'visitorId', NEW.visitor_id, 'status', NEW.status,
          'packName', left(NEW.pack_name, 100), 'credits', NEW.credits, 'amountMinor', NEW.amount_minor, 'currency', NEW.currency,
          'paidAt', NEW.paid_at)::text);
      END IF;
      RETURN NULL;
    END
    $fn$;
    CREATE TRIGGER chat_conversations_dashboard_notify AFTER INSERT ON chat_conversations
      FOR EACH ROW EXECUTE FUNCTION parley_dashboard_notify();
    CREATE TRIGGER purchases_dashboard_notify_insert AFTER INSERT ON purchases
      FOR EACH ROW EXECUTE FUNCTION parley_dashboard_notify();
    CREATE TRIGGER purchases_dashboard_notify_update AFTER UPDATE OF status ON purchases
      FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION parley_dashboard_notify();
  `);
};

export const down: MigrationFn<QueryInterface> = async ({ context }) => {
  await runSql(context, `
    DROP TRIGGER purchases_dashboard_notify_update ON purchases;
    DROP TRIGGER purchases_dashboard_notify_insert ON purchases;
    DROP TRIGGER chat_conversations_dashboard_notify ON chat_conversations;
    DROP FUNCTION parley_dashboard_notify();
    DROP INDEX analytics_conversations_created_brin;
    DROP INDEX analytics_messages_created_brin;
    DROP TABLE analytics_rollup_state;
    DROP TABLE analytics_visitor_rollups;
    DROP TABLE analytics_usage_rollups;
    DROP INDEX analytics_visitor_paid_idx;
    DROP INDEX analytics_paid_purchases_idx;
    DROP INDEX analytics_conversations_idx;
    DROP INDEX analytics_insufficient_idx;
    DROP INDEX analytics_replies_idx;
    DROP INDEX analytics_user_messages_idx;
    DROP INDEX grants_transferred_from_idx;
    DROP TABLE workspace_invites;
  `);
};
