/**
 * Ledger tables. Amounts are millicredits (1 credit = 1,000) in BIGINT; provider costs are
 * micro-units of their currency (1 USD = 1,000,000) per million tokens, because cents are too
 * coarse for prices like $0.075 per 1M tokens.
 *
 * Only visitor accounts store `balance` and `reserved`: a stored balance on a system account
 * (usage, sales...) would be one row every turn of a tenant updates, serialising them all. A
 * system account's balance is the sum of its entries, computed when asked.
 *
 * On the tables the hot path writes (accounts, grants, holds, transactions, entries) each table has
 * one CHECK and closed sets are ENUM types: PostgreSQL rebuilds CHECK and trigger-condition
 * expressions from their stored text on every statement, which profiling showed as a fifth of the
 * CPU of a turn. Lengths of free text are validated by the services instead.
 */
export const createTables = `
  CREATE TYPE ledger_account_kind AS ENUM ('visitor', 'sales', 'promotions', 'usage', 'expired', 'adjustments', 'uncollected');
  CREATE TYPE ledger_grant_source AS ENUM ('purchase', 'welcome', 'promotion', 'adjustment');
  CREATE TYPE ledger_hold_status AS ENUM ('pending', 'posted', 'voided');
  CREATE TYPE ledger_transaction_kind AS ENUM ('grant', 'usage', 'expiry', 'adjustment', 'transfer', 'clawback');
  CREATE TYPE ledger_actor_type AS ENUM ('user', 'api_key', 'system', 'visitor');

  CREATE TABLE visitors (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    anonymous_id uuid NOT NULL DEFAULT gen_random_uuid(),
    external_user_id text CHECK (char_length(external_user_id) BETWEEN 1 AND 255),
    email text CHECK (char_length(email) <= 254),
    name text CHECK (char_length(name) <= 200),
    created_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    blocked_at timestamptz,
    blocked_reason text CHECK (char_length(blocked_reason) <= 500),
    CONSTRAINT visitors_tenant_id_unique UNIQUE (tenant_id, id),
    CONSTRAINT visitors_anonymous_id_unique UNIQUE (tenant_id, anonymous_id),
    CONSTRAINT visitors_external_user_unique UNIQUE (tenant_id, external_user_id),
    CONSTRAINT visitors_blocked_reason_needs_block CHECK (blocked_reason IS NULL OR blocked_at IS NOT NULL)
  );
  CREATE INDEX visitors_tenant_created_idx ON visitors (tenant_id, created_at DESC, id DESC);

  CREATE TABLE ledger_accounts (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    kind ledger_account_kind NOT NULL,
    visitor_id uuid,
    balance bigint,
    reserved bigint,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ledger_accounts_tenant_id_unique UNIQUE (tenant_id, id),
    CONSTRAINT ledger_accounts_visitor_unique UNIQUE (tenant_id, visitor_id),
    CONSTRAINT ledger_accounts_visitor_fk FOREIGN KEY (tenant_id, visitor_id) REFERENCES visitors (tenant_id, id) ON DELETE CASCADE,
    -- A visitor account never reserves more than it has: available = balance - reserved >= 0.
    -- (A system account has neither column; its shape is checked when it is created, below.)
    CONSTRAINT ledger_accounts_available CHECK (reserved >= 0 AND balance - reserved >= 0)
  ) WITH (fillfactor = 80);
  CREATE UNIQUE INDEX ledger_accounts_system_unique ON ledger_accounts (tenant_id, kind) WHERE kind <> 'visitor';

  CREATE TABLE grants (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id uuid NOT NULL,
    account_id uuid NOT NULL,
    source ledger_grant_source NOT NULL,
    amount bigint NOT NULL,
    remaining bigint NOT NULL,
    -- The part of remaining that pending holds have allocated: expiry never takes it.
    held bigint NOT NULL DEFAULT 0,
    expires_at timestamptz,
    -- Breaks ties between grants expiring at the same time (lower first), before age.
    priority smallint NOT NULL DEFAULT 0,
    -- A payment id or similar: the same reference never grants twice.
    external_ref text,
    -- A grant moved by a transfer points at the grant it came from (whose external_ref it keeps).
    transferred_from uuid REFERENCES grants(id) ON DELETE CASCADE,
    -- When the credits were first issued: burn order by age survives a transfer.
    issued_at timestamptz NOT NULL,
    -- Indexes filter on this rather than on remaining, so that a settlement's update of remaining
    -- (the hot path) stays a HOT update: only exhausting a grant changes an indexed value.
    live boolean GENERATED ALWAYS AS (remaining > 0) STORED,
    created_at timestamptz NOT NULL,
    -- remaining <= amount and amount > 0 hold from creation because remaining only ever goes down
    -- (see grants_immutable_terms); what updates can break is checked on every update.
    CONSTRAINT grants_held_within_remaining CHECK (0 <= held AND held <= remaining),
    CONSTRAINT grants_account_fk FOREIGN KEY (tenant_id, account_id) REFERENCES ledger_accounts (tenant_id, id) ON DELETE CASCADE
  ) WITH (fillfactor = 90);
  CREATE UNIQUE INDEX grants_external_ref_unique ON grants (tenant_id, external_ref) WHERE external_ref IS NOT NULL;
  CREATE INDEX grants_burn_idx ON grants (account_id, expires_at, priority, issued_at, id) WHERE live;
  CREATE INDEX grants_expiry_idx ON grants (expires_at) WHERE live AND expires_at IS NOT NULL;

  CREATE TABLE holds (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id uuid NOT NULL,
    account_id uuid NOT NULL,
    amount bigint NOT NULL,
    settled_amount bigint,
    status ledger_hold_status NOT NULL DEFAULT 'pending',
    expires_at timestamptz NOT NULL,
    idempotency_key text NOT NULL,
    -- Which grants back the hold, and how much of each, in burn order: settling burns these,
    -- releasing frees them, and expiry leaves them alone until then.
    grant_ids uuid[] NOT NULL,
    grant_amounts bigint[] NOT NULL,
    -- The price the hold was sized with, so the settlement and the dashboard can show it later.
    price jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at timestamptz NOT NULL,
    finished_at timestamptz,
    CONSTRAINT holds_account_fk FOREIGN KEY (tenant_id, account_id) REFERENCES ledger_accounts (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT holds_idempotency_unique UNIQUE (tenant_id, idempotency_key),
    -- A charge never exceeds its hold. (The shape of a new hold is checked when it is created.)
    CONSTRAINT holds_charge_within_hold CHECK (amount > 0 AND settled_amount BETWEEN 0 AND amount)
  );
  -- Only pending holds are indexed here: small, and it serves both the sweeper and a visitor's detail.
  CREATE INDEX holds_pending_idx ON holds (account_id, expires_at) WHERE status = 'pending';

  CREATE TABLE ledger_transactions (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    kind ledger_transaction_kind NOT NULL,
    idempotency_key text,
    -- A hash of what was asked, so a reused key with a different request is refused (Stripe-style).
    request_fingerprint text,
    reason text,
    actor_type ledger_actor_type NOT NULL,
    actor_id text NOT NULL,
    hold_id uuid REFERENCES holds(id) ON DELETE CASCADE,
    grant_id uuid REFERENCES grants(id) ON DELETE CASCADE,
    metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at timestamptz NOT NULL,
    CONSTRAINT ledger_transactions_tenant_id_unique UNIQUE (tenant_id, id),
    -- A manual adjustment always says why; a fingerprint belongs to a key.
    CONSTRAINT ledger_transactions_sound CHECK (
      (kind <> 'adjustment' OR reason ~ '\\S') AND (request_fingerprint IS NULL OR idempotency_key IS NOT NULL)
    )
  );
  CREATE UNIQUE INDEX ledger_transactions_idempotency ON ledger_transactions (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
  CREATE INDEX ledger_transactions_grant_idx ON ledger_transactions (grant_id) WHERE grant_id IS NOT NULL;

  CREATE TABLE ledger_entries (
    id bigint GENERATED ALWAYS AS IDENTITY,
    tenant_id uuid NOT NULL,
    transaction_id bigint NOT NULL,
    account_id uuid NOT NULL,
    amount bigint NOT NULL,
    -- Visitor accounts only: the balance right after this entry (the statement's running balance).
    balance_after bigint,
    PRIMARY KEY (account_id, id),
    CONSTRAINT ledger_entries_transaction_fk FOREIGN KEY (tenant_id, transaction_id) REFERENCES ledger_transactions (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT ledger_entries_account_fk FOREIGN KEY (tenant_id, account_id) REFERENCES ledger_accounts (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT ledger_entries_sound CHECK (amount <> 0 AND coalesce(balance_after, 0) >= 0)
  );
  CREATE INDEX ledger_entries_transaction_idx ON ledger_entries (transaction_id);

  CREATE TABLE catalogue_models (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    provider text NOT NULL CHECK (provider IN ('openai', 'anthropic', 'demo')),
    provider_model_id text NOT NULL CHECK (char_length(provider_model_id) BETWEEN 1 AND 200),
    display_name text NOT NULL CHECK (char_length(display_name) BETWEEN 1 AND 100),
    -- Prices to visitors, in millicredits.
    message_fee bigint NOT NULL DEFAULT 0 CHECK (message_fee >= 0),
    input_per_1k bigint NOT NULL CHECK (input_per_1k >= 0),
    output_per_1k bigint NOT NULL CHECK (output_per_1k >= 0),
    -- What the provider charges the tenant, in micro-units of cost_currency per 1M tokens.
    input_cost_per_1m_micros bigint NOT NULL DEFAULT 0 CHECK (input_cost_per_1m_micros >= 0),
    output_cost_per_1m_micros bigint NOT NULL DEFAULT 0 CHECK (output_cost_per_1m_micros >= 0),
    cost_currency text NOT NULL DEFAULT 'USD' CHECK (cost_currency ~ '^[A-Z]{3}$'),
    max_output_tokens integer NOT NULL DEFAULT 4096 CHECK (max_output_tokens BETWEEN 1 AND 1000000),
    enabled boolean NOT NULL DEFAULT true,
    -- Deleting archives: past turns and personas may still point at the model.
    archived_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT catalogue_models_tenant_id_unique UNIQUE (tenant_id, id),
    CONSTRAINT catalogue_models_archived_disabled CHECK (archived_at IS NULL OR NOT enabled)
  );
  CREATE UNIQUE INDEX catalogue_models_provider_model_unique
    ON catalogue_models (tenant_id, provider, provider_model_id) WHERE archived_at IS NULL;
`;

export const dropTables = `
  DROP TABLE catalogue_models;
  DROP TABLE ledger_entries;
  DROP TABLE ledger_transactions;
  DROP TABLE holds;
  DROP TABLE grants;
  DROP TABLE ledger_accounts;
  DROP TABLE visitors;
  DROP TYPE ledger_actor_type;
  DROP TYPE ledger_transaction_kind;
  DROP TYPE ledger_hold_status;
  DROP TYPE ledger_grant_source;
  DROP TYPE ledger_account_kind;
`;
