import type { ConversationView, MessageStatus, MessageView } from '../wire/chat';

/** A chat_messages row as the read queries select it. */
export interface MessageRow {
  id: string;
  conversation_id: string;
  client_message_id: string | null;
  role: 'user' | 'assistant';
  text: string;
  status: MessageStatus;
  seq: number;
  charged: string | null;
  created_at: Date;
}

/** Selects a MessageRow; an assistant message reports the client id of the message it answers. */
export const messageColumns = `
  m.id, m.conversation_id, m.role, m.text, m.status, m.seq, m.charged, m.created_at,
  COALESCE(m.client_message_id, (SELECT u.client_message_id FROM chat_messages u WHERE u.id = m.reply_to)) AS client_message_id`;

export function messageView(row: MessageRow): MessageView {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    clientMessageId: row.client_message_id,
    role: row.role,
    text: row.text,
    status: row.status,
    seq: row.seq,
    // BIGINT arrives as a string; millicredit amounts are safe integers by construction.
    charged: row.charged === null ? null : Number(row.charged),
    createdAt: row.created_at.toISOString(),
  };
}

export interface ConversationRow {
  id: string;
  persona_id: string | null;
  title: string;
  updated_at: Date;
}

export function conversationView(row: ConversationRow): ConversationView {
  return { id: row.id, personaId: row.persona_id ?? '', title: row.title, updatedAt: row.updated_at.toISOString() };
}

/** The first words of the first message, on a word boundary. */
export function titleFrom(text: string, max = 60): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${space > max / 2 ? cut.slice(0, space) : cut}…`;
}
