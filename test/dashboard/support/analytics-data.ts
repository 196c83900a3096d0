import type { Pool } from 'pg';

/**
 * A small, exactly known history for analytics tests, written straight into the tables the
 * queries read (the chat and payment code that normally writes them is tested elsewhere).
 */
export interface Fixture {
  modelId: string;
  personaId: string;
  visitors: string[];
}

export async function seedCatalogue(db: Pool, tenantId: string): Promise<{ modelId: string; personaId: string }> {
  const model = await db.query<{ id: string }>(
    `INSERT INTO catalogue_models (tenant_id, provider, provider_model_id, display_name, message_fee, input_per_1k, output_per_1k,
       input_cost_per_1m_micros, output_cost_per_1m_micros) VALUES ($1, 'openai', 'gpt-test', 'GPT Test', 100, 1000, 2000, 1000000, 2000000) RETURNING id`,
    [tenantId],
  );
  const persona = await db.query<{ id: string }>(
    "INSERT INTO personas (tenant_id, name, model_id, max_output_tokens) VALUES ($1, 'Helper', $2, 512) RETURNING id",
    [tenantId, model.rows[0]!.id],
  );
  return { modelId: model.rows[0]!.id, personaId: persona.rows[0]!.id };
}

export async function addVisitor(db: Pool, tenantId: string, at: string): Promise<string> {
  const { rows } = await db.query<{ id: string }>('INSERT INTO visitors (tenant_id, created_at, last_seen_at) VALUES ($1, $2, $2) RETURNING id', [tenantId, at]);
  return rows[0]!.id;
}

/** A conversation with one turn per entry of `turns` (charged millicredits, or 'insufficient'). */
export async function addConversation(
  db: Pool,
  o: { tenantId: string; visitorId: string; personaId: string; modelId: string; at: string; turns: Array<number | 'insufficient'> },
): Promise<string> {
  const conv = await db.query<{ id: string }>(
    "INSERT INTO chat_conversations (tenant_id, visitor_id, persona_id, title, created_at, updated_at) VALUES ($1, $2, $3, 'Hello', $4, $4) RETURNING id",
    [o.tenantId, o.visitorId, o.personaId, o.at],
  );
  for (const [i, turn] of o.turns.entries()) {
    const at = new Date(Date.parse(o.at) + i * 60_000);
    const user = await db.query<{ id: string }>(
      `INSERT INTO chat_messages (tenant_id, conversation_id, visitor_id, role, client_message_id, text, status, created_at, updated_at)
       VALUES ($1, $2, $3, 'user', $4, 'question', 'done', $5, $5) RETURNING id`,
      [o.tenantId, conv.rows[0]!.id, o.visitorId, `c-${conv.rows[0]!.id}-${i}`, at],
    );
    const refused = turn === 'insufficient';
    await db.query(
      `INSERT INTO chat_messages (tenant_id, conversation_id, visitor_id, role, reply_to, text, status, persona_id, model_id,
         input_tokens, output_tokens, charged, error_code, created_at, updated_at)
       VALUES ($1, $2, $3, 'assistant', $4, 'answer', $5, $6, $7, $8, $9, $10, $11, $12, $12)`,
      [o.tenantId, conv.rows[0]!.id, o.visitorId, user.rows[0]!.id, refused ? 'failed' : 'done', o.personaId, o.modelId,
        refused ? null : 1000, refused ? null : 500, refused ? 0 : turn, refused ? 'insufficient_credits' : null, at],
    );
  }
  return conv.rows[0]!.id;
}

export async function addPurchase(db: Pool, o: { tenantId: string; visitorId: string; paidAt: string; amountMinor: number; currency: string; credits: number; refundedMinor?: number }) {
  await db.query(
    `INSERT INTO purchases (tenant_id, visitor_id, pack_name, credits, amount_minor, currency, provider, status, return_url, paid_at,
       amount_refunded_minor, created_at, updated_at)
     VALUES ($1, $2, 'Pack', $3, $4, $5, 'demo', 'paid', 'https://example.com/', $6, $7, $6, $6)`,
    [o.tenantId, o.visitorId, o.credits, o.amountMinor, o.currency, o.paidAt, o.refundedMinor ?? 0],
  );
}
