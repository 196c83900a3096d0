/**
 * The rows analytics aggregate, each read from the rollups where they are final and from the raw
 * tables after that (see rollups.ts). Parameters: `$1` tenant, `$2`/`$3` the range's instants,
 * `$4` time zone, `$5` where the rollups end. Rollup buckets and range bounds both fall on
 * 15-minute marks, so the two halves meet exactly.
 */
const nil = `'00000000-0000-0000-0000-000000000000'::uuid`;

/**
 * Declares the parameters' types. node-postgres sends them untyped, and PostgreSQL refuses a
 * statement with a parameter it cannot type (one a query does not use), so every analytics
 * statement starts `WITH ${paramsCte}, ...` (an unreferenced CTE is parsed but never run).
 */
export const paramsCte = `params AS (SELECT $1::uuid AS tenant_id, $2::timestamptz AS t0, $3::timestamptz AS t1, $4::text AS tz, $5::timestamptz AS stable)`;

/** One row per reply or conversation: at, persona_id, model_id, conversations, replies, insufficient, spent, input_tokens, output_tokens. */
export const usageRows = `
  SELECT r.bucket AS at, NULLIF(r.persona_id, ${nil}) AS persona_id, NULLIF(r.model_id, ${nil}) AS model_id, r.conversations, r.replies,
         r.insufficient, r.credits_spent AS spent, r.input_tokens, r.output_tokens
    FROM analytics_usage_rollups r
   WHERE r.tenant_id = $1 AND r.bucket >= $2 AND r.bucket < $5
  UNION ALL
  SELECT m.created_at, m.persona_id, m.model_id, 0, 1, (m.error_code IS NOT DISTINCT FROM 'insufficient_credits')::int, coalesce(m.charged, 0),
         coalesce(m.input_tokens, 0), coalesce(m.output_tokens, 0)
    FROM chat_messages m
   WHERE m.tenant_id = $1 AND m.role = 'assistant' AND m.created_at >= $5 AND m.created_at < $3
  UNION ALL
  SELECT c.created_at, c.persona_id, NULL, 1, 0, 0, 0, 0, 0
    FROM chat_conversations c
   WHERE c.tenant_id = $1 AND c.created_at >= $5 AND c.created_at < $3`;

/** Who sent a message when: at, visitor_id (one row per visitor and bucket in the rollups). */
export const visitorRows = `
  SELECT v.bucket AS at, v.visitor_id FROM analytics_visitor_rollups v
   WHERE v.tenant_id = $1 AND v.bucket >= $2 AND v.bucket < $5
  UNION ALL
  SELECT m.created_at, m.visitor_id FROM chat_messages m
   WHERE m.tenant_id = $1 AND m.role = 'user' AND m.created_at >= $5 AND m.created_at < $3`;

/** Tokens priced at the model's provider cost, in micro-units: an expression over `u` joined to `cm`. */
export const costMicros = (u: string) =>
  `coalesce(${u}.input_tokens * cm.input_cost_per_1m_micros + ${u}.output_tokens * cm.output_cost_per_1m_micros, 0)`;
