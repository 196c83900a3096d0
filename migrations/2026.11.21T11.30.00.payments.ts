import type { MigrationFn } from 'umzug';
import type { QueryInterface } from 'sequelize';
import { runSql } from './_sql';

/**
 * Credit packs, each tenant's Stripe account, purchases, and what Stripe has told us.
 *
 * Exactly-once is enforced here, not only in code: an event id is stored once per tenant
 * (`stripe_events`), a payment reference belongs to one purchase, and the ledger's unique
 * `grants.external_ref` grants a payment once. Refunds and disputes live in
 * `stripe_payment_facts`, keyed by payment intent, because they may arrive before Parley knows
 * which purchase the payment intent belongs to.
 */
export const up: MigrationFn<QueryInterface> = async ({ context }) => {
  await runSql(context, `
    CREATE TABLE credit_packs (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
      -- Millicredits the pack grants.
      credits bigint NOT NULL CHECK (credits > 0 AND credits <= 1000000000000),
      -- Integer minor units of currency (cents), as Stripe takes them.
      amount_minor bigint NOT NULL CHECK (amount_minor > 0 AND amount_minor <= 99999999),
      currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      badge text CHECK (char_length(badge) BETWEEN 1 AND 40),
      sort_order integer NOT NULL DEFAULT 0,
      active boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT credit_packs_tenant_id_unique UNIQUE (tenant_id, id)
    );
    CREATE INDEX credit_packs_tenant_order_idx ON credit_packs (tenant_id, sort_order, created_at);

    CREATE TABLE tenant_stripe_accounts (
      tenant_id uuid PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
      -- AES-256-GCM under the master key (server/src/crypto/secret-box.ts), bound to the tenant.
      sealed_secret_key text NOT NULL,
      secret_key_hint text NOT NULL,
      mode text NOT NULL CHECK (mode IN ('test', 'live')),
      sealed_webhook_secret text,
      webhook_secret_hint text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT tenant_stripe_webhook_hint CHECK ((sealed_webhook_secret IS NULL) = (webhook_secret_hint IS NULL))
    );

    CREATE TABLE purchases (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      visitor_id uuid NOT NULL,
      pack_id uuid,
      -- The pack as it was sold: editing or deleting the pack later changes no purchase.
      pack_name text NOT NULL,
      credits bigint NOT NULL CHECK (credits > 0),
      amount_minor bigint NOT NULL CHECK (amount_minor > 0),
      currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      provider text NOT NULL CHECK (provider IN ('stripe', 'demo')),
      status text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'paid', 'failed', 'refunded', 'partially_refunded', 'disputed')),
      return_url text NOT NULL CHECK (char_length(return_url) <= 2000),
      checkout_session_id text,
      -- The payment intent id (or demo_<purchase id>): the ledger grant's external_ref.
      payment_ref text,
      grant_id uuid REFERENCES grants(id) ON DELETE SET NULL,
      -- Credits taken back so far (from the grant, plus any shortfall booked as uncollected).
      credits_reversed bigint NOT NULL DEFAULT 0,
      credits_uncollected bigint NOT NULL DEFAULT 0,
      amount_refunded_minor bigint NOT NULL DEFAULT 0 CHECK (amount_refunded_minor >= 0),
      dispute_status text,
      paid_at timestamptz,
      failed_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT purchases_visitor_fk FOREIGN KEY (tenant_id, visitor_id) REFERENCES visitors (tenant_id, id) ON DELETE CASCADE,
      CONSTRAINT purchases_pack_fk FOREIGN KEY (tenant_id, pack_id) REFERENCES credit_packs (tenant_id, id) ON DELETE SET NULL (pack_id),
      CONSTRAINT purchases_reversed_range CHECK (credits_reversed >= 0 AND credits_reversed <= credits),
      CONSTRAINT purchases_uncollected_range CHECK (credits_uncollected >= 0 AND credits_uncollected <= credits_reversed),
      CONSTRAINT purchases_granted_when_paid CHECK (grant_id IS NULL OR paid_at IS NOT NULL)
    );
    CREATE UNIQUE INDEX purchases_session_unique ON purchases (tenant_id, checkout_session_id) WHERE checkout_session_id IS NOT NULL;
    CREATE UNIQUE INDEX purchases_payment_ref_unique ON purchases (tenant_id, payment_ref) WHERE payment_ref IS NOT NULL;
    CREATE INDEX purchases_tenant_created_idx ON purchases (tenant_id, created_at DESC, id DESC);
    CREATE INDEX purchases_visitor_created_idx ON purchases (tenant_id, visitor_id, created_at DESC, id DESC);

    -- One row per Stripe event a tenant's endpoint has processed: a redelivery finds its id here.
    CREATE TABLE stripe_events (
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      event_id text NOT NULL CHECK (char_length(event_id) BETWEEN 1 AND 255),
      type text NOT NULL CHECK (char_length(type) BETWEEN 1 AND 100),
      purchase_id uuid,
      outcome text NOT NULL CHECK (char_length(outcome) BETWEEN 1 AND 100),
      received_at timestamptz NOT NULL,
      PRIMARY KEY (tenant_id, event_id)
    );
    CREATE INDEX stripe_events_received_idx ON stripe_events (received_at);

    -- What Stripe reported about a payment intent's money after it was paid. Every field only
    -- moves forward (refunds only grow, a closed dispute stays closed), so the order in which
    -- events arrive cannot change where it ends.
    CREATE TABLE stripe_payment_facts (
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      payment_intent_id text NOT NULL CHECK (char_length(payment_intent_id) BETWEEN 1 AND 255),
      charge_amount_minor bigint CHECK (charge_amount_minor > 0),
      amount_refunded_minor bigint NOT NULL DEFAULT 0 CHECK (amount_refunded_minor >= 0),
      dispute_id text,
      dispute_status text,
      dispute_amount_minor bigint CHECK (dispute_amount_minor >= 0),
      updated_at timestamptz NOT NULL,
      PRIMARY KEY (tenant_id, payment_intent_id)
    );
  `);
};

export const down: MigrationFn<QueryInterface> = async ({ context }) => {
  await runSql(context, `
    DROP TABLE stripe_payment_facts;
    DROP TABLE stripe_events;
    DROP TABLE purchases;
    DROP TABLE tenant_stripe_accounts;
    DROP TABLE credit_packs;
  `);
};
