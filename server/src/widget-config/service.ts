import type { Pool } from 'pg';
import { toAmount } from '../ledger/db';
import { listActivePacks } from '../packs/list-active-packs';
import type { TenantCache, TenantSnapshot } from '../tenant-cache/cache';
import type { PackView } from '../wire/chat';
import { readChatSettings, type ChatSettings } from './settings';

export interface WidgetPersona {
  id: string;
  name: string;
  avatarUrl: string | null;
  greeting: string;
  modelId: string;
}

export interface WidgetModel {
  id: string;
  displayName: string;
  /** Millicredits: per message, per 1,000 input tokens, per 1,000 output tokens. */
  price: { messageFee: number; inputPer1k: number; outputPer1k: number };
}

export interface WidgetConfig {
  tenant: { name: string };
  personas: WidgetPersona[];
  models: WidgetModel[];
  theme: ChatSettings['theme'];
  strings: ChatSettings['strings'];
  lowBalanceThreshold: number;
  packs: PackView[];
}

/**
 * What a widget needs to draw itself and price a message, and nothing secret: no system prompts,
 * no provider names or keys, no costs. Only enabled personas whose model is live are offered.
 * With a `cache`, built once per workspace and process until a persona, model, pack or setting changes.
 */
export async function buildWidgetConfig({ db, tenant, cache }: {
  db: Pool; tenant: Pick<TenantSnapshot, 'id' | 'name' | 'settings'>; cache?: TenantCache;
}): Promise<WidgetConfig> {
  return cache ? cache.get(tenant.id, 'widget-config', () => readWidgetConfig(db, tenant)) : readWidgetConfig(db, tenant);
}

async function readWidgetConfig(db: Pool, tenant: Pick<TenantSnapshot, 'id' | 'name' | 'settings'>): Promise<WidgetConfig> {
  const settings = readChatSettings(tenant.settings);
  const [personas, models, packs] = await Promise.all([
    db.query<{ id: string; name: string; avatar_url: string | null; greeting: string; model_id: string }>(
      `SELECT p.id, p.name, p.avatar_url, p.greeting, p.model_id FROM personas p
         JOIN catalogue_models m ON m.tenant_id = p.tenant_id AND m.id = p.model_id
        WHERE p.tenant_id = $1 AND p.enabled AND m.enabled AND m.archived_at IS NULL
        ORDER BY p.position, p.created_at, p.id`,
      [tenant.id],
    ),
    db.query<{ id: string; display_name: string; message_fee: string; input_per_1k: string; output_per_1k: string }>(
      `SELECT id, display_name, message_fee, input_per_1k, output_per_1k FROM catalogue_models
        WHERE tenant_id = $1 AND enabled AND archived_at IS NULL ORDER BY display_name, created_at, id`,
      [tenant.id],
    ),
    listActivePacks({ db, tenantId: tenant.id }),
  ]);
  return {
    tenant: { name: tenant.name },
    personas: personas.rows.map((p) => ({ id: p.id, name: p.name, avatarUrl: p.avatar_url, greeting: p.greeting, modelId: p.model_id })),
    models: models.rows.map((m) => ({
      id: m.id,
      displayName: m.display_name,
      price: { messageFee: toAmount(m.message_fee), inputPer1k: toAmount(m.input_per_1k), outputPer1k: toAmount(m.output_per_1k) },
    })),
    theme: settings.theme,
    strings: settings.strings,
    lowBalanceThreshold: settings.lowBalanceThreshold,
    packs,
  };
}
