import { turnCost } from '../../server/src/ledger/pricing';
import { countPromptTokens, countTextTokens } from '../../server/src/providers/tokens';
import { expectLedgerInvariants } from '../support/ledger';
import { clientId, connectWidget, seedChatTenant, send, startChatServer, WidgetRecorder, type ChatServer } from '../support/chat';

let server: ChatServer;
beforeAll(async () => {
  server = await startChatServer();
});
afterAll(() => server.close());

async function holdsOf(tenantId: string): Promise<Array<{ status: string; settled_amount: string | null }>> {
  const { rows } = await server.deps.pool.query(
    'SELECT h.status, h.settled_amount FROM holds h JOIN ledger_accounts a ON a.id = h.account_id WHERE a.tenant_id = $1', [tenantId],
  );
  return rows;
}

async function messageRow(id: string) {
  const { rows } = await server.deps.pool.query('SELECT status, text, charged, error_code FROM chat_messages WHERE id = $1', [id]);
  return rows[0] as { status: string; text: string; charged: string; error_code: string | null };
}

it('stop mid-stream aborts the provider and charges only the prompt and the text delivered', async () => {
  const systemPrompt = 'You are terse.';
  const tenant = await seedChatTenant(server.deps, { systemPrompt });
  const { socket } = await connectWidget(server, { key: tenant.key });
  const widget = new WidgetRecorder(socket);
  const text = 'Count slowly to two hundred';
  server.openai.setBehaviour({ replyTokens: 300, tokensPerSecond: 60 });
  const ack = await send(socket, { clientMessageId: clientId(), personaId: tenant.personaId, text });
  if (!ack.ok) throw new Error(JSON.stringify(ack.error));
  await widget.until(() => widget.chunks.filter((c) => c.messageId === ack.messageId).length >= 3);
  const stopped = await socket.timeout(5000).emitWithAck('message:stop', { messageId: ack.messageId });
  expect(stopped).toEqual({ ok: true, stopped: true });
  const { end, balance } = await widget.ended(ack.messageId);

  const delivered = widget.textOf(ack.messageId);
  const request = server.openai.requests.at(-1)!;
  expect(await request.ended).toBe('client_closed');
  expect(delivered.length).toBeGreaterThan(0);
  expect(request.replyText.startsWith(delivered)).toBe(true);
  expect(delivered.length).toBeLessThan(request.replyText.length);
  const inputTokens = countPromptTokens({ system: systemPrompt, messages: [{ role: 'user', content: text }] });
  const expected = turnCost({ price: tenant.price, inputTokens, outputTokens: countTextTokens(delivered) });
  expect(end).toMatchObject({ status: 'stopped', charged: expected, usage: { inputTokens, outputTokens: countTextTokens(delivered) } });
  expect(end.seq).toBe(widget.seqsOf(ack.messageId).length);
  expect(balance.balance).toBe(50_000 - expected);
  expect(await messageRow(ack.messageId)).toMatchObject({ status: 'stopped', text: delivered, charged: String(expected) });
  expect(await holdsOf(tenant.tenantId)).toEqual([{ status: 'posted', settled_amount: String(expected) }]);
  // Stopping a finished reply is a no-op.
  expect(await socket.timeout(5000).emitWithAck('message:stop', { messageId: ack.messageId })).toEqual({ ok: true, stopped: false });
  socket.close();
  await expectLedgerInvariants(server.deps.pool, tenant.tenantId);
});

describe.each([
  { when: 'before the first token (HTTP 500, after the SDK retry)', behaviour: { failStatus: 500 }, partial: false },
  { when: 'mid-stream (connection reset)', behaviour: { resetAfterTokens: 6 }, partial: true },
  { when: 'mid-stream (the provider stalls)', behaviour: { stallAfterTokens: 4 }, partial: true },
])('provider failure $when', ({ behaviour, partial }) => {
  it('charges nothing, releases the hold, and marks the message failed with provider_unavailable', async () => {
    const tenant = await seedChatTenant(server.deps, { provider: 'anthropic' });
    server.anthropic.setBehaviour({ replyTokens: 50, tokensPerSecond: 200, ...behaviour });
    try {
      const { socket } = await connectWidget(server, { key: tenant.key });
      const widget = new WidgetRecorder(socket);
      const ack = await send(socket, { clientMessageId: clientId(), personaId: tenant.personaId, text: 'Hello?' });
      if (!ack.ok) throw new Error(JSON.stringify(ack.error));
      const { end, balance } = await widget.ended(ack.messageId);
      expect(end).toMatchObject({ status: 'failed', charged: 0, usage: null, error: { code: 'provider_unavailable' } });
      expect(widget.textOf(ack.messageId).length > 0).toBe(partial);
      expect(balance).toMatchObject({ balance: 50_000, reserved: 0, available: 50_000 });
      expect(await messageRow(ack.messageId)).toMatchObject({ status: 'failed', charged: '0', error_code: 'provider_unavailable' });
      expect(await holdsOf(tenant.tenantId)).toEqual([{ status: 'voided', settled_amount: null }]);
      socket.close();
      await expectLedgerInvariants(server.deps.pool, tenant.tenantId);
    } finally {
      server.anthropic.setBehaviour({ failStatus: undefined, resetAfterTokens: undefined, stallAfterTokens: undefined });
    }
  });
});
