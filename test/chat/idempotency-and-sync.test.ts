import { expectLedgerInvariants } from '../support/ledger';
import { call, clientId, connectWidget, seedChatTenant, send, startChatServer, WidgetRecorder, type ChatServer } from '../support/chat';

let server: ChatServer;
beforeAll(async () => {
  server = await startChatServer();
});
afterAll(() => server.close());

async function usageTransactions(tenantId: string): Promise<number> {
  const { rows } = await server.deps.pool.query(`SELECT count(*)::int AS n FROM ledger_transactions WHERE tenant_id = $1 AND kind = 'usage'`, [tenantId]);
  return rows[0].n as number;
}

const requestsFor = (text: string) =>
  server.openai.requests.filter((r) => JSON.stringify(r.body).includes(text)).length;

describe('the same client message id sent twice', () => {
  it('sequentially: one reply, one charge, and the second ack says duplicate', async () => {
    server.openai.setBehaviour({ replyTokens: 20, tokensPerSecond: 0 });
    const tenant = await seedChatTenant(server.deps);
    const { socket } = await connectWidget(server, { key: tenant.key });
    const widget = new WidgetRecorder(socket);
    const text = `sequential ${clientId()}`;
    const payload = { clientMessageId: clientId(), personaId: tenant.personaId, text };
    const first = await send(socket, payload);
    if (!first.ok) throw new Error(JSON.stringify(first.error));
    const { balance } = await widget.ended(first.messageId);
    const second = await send(socket, payload);
    expect(second).toEqual({ ok: true, conversationId: first.conversationId, messageId: first.messageId, userMessageId: first.userMessageId, duplicate: true });
    await new Promise((r) => setTimeout(r, 100));
    expect(widget.ends).toHaveLength(1);
    expect(requestsFor(text)).toBe(1);
    expect(await usageTransactions(tenant.tenantId)).toBe(1);
    expect(balance.balance).toBe(50_000 - widget.ends[0]!.charged);
    socket.close();
    await expectLedgerInvariants(server.deps.pool, tenant.tenantId);
  });

  it('concurrently, from two tabs of one visitor: one reply, one charge', async () => {
    server.openai.setBehaviour({ replyTokens: 20, tokensPerSecond: 100 });
    const tenant = await seedChatTenant(server.deps);
    const tab1 = await connectWidget(server, { key: tenant.key });
    const tab2 = await connectWidget(server, { key: tenant.key, visitorToken: tab1.session.visitorToken });
    expect(tab2.session.visitorId).toBe(tab1.session.visitorId);
    const widget = new WidgetRecorder(tab2.socket);
    const text = `concurrent ${clientId()}`;
    const payload = { clientMessageId: clientId(), personaId: tenant.personaId, text };
    const acks = await Promise.all([send(tab1.socket, payload), send(tab2.socket, payload), send(tab1.socket, payload)]);
    const oks = acks.map((a) => {
      if (!a.ok) throw new Error(JSON.stringify(a.error));
      return a;
    });
    expect(new Set(oks.map((a) => a.messageId)).size).toBe(1);
    expect(oks.filter((a) => !a.duplicate)).toHaveLength(1);
    await widget.ended(oks[0]!.messageId);
    await new Promise((r) => setTimeout(r, 100));
    expect(widget.ends).toHaveLength(1);
    // One provider call streams the reply. When the send that turns out to be the duplicate was the
    // one started early (early-start.ts), its call is aborted unread once the other send's turn
    // wins: at most one such call, and it never completes.
    const calls = server.openai.requests.filter((r) => JSON.stringify(r.body).includes(text));
    const outcomes = await Promise.all(calls.map((r) => r.ended));
    expect(outcomes.filter((o) => o === 'completed')).toHaveLength(1);
    expect(outcomes.filter((o) => o !== 'completed')).toEqual(calls.length === 2 ? ['client_closed'] : []);
    expect(await usageTransactions(tenant.tenantId)).toBe(1);
    tab1.socket.close();
    tab2.socket.close();
    await expectLedgerInvariants(server.deps.pool, tenant.tenantId);
  });
});

