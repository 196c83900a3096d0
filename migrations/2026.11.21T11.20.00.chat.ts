import type { MigrationFn } from 'umzug';
import type { QueryInterface } from 'sequelize';
import { runSql } from './_sql';

/**
 * Chat: personas, conversations and messages, and tenants' own AI provider keys.
 * Composite foreign keys on (tenant_id, id) make a cross-tenant reference impossible, not just
 * unlikely: a persona cannot use another tenant's model, a conversation cannot name another
 * tenant's visitor.
 */
export const up: MigrationFn<QueryInterface> = async ({ context }) => {
  await runSql(context, `
    CREATE TABLE personas (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 60),
      avatar_url text CHECK (char_length(avatar_url) <= 2000),
      greeting text NOT NULL DEFAULT '' CHECK (char_length(greeting) <= 500),
      system_prompt text NOT NULL DEFAULT '' CHECK (char_length(system_prompt) <= 20000),
      model_id uuid NOT NULL,
      temperature real CHECK (temperature BETWEEN 0 AND 2),
      max_output_tokens integer NOT NULL CHECK (max_output_tokens BETWEEN 16 AND 32000),
      enabled boolean NOT NULL DEFAULT true,
      position integer NOT NULL DEFAULT 0 CHECK (position >= 0),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT personas_tenant_id_unique UNIQUE (tenant_id, id),
      CONSTRAINT personas_model_fk FOREIGN KEY (tenant_id, model_id) REFERENCES catalogue_models (tenant_id, id)
    );
    CREATE INDEX personas_tenant_order_idx ON personas (tenant_id, position, created_at);

    CREATE TABLE tenant_provider_keys (
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      provider text NOT NULL CHECK (provider IN ('openai', 'anthropic')),
      -- AES-256-GCM under the master key (see server/src/crypto/secret-box.ts); never the key itself.
      sealed_key text NOT NULL,
      -- The last characters, so the dashboard can show which key is set without opening it.
      key_hint text NOT NULL,
      base_url text CHECK (char_length(base_url) <= 500),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, provider)
    );

    CREATE TABLE chat_conversations (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL,
      visitor_id uuid NOT NULL,
      persona_id uuid REFERENCES personas(id) ON DELETE SET NULL,
      title text NOT NULL DEFAULT '' CHECK (char_length(title) <= 100),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT chat_conversations_visitor_fk FOREIGN KEY (tenant_id, visitor_id) REFERENCES visitors (tenant_id, id) ON DELETE CASCADE
    );
    CREATE INDEX chat_conversations_visitor_idx ON chat_conversations (visitor_id, updated_at DESC, id DESC);
    CREATE INDEX chat_conversations_tenant_idx ON chat_conversations (tenant_id, created_at);

    CREATE TABLE chat_messages (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL,
      conversation_id uuid NOT NULL REFERENCES chat_conversations(id) ON DELETE CASCADE,
      visitor_id uuid NOT NULL,
      role text NOT NULL CHECK (role IN ('user', 'assistant')),
      -- The widget's id for a visitor's message: sending it twice never makes a second reply.
      client_message_id text CHECK (char_length(client_message_id) BETWEEN 1 AND 64),
      -- The visitor's message an assistant message answers (one reply per message).
      reply_to uuid REFERENCES chat_messages(id) ON DELETE CASCADE,
      text text NOT NULL DEFAULT '',
      status text NOT NULL CHECK (status IN ('streaming', 'done', 'stopped', 'failed', 'interrupted')),
      -- Sequence number of the last chunk included in text.
      seq integer NOT NULL DEFAULT 0 CHECK (seq >= 0),
      -- What the reply was priced with, as it was then (prices change; history must not).
      persona_id uuid REFERENCES personas(id) ON DELETE SET NULL,
      model_id uuid REFERENCES catalogue_models(id) ON DELETE SET NULL,
      provider text,
      provider_model text,
      price jsonb,
      hold_id uuid REFERENCES holds(id) ON DELETE SET NULL,
      input_tokens integer CHECK (input_tokens >= 0),
      output_tokens integer CHECK (output_tokens >= 0),
      usage_reported boolean,
      -- Millicredits actually charged; null until the turn has ended.
      charged bigint CHECK (charged >= 0),
      error_code text CHECK (char_length(error_code) <= 50),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz,
      CONSTRAINT chat_messages_visitor_fk FOREIGN KEY (tenant_id, visitor_id) REFERENCES visitors (tenant_id, id) ON DELETE CASCADE,
      CONSTRAINT chat_messages_client_id_unique UNIQUE (visitor_id, client_message_id),
      CONSTRAINT chat_messages_reply_unique UNIQUE (reply_to),
      CONSTRAINT chat_messages_shape CHECK (
        (role = 'user' AND client_message_id IS NOT NULL AND reply_to IS NULL)
        OR (role = 'assistant' AND client_message_id IS NULL AND reply_to IS NOT NULL)
      )
    );
    CREATE INDEX chat_messages_conversation_idx ON chat_messages (conversation_id, created_at);
    -- Small: only replies in flight. Serves the per-visitor turn limit and the recovery job.
    CREATE INDEX chat_messages_streaming_idx ON chat_messages (visitor_id) WHERE status = 'streaming';
    CREATE INDEX chat_messages_tenant_idx ON chat_messages (tenant_id, created_at);
  `);
};

export const down: MigrationFn<QueryInterface> = async ({ context }) => {
  await runSql(context, `
    DROP TABLE chat_messages;
    DROP TABLE chat_conversations;
    DROP TABLE tenant_provider_keys;
    DROP TABLE personas;
  `);
};
