import type { Pool } from 'pg';
import { masterKeyBytes, open, seal } from '../crypto/secret-box';
import { AppError } from '../http/errors';
import type { Queryable } from '../ledger/db';

/**
 * A tenant's own Stripe account: its secret (or restricted) key and its webhook signing secret,
 * sealed with AES-256-GCM under the master key and bound to the tenant, so a sealed value copied
 * into another tenant's row does not open. Read back only as the last four characters.
 */
export type StripeMode = 'test' | 'live';

export const stripeKeyPattern = /^(sk|rk)_(test|live)_[A-Za-z0-9]{8,247}$/;
export const webhookSecretPattern = /^whsec_[A-Za-z0-9+/=]{8,250}$/;

const keyContext = (tenantId: string) => `stripe-secret-key:${tenantId}`;
const webhookContext = (tenantId: string) => `stripe-webhook-secret:${tenantId}`;

/** `sk_test_…` / `rk_test_…` are test mode, `…_live_…` live; Stripe encodes it in the key. */
export function modeOfKey(secretKey: string): StripeMode {
  return /^(sk|rk)_live_/.test(secretKey) ? 'live' : 'test';
}

const last4 = (secret: string): string => `…${secret.slice(-4)}`;

export interface StripeAccountView {
  configured: boolean;
  mode: StripeMode | null;
  secretKeyHint: string | null;
  webhookSecretHint: string | null;
  /** Paste this into Stripe (Developers → Webhooks) as the endpoint URL. */
  webhookUrl: string;
  updatedAt: string | null;
}

interface Row {
  mode: StripeMode;
  secret_key_hint: string;
  webhook_secret_hint: string | null;
  updated_at: Date;
}

export const webhookUrlFor = (publicUrl: string, tenantId: string): string => `${publicUrl}/webhooks/stripe/${tenantId}`;

export async function getStripeAccount({ db, tenantId, publicUrl }: { db: Queryable; tenantId: string; publicUrl: string }): Promise<StripeAccountView> {
  const { rows } = await db.query<Row>(
    'SELECT mode, secret_key_hint, webhook_secret_hint, updated_at FROM tenant_stripe_accounts WHERE tenant_id = $1',
    [tenantId],
  );
  const row = rows[0];
  return {
    configured: Boolean(row),
    mode: row?.mode ?? null,
    secretKeyHint: row?.secret_key_hint ?? null,
    webhookSecretHint: row?.webhook_secret_hint ?? null,
    webhookUrl: webhookUrlFor(publicUrl, tenantId),
    updatedAt: row?.updated_at.toISOString() ?? null,
  };
}

export interface SetStripeAccountOptions {
  db: Pool;
  masterKey: string | undefined;
  tenantId: string;
  publicUrl: string;
  /** Absent keeps the stored key (to change only the webhook secret). */
  secretKey?: string;
  /** Absent keeps the stored one; null removes it. */
  webhookSecret?: string | null;
  now: Date;
}

export async function setStripeAccount(o: SetStripeAccountOptions): Promise<StripeAccountView> {
  const key = masterKeyBytes(o.masterKey);
  const sealedKey = o.secretKey ? seal({ key, plaintext: o.secretKey, context: keyContext(o.tenantId) }) : null;
  const sealedHook = o.webhookSecret ? seal({ key, plaintext: o.webhookSecret, context: webhookContext(o.tenantId) }) : null;
  const keepHook = o.webhookSecret === undefined;
  if (sealedKey) {
    await o.db.query(
      `INSERT INTO tenant_stripe_accounts (tenant_id, sealed_secret_key, secret_key_hint, mode, sealed_webhook_secret, webhook_secret_hint, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
       ON CONFLICT (tenant_id) DO UPDATE SET
         sealed_secret_key = EXCLUDED.sealed_secret_key, secret_key_hint = EXCLUDED.secret_key_hint, mode = EXCLUDED.mode,
         sealed_webhook_secret = CASE WHEN $8 THEN tenant_stripe_accounts.sealed_webhook_secret ELSE EXCLUDED.sealed_webhook_secret END,
         webhook_secret_hint = CASE WHEN $8 THEN tenant_stripe_accounts.webhook_secret_hint ELSE EXCLUDED.webhook_secret_hint END,
         updated_at = EXCLUDED.updated_at`,
      [o.tenantId, sealedKey, last4(o.secretKey!), modeOfKey(o.secretKey!), sealedHook, o.webhookSecret ? last4(o.webhookSecret) : null, o.now, keepHook],
    );
  } else if (!keepHook) {
    const result = await o.db.query(
      `UPDATE tenant_stripe_accounts SET sealed_webhook_secret = $2, webhook_secret_hint = $3, updated_at = $4 WHERE tenant_id = $1`,
      [o.tenantId, sealedHook, o.webhookSecret ? last4(o.webhookSecret) : null, o.now],
    );
    if (!result.rowCount) throw new AppError('conflict', 'Set the Stripe secret key first');
  }
  return getStripeAccount({ db: o.db, tenantId: o.tenantId, publicUrl: o.publicUrl });
}

export async function deleteStripeAccount({ db, tenantId }: { db: Pool; tenantId: string }): Promise<boolean> {
  const result = await db.query('DELETE FROM tenant_stripe_accounts WHERE tenant_id = $1', [tenantId]);
  return (result.rowCount ?? 0) > 0;
}

export interface StripeSecrets {
  secretKey: string;
  webhookSecret: string | null;
  mode: StripeMode;
}

/** The tenant's secrets in clear, for one API call or one signature check; undefined when not set. */
export async function openStripeSecrets({ db, masterKey, tenantId }: { db: Queryable; masterKey: string | undefined; tenantId: string }): Promise<StripeSecrets | undefined> {
  const { rows } = await db.query<{ sealed_secret_key: string; sealed_webhook_secret: string | null; mode: StripeMode }>(
    'SELECT sealed_secret_key, sealed_webhook_secret, mode FROM tenant_stripe_accounts WHERE tenant_id = $1',
    [tenantId],
  );
  const row = rows[0];
  if (!row) return undefined;
  const key = masterKeyBytes(masterKey);
  return {
    secretKey: open({ key, sealed: row.sealed_secret_key, context: keyContext(tenantId) }),
    webhookSecret: row.sealed_webhook_secret ? open({ key, sealed: row.sealed_webhook_secret, context: webhookContext(tenantId) }) : null,
    mode: row.mode,
  };
}

export async function hasStripeAccount({ db, tenantId }: { db: Queryable; tenantId: string }): Promise<boolean> {
  const { rowCount } = await db.query('SELECT 1 FROM tenant_stripe_accounts WHERE tenant_id = $1', [tenantId]);
  return (rowCount ?? 0) > 0;
}
