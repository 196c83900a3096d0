import type { MigrationFn } from 'umzug';
import type { QueryInterface } from 'sequelize';
import { runSql } from './_sql';

export const up: MigrationFn<QueryInterface> = async ({ context }) => {
  await runSql(context, `
    CREATE TABLE tenants (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
      allowed_origins text[] NOT NULL DEFAULT '{}',
      settings jsonb NOT NULL DEFAULT '{}'::jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE users (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      email text NOT NULL CHECK (email = lower(email) AND char_length(email) BETWEEN 3 AND 254),
      name text NOT NULL DEFAULT '',
      password_hash text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT users_email_unique UNIQUE (email)
    );

    CREATE TYPE membership_role AS ENUM ('owner', 'admin', 'analyst');

    CREATE TABLE memberships (
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      role membership_role NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, user_id)
    );
    CREATE INDEX memberships_user_idx ON memberships (user_id);

    CREATE TABLE api_keys (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('publishable', 'secret')),
      name text NOT NULL DEFAULT '' CHECK (char_length(name) <= 100),
      -- What the dashboard shows: the whole key for publishable keys, "sk_AbCd…" for secret ones.
      prefix text NOT NULL,
      -- SHA-256 of the whole key: the only form in which a secret key is kept.
      token_hash text NOT NULL,
      -- Publishable keys are public by design; keeping them lets the dashboard show the snippet.
      public_token text,
      created_by uuid REFERENCES users(id) ON DELETE SET NULL,
      last_used_at timestamptz,
      expires_at timestamptz,
      revoked_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT api_keys_token_hash_unique UNIQUE (token_hash),
      CONSTRAINT api_keys_public_token_only_publishable CHECK ((kind = 'publishable') = (public_token IS NOT NULL))
    );
    CREATE INDEX api_keys_tenant_idx ON api_keys (tenant_id, created_at);

    -- connect-pg-simple's table, created here because the app never creates schema at run time.
    CREATE TABLE sessions (
      sid varchar NOT NULL PRIMARY KEY,
      sess json NOT NULL,
      expire timestamptz(6) NOT NULL
    );
    CREATE INDEX sessions_expire_idx ON sessions (expire);

    -- rate-limiter-flexible's table: shared by every server process.
    CREATE TABLE rate_limits (
      key varchar(255) PRIMARY KEY,
      points integer NOT NULL DEFAULT 0,
      expire bigint
    );
  `);
};

export const down: MigrationFn<QueryInterface> = async ({ context }) => {
  await runSql(context, `
    DROP TABLE rate_limits;
    DROP TABLE sessions;
    DROP TABLE api_keys;
    DROP TABLE memberships;
    DROP TYPE membership_role;
    DROP TABLE users;
    DROP TABLE tenants;
  `);
};
