import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { notFound } from '../http/errors';
import type { ProviderCredentials, SdkProviderName } from '../providers/registry';
import { openCredentials } from './service';

export const connectionCodes = ['ok', 'invalid_key', 'rate_limited', 'unreachable', 'provider_error', 'unreadable'] as const;
export type ConnectionCode = (typeof connectionCodes)[number];

export interface ProviderConnectionCheck {
  ok: boolean;
  code: ConnectionCode;
  /** Written here, never copied from the provider: its errors may quote part of the key. */
  message: string;
  /** The provider's HTTP status when it answered with an error. */
  status: number | null;
}

/** Long enough for a slow far-away API, short enough for someone waiting on a button. */
export const DEFAULT_TEST_TIMEOUT_MS = 5_000;

export interface TestProviderConnectionOptions {
  db: Pool;
  logger: Logger;
  masterKey: string | undefined;
  tenantId: string;
  provider: SdkProviderName;
  timeoutMs?: number;
}

/**
 * For the dashboard's "Test connection": lists the provider's models with the workspace's own stored
 * key and base URL. That call is free, needs a valid key, and exists on OpenAI, Anthropic and the
 * OpenAI-compatible servers (Ollama, vLLM, LM Studio), so no tokens are spent to learn the key works.
 */
export async function testProviderConnection(o: TestProviderConnectionOptions): Promise<ProviderConnectionCheck> {
  const { rows } = await o.db.query<{ sealed_key: string; base_url: string | null }>(
    'SELECT sealed_key, base_url FROM tenant_provider_keys WHERE tenant_id = $1 AND provider = $2',
    [o.tenantId, o.provider],
  );
  const row = rows[0];
  if (!row) throw notFound('provider key');
  let unreadable = false;
  const credentials = openCredentials({
    masterKey: o.masterKey, tenantId: o.tenantId, rows: [{ provider: o.provider, sealedKey: row.sealed_key, baseUrl: row.base_url }],
    onError: (provider, err) => {
      unreadable = true;
      o.logger.error({ err, tenantId: o.tenantId, provider }, 'a tenant provider key does not open');
    },
  })[o.provider];
  if (unreadable || !credentials) {
    return { ok: false, code: 'unreadable', status: null, message: 'The stored key cannot be decrypted on this server (was MASTER_KEY changed?). Save the key again.' };
  }
  const timeoutMs = o.timeoutMs ?? DEFAULT_TEST_TIMEOUT_MS;
  const where = row.base_url ? new URL(row.base_url).host : o.provider === 'openai' ? 'OpenAI' : 'Anthropic';
  try {
    const count = await listModels(o.provider, credentials, timeoutMs);
    return { ok: true, code: 'ok', status: null, message: `Connected to ${where}: the key works and lists ${count} model${count === 1 ? '' : 's'}.` };
  } catch (err) {
    o.logger.info({ err, tenantId: o.tenantId, provider: o.provider }, 'provider connection test failed');
    return describeFailure(err, where, timeoutMs);
  }
}

async function listModels(provider: SdkProviderName, { apiKey, baseURL }: ProviderCredentials, timeoutMs: number): Promise<number> {
  // No retries: the person pressing the button wants this answer, not the SDK's patience.
  const options = { apiKey, baseURL, timeout: timeoutMs, maxRetries: 0 };
  if (provider === 'openai') return (await new OpenAI(options).models.list()).data.length;
  return (await new Anthropic(options).models.list({ limit: 100 })).data.length;
}

function describeFailure(err: unknown, where: string, timeoutMs: number): ProviderConnectionCheck {
  if (err instanceof OpenAI.APIConnectionTimeoutError || err instanceof Anthropic.APIConnectionTimeoutError) {
    return { ok: false, code: 'unreachable', status: null, message: `${where} did not answer within ${timeoutMs / 1000} s.` };
  }
  if (err instanceof OpenAI.APIConnectionError || err instanceof Anthropic.APIConnectionError) {
    return { ok: false, code: 'unreachable', status: null, message: `Could not reach ${where}. Check the base URL and that the server is running.` };
  }
  const status = err instanceof OpenAI.APIError || err instanceof Anthropic.APIError ? err.status : undefined;
  if (status === 401 || status === 403) {
    return { ok: false, code: 'invalid_key', status, message: `${where} refused the key (HTTP ${status}). Check it and save it again.` };
  }
  if (status === 429) {
    return { ok: false, code: 'rate_limited', status, message: `${where} accepted the connection but is rate-limiting this key (HTTP 429). Try again later.` };
  }
  if (typeof status === 'number') {
    const hint = status === 404 ? ' Check the base URL (an OpenAI-compatible one usually ends in /v1).' : '';
    return { ok: false, code: 'provider_error', status, message: `${where} answered HTTP ${status} to a model list request.${hint}` };
  }
  return { ok: false, code: 'unreachable', status: null, message: `Could not talk to ${where}.` };
}
