import type { Client } from 'pg';

/**
 * The big tenant's catalogue: three models at realistic prices (millicredits to visitors,
 * micro-dollars per 1M tokens from the provider), a persona on each, and three packs in two
 * currencies so revenue by currency and margin have something to show.
 */
export const models = [
  { key: 'fast', provider: 'demo', model: 'demo-fast', name: 'Demo Fast', fee: 50, in: 100, out: 300, costIn: 0, costOut: 0 },
  { key: 'mini', provider: 'openai', model: 'gpt-4o-mini', name: 'GPT-4o mini', fee: 100, in: 150, out: 600, costIn: 150_000, costOut: 600_000 },
  { key: 'sonnet', provider: 'anthropic', model: 'claude-sonnet-4-5', name: 'Claude Sonnet', fee: 200, in: 600, out: 3000, costIn: 3_000_000, costOut: 15_000_000 },
] as const;

/** `pick` thresholds out of 100: half the conversations go to the first persona, and so on. */
export const personas = [
  { name: 'Concierge', model: 'fast', upTo: 50 },
  { name: 'Support', model: 'mini', upTo: 85 },
  { name: 'Expert', model: 'sonnet', upTo: 100 },
] as const;

export const packs = [
  { name: 'Starter', credits: 20_000, amountMinor: 500, currency: 'USD', upTo: 0.6 },
  { name: 'Plus', credits: 60_000, amountMinor: 1200, currency: 'USD', upTo: 0.9 },
  { name: 'Pro', credits: 150_000, amountMinor: 2500, currency: 'EUR', upTo: 1 },
] as const;

export interface SeededCatalogue {
  modelIds: Record<string, string>;
  personaIds: string[];
  packIds: string[];
}

export async function seedCatalogue(db: Client, tenantId: string): Promise<SeededCatalogue> {
  const modelIds: Record<string, string> = {};
  for (const m of models) {
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO catalogue_models (tenant_id, provider, provider_model_id, display_name, message_fee, input_per_1k, output_per_1k,
         input_cost_per_1m_micros, output_cost_per_1m_micros) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
      [tenantId, m.provider, m.model, m.name, m.fee, m.in, m.out, m.costIn, m.costOut],
    );
    modelIds[m.key] = rows[0]!.id;
  }
  const personaIds: string[] = [];
  for (const [i, p] of personas.entries()) {
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO personas (tenant_id, name, greeting, system_prompt, model_id, max_output_tokens, position)
       VALUES ($1, $2, $3, $4, $5, 1024, $6) RETURNING id`,
      [tenantId, p.name, `Hi, I am ${p.name}.`, `You are ${p.name}, a helpful assistant.`, modelIds[p.model], i],
    );
    personaIds.push(rows[0]!.id);
  }
  const packIds: string[] = [];
  for (const [i, p] of packs.entries()) {
    const { rows } = await db.query<{ id: string }>(
      'INSERT INTO credit_packs (tenant_id, name, credits, amount_minor, currency, sort_order) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id',
      [tenantId, p.name, p.credits, p.amountMinor, p.currency, i],
    );
    packIds.push(rows[0]!.id);
  }
  return { modelIds, personaIds, packIds };
}
