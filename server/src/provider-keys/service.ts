import type { Pool } from 'pg';
import { masterKeyBytes, open, seal } from '../crypto/secret-box';
import type { ProviderCredentials, SdkProviderName } from '../providers/registry';

/**
 * A tenant's own AI provider keys, sealed with AES-256-GCM under the master key. They are written
 * by the dashboard, read back only as a masked hint, and opened only to make a provider call.
 */
export const sdkProviders = ['openai', 'anthropic'] as const satisfies readonly SdkProviderName[];

/** Binds a sealed key to its tenant and provider: a row copied elsewhere will not open. */
const contextOf = (tenantId: string, provider: SdkProviderName): string => `provider-key:${tenantId}:${provider}`;

export const hintOf = (apiKey: string): string => (apiKey.length > 8 ? `…${apiKey.slice(-4)}` : '…');

export interface ProviderKeyView {
  provider: SdkProviderName;
  hint: string;
  baseUrl: string | null;
  updatedAt: string;
}

interface Row {
  provider: SdkProviderName;
  sealed_key: string;
  key_hint: string;
  base_url: string | null;
  updated_at: Date;
}

const view = (row: Omit<Row, 'sealed_key'>): ProviderKeyView => ({
  provider: row.provider,
  hint: row.key_hint,
  baseUrl: row.base_url,
  updatedAt: row.updated_at.toISOString(),
});

export async function listProviderKeys({ db, tenantId }: { db: Pool; tenantId: string }): Promise<ProviderKeyView[]> {
  const { rows } = await db.query<Row>(
    'SELECT provider, key_hint, base_url, updated_at FROM tenant_provider_keys WHERE tenant_id = $1 ORDER BY provider',
    [tenantId],
  );
  return rows.map(view);
}

export interface SetProviderKeyOptions {
  db: Pool;
  masterKey: string | undefined;
  tenantId: string;
  provider: SdkProviderName;
  apiKey: string;
  baseUrl: string | null;
  now: Date;
}

export async function setProviderKey({ db, masterKey, tenantId, provider, apiKey, baseUrl, now }: SetProviderKeyOptions): Promise<ProviderKeyView> {
  const sealed = seal({ key: masterKeyBytes(masterKey), plaintext: apiKey, context: contextOf(tenantId, provider) });
  const { rows } = await db.query<Row>(
    `INSERT INTO tenant_provider_keys (tenant_id, provider, sealed_key, key_hint, base_url, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $6)
     ON CONFLICT (tenant_id, provider)
     DO UPDATE SET sealed_key = EXCLUDED.sealed_key, key_hint = EXCLUDED.key_hint, base_url = EXCLUDED.base_url, updated_at = EXCLUDED.updated_at
     RETURNING provider, key_hint, base_url, updated_at`,
    [tenantId, provider, sealed, hintOf(apiKey), baseUrl, now],
  );
  return view(rows[0]!);
}

/** Deleting twice is harmless; answers whether a key was there. */
export async function deleteProviderKey({ db, tenantId, provider }: { db: Pool; tenantId: string; provider: SdkProviderName }): Promise<boolean> {
  const result = await db.query('DELETE FROM tenant_provider_keys WHERE tenant_id = $1 AND provider = $2', [tenantId, provider]);
  return (result.rowCount ?? 0) > 0;
}

export type TenantCredentials = Partial<Record<SdkProviderName, ProviderCredentials>>;

/** Decrypts a tenant's keys for one provider call; a key that no longer opens is skipped, not fatal. */
export function openCredentials(options: {
  masterKey: string | undefined;
  tenantId: string;
  rows: ReadonlyArray<{ provider: SdkProviderName; sealedKey: string; baseUrl: string | null }>;
  onError: (provider: SdkProviderName, error: unknown) => void;
}): TenantCredentials {
  const credentials: TenantCredentials = {};
  if (options.rows.length === 0) return credentials;
  const key = masterKeyBytes(options.masterKey);
  for (const row of options.rows) {
    try {
      const apiKey = open({ key, sealed: row.sealedKey, context: contextOf(options.tenantId, row.provider) });
      credentials[row.provider] = { apiKey, baseURL: row.baseUrl ?? undefined };
    } catch (error) {
      options.onError(row.provider, error);
    }
  }
  return credentials;
}
