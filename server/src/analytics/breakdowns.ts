import type { Pool } from 'pg';
import { rangeParams, type AnalyticsRange } from './range';
import { costMicros, paramsCte, usageRows } from './sources';

/**
 * Usage by model and by persona, from the replies (assistant messages carry the model and persona
 * they were priced with). Rows for models or personas since deleted keep their usage, named so.
 */
interface UsageRow {
  key: string | null;
  name: string | null;
  replies: string;
  visitors: string;
  input_tokens: string | null;
  output_tokens: string | null;
  credits_spent: string | null;
  cost_micros: string | null;
  cost_currency: string | null;
}

export interface UsageBreakdown {
  id: string | null;
  name: string;
  replies: number;
  visitors: number;
  inputTokens: number;
  outputTokens: number;
  creditsSpent: number;
  providerCostMicros: number;
  costCurrency: string | null;
}

const toView = (r: UsageRow): UsageBreakdown => ({
  id: r.key,
  name: r.name ?? '(deleted)',
  replies: Number(r.replies),
  visitors: Number(r.visitors),
  inputTokens: Number(r.input_tokens ?? 0),
  outputTokens: Number(r.output_tokens ?? 0),
  creditsSpent: Number(r.credits_spent ?? 0),
  providerCostMicros: Number(r.cost_micros ?? 0),
  costCurrency: r.cost_currency,
});

export async function byModel(db: Pool, range: AnalyticsRange): Promise<UsageBreakdown[]> {
  const [usage, visitors] = await Promise.all([
    db.query<UsageRow>(
      `WITH ${paramsCte}, g AS (
         SELECT model_id, sum(replies) AS replies, sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens, sum(spent) AS credits_spent
           FROM (${usageRows}) u WHERE replies > 0 GROUP BY model_id)
       SELECT g.model_id AS key, cm.display_name AS name, g.replies, 0 AS visitors, g.input_tokens, g.output_tokens, g.credits_spent,
              round(${costMicros('g')} / 1000000.0) AS cost_micros, cm.cost_currency
         FROM g LEFT JOIN catalogue_models cm ON cm.id = g.model_id AND cm.tenant_id = $1
        ORDER BY g.credits_spent DESC NULLS LAST, g.replies DESC`,
      rangeParams(range),
    ),
    visitorsBy(db, range, 'model_id'),
  ]);
  return usage.rows.map((r) => ({ ...toView(r), visitors: visitors.get(r.key) ?? 0 }));
}

export async function byPersona(db: Pool, range: AnalyticsRange): Promise<Array<UsageBreakdown & { conversations: number }>> {
  const [usage, visitors] = await Promise.all([
    db.query<UsageRow & { conversations: string }>(
      `WITH ${paramsCte}, per_model AS (
         SELECT persona_id, model_id, sum(conversations) AS conversations, sum(replies) AS replies, sum(input_tokens) AS input_tokens,
                sum(output_tokens) AS output_tokens, sum(spent) AS credits_spent
           FROM (${usageRows}) u GROUP BY persona_id, model_id),
       g AS (
         SELECT pm.persona_id, sum(pm.conversations) AS conversations, sum(pm.replies) AS replies, sum(pm.input_tokens) AS input_tokens,
                sum(pm.output_tokens) AS output_tokens, sum(pm.credits_spent) AS credits_spent,
                round(sum(${costMicros('pm')}) / 1000000.0) AS cost_micros, min(cm.cost_currency) AS cost_currency
           FROM per_model pm LEFT JOIN catalogue_models cm ON cm.id = pm.model_id AND cm.tenant_id = $1 GROUP BY pm.persona_id)
       SELECT g.persona_id AS key, p.name, g.replies, 0 AS visitors, g.input_tokens, g.output_tokens, g.credits_spent, g.cost_micros,
              g.cost_currency, g.conversations
         FROM g LEFT JOIN personas p ON p.id = g.persona_id AND p.tenant_id = $1
        ORDER BY g.credits_spent DESC NULLS LAST, g.replies DESC`,
      rangeParams(range),
    ),
    visitorsBy(db, range, 'persona_id'),
  ]);
  return usage.rows.map((r) => ({ ...toView(r), visitors: visitors.get(r.key) ?? 0, conversations: Number(r.conversations ?? 0) }));
}

/**
 * Distinct visitors per model or persona need the replies themselves (rollups keep visitors per
 * bucket, not per model), so this one reads the covering reply index over the whole range.
 */
async function visitorsBy(db: Pool, range: AnalyticsRange, column: 'model_id' | 'persona_id'): Promise<Map<string | null, number>> {
  const { rows } = await db.query<{ key: string | null; visitors: string }>(
    `WITH ${paramsCte} SELECT key, count(*) AS visitors FROM (
       SELECT DISTINCT m.${column} AS key, m.visitor_id FROM chat_messages m
        WHERE m.tenant_id = $1 AND m.role = 'assistant' AND m.created_at >= $2 AND m.created_at < $3) d GROUP BY key`,
    rangeParams(range),
  );
  return new Map(rows.map((r) => [r.key, Number(r.visitors)]));
}
