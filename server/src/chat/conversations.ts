import type { Pool } from 'pg';
import { notFound } from '../http/errors';
import type { ConversationView, MessageView } from '../wire/chat';
import { conversationView, messageColumns, messageView, type ConversationRow, type MessageRow } from './views';

/**
 * The visitor's own conversations. Every query is bound to tenant and visitor, so another
 * visitor's conversation id finds nothing and answers `not_found`.
 */
interface VisitorScope {
  db: Pool;
  tenantId: string;
  visitorId: string;
}

/** Text and seq of a reply still streaming in this process: fresher than the batched database copy. */
export type LiveText = (messageId: string) => { text: string; seq: number } | undefined;

export async function listConversations({ db, tenantId, visitorId, before, limit }: VisitorScope & { before?: string; limit: number }): Promise<ConversationView[]> {
  const { rows } = await db.query<ConversationRow>(
    `SELECT id, persona_id, title, updated_at FROM chat_conversations
      WHERE tenant_id = $1 AND visitor_id = $2 AND ($3::timestamptz IS NULL OR updated_at < $3)
      ORDER BY updated_at DESC, id DESC LIMIT $4`,
    [tenantId, visitorId, before ?? null, limit],
  );
  return rows.map(conversationView);
}

async function findConversation({ db, tenantId, visitorId, conversationId }: VisitorScope & { conversationId: string }): Promise<ConversationRow> {
  const { rows } = await db.query<ConversationRow>(
    'SELECT id, persona_id, title, updated_at FROM chat_conversations WHERE id = $1 AND tenant_id = $2 AND visitor_id = $3',
    [conversationId, tenantId, visitorId],
  );
  if (!rows[0]) throw notFound('conversation');
  return rows[0];
}

async function recentMessages(db: Pool, conversationId: string, limit: number, live: LiveText): Promise<MessageView[]> {
  const { rows } = await db.query<MessageRow>(
    `SELECT * FROM (SELECT ${messageColumns} FROM chat_messages m WHERE m.conversation_id = $1
      ORDER BY m.created_at DESC, m.role DESC LIMIT $2) recent ORDER BY created_at, role DESC`,
    [conversationId, limit],
  );
  return rows.map((row) => {
    const view = messageView(row);
    const fresh = view.status === 'streaming' ? live(view.id) : undefined;
    return fresh && fresh.seq > view.seq ? { ...view, text: fresh.text, seq: fresh.seq } : view;
  });
}

export async function loadConversation(options: VisitorScope & { conversationId: string; live: LiveText }): Promise<{ conversation: ConversationView; messages: MessageView[] }> {
  const conversation = await findConversation(options);
  return { conversation: conversationView(conversation), messages: await recentMessages(options.db, conversation.id, 200, options.live) };
}

/**
 * What a reconnecting widget missed: the conversation's recent messages, each whole (its text up to
 * its `seq`, and its status). The widget replaces its copies and then appends only live chunks
 * whose seq is greater than the message's, so nothing is lost or shown twice, whichever process
 * the text came from. Whole messages (rather than text after `afterSeq`) also carry what a seq
 * cannot: a reply that ended, failed or was stopped while the widget was away, and replies started
 * from another tab. `afterSeq` is the widget's resume point; it is validated but not needed here.
 */
export async function syncConversation(options: VisitorScope & { conversationId: string; afterSeq: number; live: LiveText }): Promise<MessageView[]> {
  const conversation = await findConversation(options);
  return recentMessages(options.db, conversation.id, 50, options.live);
}
