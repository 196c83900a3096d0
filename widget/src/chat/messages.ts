import type { MessageStatus, MessageView, ServerToClientEvents, WireErrorCode } from '../../../server/src/wire/chat';

/**
 * The widget's copy of a conversation, and the rules that keep it exact under reconnects, reloads
 * and duplicated deliveries: server snapshots replace local copies when they are at least as far
 * along, and a live chunk is appended only when its `seq` is the next one expected.
 */
export type LocalStatus = MessageStatus | 'pending' | 'sent' | 'unsent';

export interface ChatMessage {
  /** Server id; absent while a user message waits in the outbox. */
  id?: string;
  clientMessageId: string | null;
  role: 'user' | 'assistant';
  text: string;
  status: LocalStatus;
  /** Last chunk included in `text` (assistant messages). */
  seq: number;
  charged: number | null;
  /** Why a user message was not accepted, or why a reply failed. */
  error?: WireErrorCode;
}

type ChunkEvent = Parameters<ServerToClientEvents['message:chunk']>[0];
type StartEvent = Parameters<ServerToClientEvents['message:start']>[0];
type EndEvent = Parameters<ServerToClientEvents['message:end']>[0];

export const fromView = (view: MessageView): ChatMessage => ({
  id: view.id,
  clientMessageId: view.clientMessageId,
  role: view.role,
  text: view.text,
  status: view.role === 'user' ? 'sent' : view.status,
  seq: view.seq,
  charged: view.charged,
});

const sameMessage = (local: ChatMessage, view: MessageView) =>
  local.id === view.id || (!local.id && local.role === view.role && !!view.clientMessageId && local.clientMessageId === view.clientMessageId);

/**
 * Merges server snapshots (`conversation:load`, `sync`) into the local list. A snapshot never moves a
 * reply backwards: one older than what live chunks already delivered is ignored.
 */
export function mergeSnapshot(list: ChatMessage[], views: readonly MessageView[]): ChatMessage[] {
  const merged = [...list];
  let insertAt = 0;
  for (const view of views) {
    const index = merged.findIndex((local) => sameMessage(local, view));
    if (index < 0) {
      merged.splice(insertAt, 0, fromView(view));
      insertAt++;
      continue;
    }
    const local = merged[index]!;
    if (view.role === 'user' || view.seq > local.seq || (view.seq === local.seq && view.status !== 'streaming')) {
      merged[index] = { ...fromView(view), error: local.error };
    }
    insertAt = index + 1;
  }
  return merged;
}

/** `message:start`: the reply's placeholder goes right after the message it answers. */
export function startReply(list: ChatMessage[], start: StartEvent): ChatMessage[] {
  if (list.some((m) => m.id === start.messageId)) return list;
  const next = [...list];
  const userIndex = next.findIndex((m) => m.role === 'user' && m.clientMessageId === start.clientMessageId);
  if (userIndex >= 0) next[userIndex] = { ...next[userIndex]!, id: start.userMessageId, status: 'sent' };
  const reply: ChatMessage = { id: start.messageId, clientMessageId: start.clientMessageId, role: 'assistant', text: '', status: 'streaming', seq: 0, charged: null };
  next.splice(userIndex >= 0 ? userIndex + 1 : next.length, 0, reply);
  return next;
}

export type ChunkResult = 'applied' | 'duplicate' | 'gap' | 'unknown';

/** Appends a chunk in place if it is the next one; a repeat is dropped, a gap asks for `sync`. */
export function applyChunk(list: ChatMessage[], chunk: ChunkEvent): ChunkResult {
  const message = list.find((m) => m.id === chunk.messageId);
  if (!message) return 'unknown';
  if (chunk.seq <= message.seq) return 'duplicate';
  if (chunk.seq > message.seq + 1) return 'gap';
  message.text += chunk.text;
  message.seq = chunk.seq;
  return 'applied';
}

/** `message:end`: final status and charge; true when chunks are still missing (call `sync`). */
export function endReply(list: ChatMessage[], end: EndEvent): boolean {
  const message = list.find((m) => m.id === end.messageId);
  if (!message) return true;
  message.charged = end.charged;
  message.error = end.error?.code;
  if (end.seq > message.seq) return true;
  message.status = end.status;
  return false;
}
