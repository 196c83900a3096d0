import type { Pool } from 'pg';
import { notFound } from '../http/errors';

/**
 * Conversations as the tenant reads them in the dashboard. Every statement names the tenant, so
 * another workspace's id finds nothing (404).
 */
interface SummaryRow {
  id: string;
  visitor_id: string;
  persona_id: string | null;
  persona_name: string | null;
  title: string;
  messages: string;
  charged: string;
  created_at: Date;
  updated_at: Date;
}

const summaryColumns = `
  c.id, c.visitor_id, c.persona_id, p.name AS persona_name, c.title, c.created_at, c.updated_at,
  (SELECT count(*) FROM chat_messages m WHERE m.conversation_id = c.id) AS messages,
  (SELECT coalesce(sum(m.charged), 0) FROM chat_messages m WHERE m.conversation_id = c.id AND m.role = 'assistant') AS charged`;

const summaryView = (r: SummaryRow) => ({
  id: r.id,
  visitorId: r.visitor_id,
  personaId: r.persona_id,
  personaName: r.persona_name,
  title: r.title,
  messages: Number(r.messages),
  creditsCharged: Number(r.charged),
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

export async function listConversations(o: { db: Pool; tenantId: string; visitorId?: string; before?: string; limit: number }) {
  const { rows } = await o.db.query<SummaryRow>(
    `SELECT ${summaryColumns} FROM chat_conversations c LEFT JOIN personas p ON p.id = c.persona_id AND p.tenant_id = c.tenant_id
      WHERE c.tenant_id = $1 AND ($2::uuid IS NULL OR c.visitor_id = $2) AND ($3::timestamptz IS NULL OR c.created_at < $3)
      ORDER BY c.created_at DESC, c.id DESC LIMIT $4`,
    [o.tenantId, o.visitorId ?? null, o.before ?? null, o.limit],
  );
  return rows.map(summaryView);
}

interface MessageRow {
  id: string;
  role: 'user' | 'assistant';
  text: string;
  status: 'streaming' | 'done' | 'stopped' | 'failed' | 'interrupted';
  model_id: string | null;
  model_name: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  charged: string | null;
  error_code: string | null;
  created_at: Date;
}

export async function conversationDetail({ db, tenantId, id }: { db: Pool; tenantId: string; id: string }) {
  const { rows } = await db.query<SummaryRow>(
    `SELECT ${summaryColumns} FROM chat_conversations c LEFT JOIN personas p ON p.id = c.persona_id AND p.tenant_id = c.tenant_id
      WHERE c.tenant_id = $1 AND c.id = $2`,
    [tenantId, id],
  );
  if (!rows[0]) throw notFound('conversation');
  const messages = await db.query<MessageRow>(
    `SELECT m.id, m.role, m.text, m.status, m.model_id, cm.display_name AS model_name, m.input_tokens, m.output_tokens,
            m.charged, m.error_code, m.created_at
       FROM chat_messages m LEFT JOIN catalogue_models cm ON cm.id = m.model_id AND cm.tenant_id = m.tenant_id
      WHERE m.conversation_id = $1 AND m.tenant_id = $2
      ORDER BY m.created_at, m.role DESC LIMIT 500`,
    [id, tenantId],
  );
  return {
    conversation: summaryView(rows[0]),
    messages: messages.rows.map((m) => ({
      id: m.id,
      role: m.role,
      text: m.text,
      status: m.status,
      modelId: m.model_id,
      modelName: m.model_name,
      inputTokens: m.input_tokens,
      outputTokens: m.output_tokens,
      charged: m.charged === null ? null : Number(m.charged),
      errorCode: m.error_code,
      createdAt: m.created_at.toISOString(),
    })),
  };
}
