/** The rules that keep a conversation exact: chunks by seq, snapshots never moving a reply backwards. */
import { applyChunk, endReply, mergeSnapshot, startReply, type ChatMessage } from '../../widget/src/chat/messages';
import type { MessageView } from '../../server/src/wire/chat';

const conversationId = 'c1';
const user = (): ChatMessage => ({ clientMessageId: 'cm1', role: 'user', text: 'hi', status: 'pending', seq: 0, charged: null });
const view = (over: Partial<MessageView>): MessageView => ({
  id: 'a1', conversationId, clientMessageId: 'cm1', role: 'assistant', text: '', status: 'streaming', seq: 0, charged: null, createdAt: '2026-01-01T00:00:00Z', ...over,
});
const start = { conversationId, messageId: 'a1', clientMessageId: 'cm1', userMessageId: 'u1', modelId: 'm', personaId: 'p' };

describe('conversation state', () => {
  it('places the reply after its message and appends chunks in seq order only', () => {
    const list = startReply([user()], start);
    expect(list.map((m) => m.id)).toEqual(['u1', 'a1']);
    expect(applyChunk(list, { conversationId, messageId: 'a1', seq: 1, text: 'Hel' })).toBe('applied');
    expect(applyChunk(list, { conversationId, messageId: 'a1', seq: 1, text: 'Hel' })).toBe('duplicate');
    expect(applyChunk(list, { conversationId, messageId: 'a1', seq: 3, text: '!' })).toBe('gap');
    expect(applyChunk(list, { conversationId, messageId: 'a1', seq: 2, text: 'lo' })).toBe('applied');
    expect(list[1]!.text).toBe('Hello');
  });

  it('takes a snapshot that is further along, ignores one that is behind, and then continues from its seq', () => {
    let list = startReply([user()], start);
    applyChunk(list, { conversationId, messageId: 'a1', seq: 1, text: 'One ' });
    applyChunk(list, { conversationId, messageId: 'a1', seq: 2, text: 'two ' });
    list = mergeSnapshot(list, [view({ text: 'One ', seq: 1 })]);
    expect(list[1]!.text).toBe('One two ');
    list = mergeSnapshot(list, [view({ text: 'One two three ', seq: 3 })]);
    expect(list[1]!.text).toBe('One two three ');
    expect(applyChunk(list, { conversationId, messageId: 'a1', seq: 3, text: 'three ' })).toBe('duplicate');
    expect(applyChunk(list, { conversationId, messageId: 'a1', seq: 4, text: 'four' })).toBe('applied');
    expect(list[1]!.text).toBe('One two three four');
  });

  it('asks for a sync when the end arrives before all chunks did', () => {
    const list = startReply([user()], start);
    applyChunk(list, { conversationId, messageId: 'a1', seq: 1, text: 'a' });
    expect(endReply(list, { conversationId, messageId: 'a1', status: 'done', seq: 2, charged: 10, usage: null })).toBe(true);
    expect(list[1]!.status).toBe('streaming');
    applyChunk(list, { conversationId, messageId: 'a1', seq: 2, text: 'b' });
    expect(endReply(list, { conversationId, messageId: 'a1', status: 'done', seq: 2, charged: 10, usage: null })).toBe(false);
    expect(list[1]).toMatchObject({ text: 'ab', status: 'done', charged: 10 });
  });

  it('matches an outbox message to the server copy by its client id', () => {
    const list = mergeSnapshot([user()], [view({ id: 'u1', role: 'user', text: 'hi', status: 'done' })]);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ id: 'u1', status: 'sent' });
  });
});
