import type { Pool } from 'pg';
import { notFound } from '../http/errors';
import { toAmount } from '../ledger/db';
import type { Price } from '../ledger/pricing';
import type { ProviderName, SdkProviderName } from '../providers/registry';
import type { TenantCache } from '../tenant-cache/cache';
import type { TenantChatLimits } from '../tenants/rate-limits';

export type PriceSnapshot = Price;

/** Everything a turn needs to know about who answers and at what price, read in one round trip. */
export interface TurnContext {
  persona: { id: string; systemPrompt: string; temperature: number | null; maxOutputTokens: number };
  model: { id: string; provider: ProviderName; providerModel: string; maxOutputTokens: number; price: PriceSnapshot };
  /** The tenant's sealed key for this model's provider, if it has one. */
  sealedKeys: Array<{ provider: SdkProviderName; sealedKey: string; baseUrl: string | null }>;
  /** `tenants.settings`, read with `readChatSettings`. */
  tenantSettings: Record<string, unknown>;
  /** The workspace's own rate limits (null: the operator's), read here so they cost no query of their own. */
  chatLimits: TenantChatLimits;
}

interface Row {
  persona_id: string;
  system_prompt: string;
  temperature: number | null;
  persona_max: number;
  model_id: string;
  provider: ProviderName;
  provider_model_id: string;
  model_max: number;
  message_fee: string;
  input_per_1k: string;
  output_per_1k: string;
  keys: TurnContext['sealedKeys'] | null;
  settings: Record<string, unknown>;
  chat_visitor_messages_per_min: number | null;
  chat_tenant_messages_per_min: number | null;
}

/**
 * The persona (enabled, the tenant's) and the model: the persona's own, or one the visitor picked
 * from the tenant's enabled catalogue. With a `cache`, kept per process until the workspace's
 * personas, models, provider keys or settings change: triggers announce every such commit and each
 * process drops its copy when it hears it, so a price or persona change still applies to the next
 * message on every process (see server/src/tenant-cache).
 */
export async function loadTurnContext(options: { db: Pool; cache?: TenantCache; tenantId: string; personaId: string; modelId?: string }): Promise<TurnContext> {
  const { cache, tenantId, personaId, modelId } = options;
  return cache ? cache.get(tenantId, `turn:${personaId}:${modelId ?? ''}`, () => readTurnContext(options)) : readTurnContext(options);
}

async function readTurnContext({ db, tenantId, personaId, modelId }: { db: Pool; tenantId: string; personaId: string; modelId?: string }): Promise<TurnContext> {
  const { rows } = await db.query<Row>({
    // Named: planned once per connection, as it runs on every message.
    name: 'parley_chat_turn_context',
    text: `SELECT p.id AS persona_id, p.system_prompt, p.temperature, p.max_output_tokens AS persona_max,
            m.id AS model_id, m.provider, m.provider_model_id, m.max_output_tokens AS model_max,
            m.message_fee, m.input_per_1k, m.output_per_1k,
            (SELECT json_agg(json_build_object('provider', k.provider, 'sealedKey', k.sealed_key, 'baseUrl', k.base_url))
               FROM tenant_provider_keys k WHERE k.tenant_id = p.tenant_id AND k.provider = m.provider) AS keys,
            t.settings, t.chat_visitor_messages_per_min, t.chat_tenant_messages_per_min
       FROM personas p
       JOIN tenants t ON t.id = p.tenant_id
       JOIN catalogue_models m ON m.tenant_id = p.tenant_id AND m.id = COALESCE($3::uuid, p.model_id)
      WHERE p.tenant_id = $1 AND p.id = $2 AND p.enabled AND m.enabled AND m.archived_at IS NULL`,
    values: [tenantId, personaId, modelId ?? null],
  });
  const row = rows[0];
  if (!row) throw notFound(modelId ? 'persona or model' : 'persona');
  return {
    persona: { id: row.persona_id, systemPrompt: row.system_prompt, temperature: row.temperature, maxOutputTokens: row.persona_max },
    model: {
      id: row.model_id,
      provider: row.provider,
      providerModel: row.provider_model_id,
      maxOutputTokens: row.model_max,
      price: { messageFee: toAmount(row.message_fee), inputPer1k: toAmount(row.input_per_1k), outputPer1k: toAmount(row.output_per_1k) },
    },
    sealedKeys: row.keys ?? [],
    tenantSettings: row.settings,
    chatLimits: { visitorMessagesPerMin: row.chat_visitor_messages_per_min, tenantMessagesPerMin: row.chat_tenant_messages_per_min },
  };
}

/**
 * The conversation so far, as the model will see it: only complete exchanges (a failed or
 * interrupted reply drops its question too), the newest `limit` messages, oldest first, and never
 * starting with a reply (Anthropic requires the first message to be the user's).
 */
export async function loadHistory({ db, tenantId, visitorId, conversationId, limit }: {
  db: Pool; tenantId: string; visitorId: string; conversationId: string; limit: number;
}): Promise<Array<{ role: 'user' | 'assistant'; content: string }>> {
  const { rows } = await db.query<{ role: 'user' | 'assistant'; text: string }>(
    `SELECT m.role, m.text FROM chat_messages m
      WHERE m.conversation_id = $1 AND m.tenant_id = $2 AND m.visitor_id = $3
        AND (CASE WHEN m.role = 'assistant' THEN m.status IN ('done', 'stopped') AND m.text <> ''
             ELSE EXISTS (SELECT 1 FROM chat_messages a WHERE a.reply_to = m.id AND a.status IN ('done', 'stopped') AND a.text <> '') END)
      ORDER BY m.created_at DESC, m.role ASC LIMIT $4`,
    [conversationId, tenantId, visitorId, limit],
  );
  const history = rows.reverse().map((r) => ({ role: r.role, content: r.text }));
  while (history[0]?.role === 'assistant') history.shift();
  return history;
}
