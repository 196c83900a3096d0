import { turnCost } from '../../server/src/ledger/pricing';
import { expectLedgerInvariants } from '../support/ledger';
import { clientId, connectWidget, seedChatTenant, send, startChatServer, WidgetRecorder, type ChatServer } from '../support/chat';

let server: ChatServer;
beforeAll(async () => {
  server = await startChatServer();
});
afterAll(() => server.close());

describe.each(['openai', 'anthropic'] as const)('a full turn through the %s SDK', (provider) => {
  it('streams the reply in order and charges exactly fee + tokens × rates, and the balance push says so', async () => {
    const fake = provider === 'openai' ? server.openai : server.anthropic;
    fake.setBehaviour({ replyTokens: 40, tokensPerSecond: 400, inputTokens: 57, outputTokens: 40 });
    const tenant = await seedChatTenant(server.deps, { provider, welcomeCredits: 50_000 });
    const { socket, session } = await connectWidget(server, { key: tenant.key });
    const widget = new WidgetRecorder(socket);
    expect(session.welcomeGranted).toBe(50_000);
    expect(session.balance).toMatchObject({ balance: 50_000, reserved: 0, available: 50_000 });

    const ack = await send(socket, { clientMessageId: clientId(), personaId: tenant.personaId, text: 'How much is a loaf of rye?' });
    if (!ack.ok) throw new Error(JSON.stringify(ack.error));
    expect(ack.duplicate).toBe(false);
    const { end, balance } = await widget.ended(ack.messageId);

    const expected = turnCost({ price: tenant.price, inputTokens: 57, outputTokens: 40 });
    expect(expected).toBe(100 + Math.ceil((57 * 300) / 1000) + Math.ceil((40 * 1200) / 1000));
    expect(end).toMatchObject({ status: 'done', charged: expected, usage: { inputTokens: 57, outputTokens: 40 } });
    const seqs = widget.seqsOf(ack.messageId);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(end.seq).toBe(seqs.length);
    const request = fake.requests.at(-1)!;
    expect(widget.textOf(ack.messageId)).toBe(request.replyText);
    expect(balance).toMatchObject({ balance: 50_000 - expected, reserved: 0, available: 50_000 - expected });

    const { rows } = await server.deps.pool.query(
      'SELECT status, text, seq, charged, input_tokens, output_tokens, usage_reported, price, provider FROM chat_messages WHERE id = $1',
      [ack.messageId],
    );
    expect(rows[0]).toMatchObject({
      status: 'done', text: request.replyText, seq: seqs.length, charged: String(expected), input_tokens: 57, output_tokens: 40,
      usage_reported: true, price: tenant.price, provider,
    });
    socket.close();
    await expectLedgerInvariants(server.deps.pool, tenant.tenantId);
  });
});

describe('charging edge cases', () => {
  it('insufficient credits: nothing streamed, nothing charged, and the error carries the balance, minimal cost and packs', async () => {
    const tenant = await seedChatTenant(server.deps, { welcomeCredits: 120 });
    const pack = await server.deps.models.CreditPack.create({ tenantId: tenant.tenantId, name: 'Starter', credits: 100_000, amountMinor: 500, currency: 'EUR' });
    const { socket } = await connectWidget(server, { key: tenant.key });
    const widget = new WidgetRecorder(socket);
    const requestsBefore = server.openai.requests.length;

    const ack = await send(socket, { clientMessageId: clientId(), personaId: tenant.personaId, text: 'Tell me a long story' });
    expect(ack.ok).toBe(false);
    if (ack.ok) return;
    expect(ack.error.code).toBe('insufficient_credits');
    expect(ack.error.details).toMatchObject({ balance: 120, available: 120, packs: [{ id: pack.id, name: 'Starter', credits: 100_000, amountMinor: 500, currency: 'EUR' }] });
    expect(ack.error.details?.minimalCost).toBeGreaterThan(120);
    await new Promise((r) => setTimeout(r, 100));
    expect(widget.chunks).toEqual([]);
    expect(widget.starts).toEqual([]);
    expect(server.openai.requests.length).toBe(requestsBefore);
    const { rows } = await server.deps.pool.query(
      `SELECT count(*)::int AS holds FROM holds h JOIN ledger_accounts a ON a.id = h.account_id WHERE a.tenant_id = $1`, [tenant.tenantId],
    );
    expect(rows[0].holds).toBe(0);
    socket.close();
    await expectLedgerInvariants(server.deps.pool, tenant.tenantId);
  });

  it('sizes the reply from the credits held when the balance cannot pay for the longest one', async () => {
    server.openai.setBehaviour({ replyTokens: 400, tokensPerSecond: 0, inputTokens: undefined, outputTokens: undefined });
    const tenant = await seedChatTenant(server.deps, { welcomeCredits: 1_000, price: { messageFee: 100, inputPer1k: 300, outputPer1k: 10_000 } });
    const { socket } = await connectWidget(server, { key: tenant.key });
    const widget = new WidgetRecorder(socket);
    const ack = await send(socket, { clientMessageId: clientId(), personaId: tenant.personaId, text: 'Hi' });
    if (!ack.ok) throw new Error(JSON.stringify(ack.error));
    const { end, balance } = await widget.ended(ack.messageId);
    const maxTokens = (server.openai.requests.at(-1)!.body as { max_tokens: number }).max_tokens;
    // What 1,000 millicredits buy after the fee and the prompt (with its headroom): far below the persona's 500.
    expect(maxTokens).toBeGreaterThanOrEqual(16);
    expect(maxTokens).toBeLessThan(90);
    expect(end.status).toBe('done');
    expect(end.usage?.outputTokens).toBe(maxTokens);
    expect(end.charged).toBeLessThanOrEqual(1_000);
    expect(balance.balance).toBe(1_000 - end.charged);
    socket.close();
    await expectLedgerInvariants(server.deps.pool, tenant.tenantId);
  });
});

it('the offline demo provider answers too, and the turn shows in the Prometheus metrics', async () => {
  const tenant = await seedChatTenant(server.deps, { provider: 'demo' });
  const { socket } = await connectWidget(server, { key: tenant.key });
  const widget = new WidgetRecorder(socket);
  const ack = await send(socket, { clientMessageId: clientId(), personaId: tenant.personaId, text: 'What is this?' });
  if (!ack.ok) throw new Error(JSON.stringify(ack.error));
  const { end } = await widget.ended(ack.messageId);
  expect(end.status).toBe('done');
  expect(widget.textOf(ack.messageId)).toContain('[Demo reply]');
  expect(end.charged).toBe(turnCost({ price: tenant.price, inputTokens: end.usage!.inputTokens, outputTokens: end.usage!.outputTokens }));
  const metrics = await server.deps.metrics.registry.metrics();
  expect(metrics).toMatch(/parley_chat_turns_total\{outcome="done"\} \d+/);
  expect(metrics).toMatch(/parley_chat_time_to_first_token_seconds_count\{provider="demo"\} 1/);
  expect(metrics).toMatch(/parley_chat_connected_sockets [1-9]/);
  expect(metrics).toMatch(/parley_chat_pending_holds 0/);
  expect(metrics).toMatch(/parley_chat_credits_charged_millicredits_total \d+/);
  expect(metrics).toMatch(/parley_chat_tokens_total\{direction="output"\} \d+/);
  socket.close();
  await expectLedgerInvariants(server.deps.pool, tenant.tenantId);
});