describe('disconnect mid-stream, reconnect, sync', () => {
  it('delivers the whole reply once, without losing or repeating text, and charges once', async () => {
    server.openai.setBehaviour({ replyTokens: 120, tokensPerSecond: 60 });
    const tenant = await seedChatTenant(server.deps);
    const first = await connectWidget(server, { key: tenant.key });
    const before = new WidgetRecorder(first.socket);
    const ack = await send(first.socket, { clientMessageId: clientId(), personaId: tenant.personaId, text: 'A long answer please' });
    if (!ack.ok) throw new Error(JSON.stringify(ack.error));
    await before.until(() => before.chunks.length >= 3);
    first.socket.disconnect();
    const seenBefore = before.textOf(ack.messageId);
    await new Promise((r) => setTimeout(r, 400)); // chunks keep coming while nobody listens

    const again = await connectWidget(server, { key: tenant.key, visitorToken: first.session.visitorToken });
    expect(again.session.visitorId).toBe(first.session.visitorId);
    const after = new WidgetRecorder(again.socket);
    const synced = await call(again.socket, 'sync', { conversationId: ack.conversationId, afterSeq: before.seqsOf(ack.messageId).at(-1)! });
    if (!synced.ok) throw new Error(JSON.stringify(synced.error));
    const reply = synced.messages.find((m) => m.id === ack.messageId)!;
    expect(synced.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(reply.status).toBe('streaming');
    expect(reply.text.startsWith(seenBefore)).toBe(true);
    expect(reply.text.length).toBeGreaterThan(seenBefore.length);

    // The widget's rule: keep the synced text, then append live chunks whose seq is greater.
    const { end } = await after.ended(ack.messageId);
    const continued = after.chunks.filter((c) => c.messageId === ack.messageId && c.seq > reply.seq);
    expect(continued.map((c) => c.seq)).toEqual(continued.map((_, i) => reply.seq + 1 + i));
    const assembled = reply.text + continued.map((c) => c.text).join('');
    const request = server.openai.requests.at(-1)!;
    expect(assembled).toBe(request.replyText);
    expect(end).toMatchObject({ status: 'done', seq: reply.seq + continued.length });
    expect(await usageTransactions(tenant.tenantId)).toBe(1);

    // Once finished, sync returns the stored reply whole.
    const done = await call(again.socket, 'sync', { conversationId: ack.conversationId, afterSeq: 0 });
    if (!done.ok) throw new Error(JSON.stringify(done.error));
    expect(done.messages.find((m) => m.id === ack.messageId)).toMatchObject({ status: 'done', text: request.replyText, seq: end.seq, charged: end.charged });
    again.socket.close();
    await expectLedgerInvariants(server.deps.pool, tenant.tenantId);
  });

  it('the database copy (what another process would sync) is never more than a few hundred ms behind, and matches its seq', async () => {
    server.openai.setBehaviour({ replyTokens: 120, tokensPerSecond: 60 });
    const tenant = await seedChatTenant(server.deps);
    const { socket } = await connectWidget(server, { key: tenant.key });
    const widget = new WidgetRecorder(socket);
    const ack = await send(socket, { clientMessageId: clientId(), personaId: tenant.personaId, text: 'Stream please' });
    if (!ack.ok) throw new Error(JSON.stringify(ack.error));
    await widget.until(() => widget.chunks.length >= 10);
    await new Promise((r) => setTimeout(r, 300));
    const { rows } = await server.deps.pool.query('SELECT text, seq, status FROM chat_messages WHERE id = $1', [ack.messageId]);
    const stored = rows[0] as { text: string; seq: number; status: string };
    expect(stored.status).toBe('streaming');
    expect(stored.seq).toBeGreaterThan(0);
    const chunks = widget.chunks.filter((c) => c.messageId === ack.messageId && c.seq <= stored.seq);
    expect(stored.text).toBe(chunks.map((c) => c.text).join(''));
    await widget.ended(ack.messageId);
    socket.close();
    await expectLedgerInvariants(server.deps.pool, tenant.tenantId);
  });
});

describe('conversations', () => {
  it('lists and loads the visitor’s own conversations, and nobody else’s', async () => {
    server.openai.setBehaviour({ replyTokens: 10, tokensPerSecond: 0 });
    const tenant = await seedChatTenant(server.deps);
    const { socket } = await connectWidget(server, { key: tenant.key });
    const widget = new WidgetRecorder(socket);
    const first = await send(socket, { clientMessageId: clientId(), personaId: tenant.personaId, text: 'First question about bread' });
    if (!first.ok) throw new Error(JSON.stringify(first.error));
    await widget.ended(first.messageId);
    const second = await send(socket, { clientMessageId: clientId(), personaId: tenant.personaId, conversationId: first.conversationId, text: 'And a follow-up' });
    if (!second.ok) throw new Error(JSON.stringify(second.error));
    expect(second.conversationId).toBe(first.conversationId);
    await widget.ended(second.messageId);
    // The follow-up carried the history to the provider.
    const body = server.openai.requests.at(-1)!.body as { messages: Array<{ role: string; content: string }> };
    expect(body.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);

    const list = await call(socket, 'conversations:list', {});
    if (!list.ok) throw new Error(JSON.stringify(list.error));
    expect(list.conversations).toEqual([expect.objectContaining({ id: first.conversationId, personaId: tenant.personaId, title: 'First question about bread' })]);
    const loaded = await call(socket, 'conversation:load', { conversationId: first.conversationId });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.error));
    expect(loaded.messages.map((m) => [m.role, m.status])).toEqual([['user', 'done'], ['assistant', 'done'], ['user', 'done'], ['assistant', 'done']]);

    const stranger = await connectWidget(server, { key: tenant.key });
    const denied = await call(stranger.socket, 'conversation:load', { conversationId: first.conversationId });
    expect(denied).toMatchObject({ ok: false, error: { code: 'not_found' } });
    const foreignSend = await send(stranger.socket, { clientMessageId: clientId(), personaId: tenant.personaId, conversationId: first.conversationId, text: 'hi' });
    expect(foreignSend).toMatchObject({ ok: false, error: { code: 'not_found' } });
    socket.close();
    stranger.socket.close();
    await expectLedgerInvariants(server.deps.pool, tenant.tenantId);
  });
});
