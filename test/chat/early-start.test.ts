import { EarlyStarts } from '../../server/src/chat/early-start';
import { release, reserve } from '../../server/src/ledger/hot-path';
import { turnCost } from '../../server/src/ledger/pricing';
import { expectLedgerInvariants, key } from '../support/ledger';
import { clientId, connectWidget, seedChatTenant, send, startChatServer, WidgetRecorder, type ChatServer } from '../support/chat';

describe('when a provider call may start before its hold (EarlyStarts)', () => {
  const base = { clientMessageId: 'm1', fullHold: 1_000, activeHere: 0, maxConcurrentTurns: 2 };

  it('starts only for a visitor this process saw able to pay the full hold, less what it held since', () => {
    const starts = new EarlyStarts();
    expect(starts.shouldStart({ ...base, visitorId: 'v-unknown' })).toBe(false);
    starts.noteAvailable('v', 1_500);
    expect(starts.shouldStart({ ...base, visitorId: 'v', clientMessageId: 'm2' })).toBe(true);
    starts.noteHeld('v', 600);
    expect(starts.shouldStart({ ...base, visitorId: 'v', clientMessageId: 'm3' })).toBe(false);
    starts.noteAvailable('v', 999);
    expect(starts.shouldStart({ ...base, visitorId: 'v', clientMessageId: 'm4' })).toBe(false);
  });

  it('never starts a resent client message id, nor beyond the concurrent-turn limit', () => {
    const starts = new EarlyStarts();
    starts.noteAvailable('v', 1_000_000);
    expect(starts.shouldStart({ ...base, visitorId: 'v', clientMessageId: 'same' })).toBe(true);
    expect(starts.shouldStart({ ...base, visitorId: 'v', clientMessageId: 'same' })).toBe(false);
    expect(starts.shouldStart({ ...base, visitorId: 'v', clientMessageId: 'other', activeHere: 2 })).toBe(false);
  });

  it('counts calls still waiting for their hold against the concurrent-turn limit', () => {
    const starts = new EarlyStarts();
    starts.noteAvailable('v', 1_000_000);
    const provider = { name: 'demo' as const, stream: async function* () { /* never asked for anything */ } };
    const request = { model: 'm', messages: [], maxOutputTokens: 10 };
    const first = starts.start('v', provider, request);
    const second = starts.start('v', provider, request);
    expect(starts.shouldStart({ ...base, visitorId: 'v', clientMessageId: 'third' })).toBe(false);
    first.adopt();
    second.abandon();
    expect(second.controller.signal.aborted).toBe(true);
    expect(starts.shouldStart({ ...base, visitorId: 'v', clientMessageId: 'fourth' })).toBe(true);
  });

  it("never starts beyond the visitor's message rate limit as this process counts it, per minute", () => {
    const starts = new EarlyStarts();
    starts.noteAvailable('v', 1_000_000);
    const at = (clientMessageId: string, now: number) => starts.shouldStart({ ...base, visitorId: 'v', clientMessageId, perMinute: 2, now });
    expect([at('a', 0), at('b', 1_000), at('c', 2_000)]).toEqual([true, true, false]);
    expect(at('d', 61_000)).toBe(true);
  });

  it('starts for a free model without any balance seen', () => {
    expect(new EarlyStarts().shouldStart({ ...base, visitorId: 'v', fullHold: 0 })).toBe(true);
  });

  it('forgets the oldest visitors and ids beyond its bounds', () => {
    const starts = new EarlyStarts({ maxVisitors: 2, maxRecentIds: 1 });
    for (const v of ['a', 'b', 'c']) starts.noteAvailable(v, 10_000);
    expect(starts.shouldStart({ ...base, visitorId: 'a', clientMessageId: 'x' })).toBe(false);
    expect(starts.shouldStart({ ...base, visitorId: 'c', clientMessageId: 'y' })).toBe(true);
    // Only the last id is remembered: 'x' may start again, 'y' (just seen) may not.
    expect(starts.shouldStart({ ...base, visitorId: 'c', clientMessageId: 'x' })).toBe(true);
  });
});

describe('a provider call started while its hold is being placed', () => {
  let server: ChatServer;
  beforeAll(async () => {
    server = await startChatServer();
  });
  afterAll(() => server.close());

  // Output dominates the price, so the full hold (a 500-token reply) is far above a minimal one.
  const price = { messageFee: 100, inputPer1k: 300, outputPer1k: 10_000 };

  /**
   * Runs `during` while `parley_chat_begin_turn` is kept waiting on the visitor's advisory lock, so
   * that whatever the provider sees meanwhile was sent before the hold was placed.
   */
  async function whileHoldWaits<T>(visitorId: string, during: () => Promise<T>): Promise<T> {
    const client = await server.deps.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SELECT pg_advisory_xact_lock(hashtextextended('chat-turn:' || $1::text, 7))`, [visitorId]);
      return await during();
    } finally {
      await client.query('COMMIT');
      client.release();
    }
  }

  /** Waits (no deadline but the test's) until the fake provider has received `count` more requests. */
  async function providerReceived(before: number, count = 1): Promise<void> {
    while (server.openai.requests.length < before + count) await new Promise((r) => setTimeout(r, 5));
  }

  it('a hold granted in full: the provider call went out while the hold waited, and the reply is charged exactly', async () => {
    server.openai.setBehaviour({ replyTokens: 30, tokensPerSecond: 0, firstTokenMs: 0, inputTokens: 41, outputTokens: 30 });
    const tenant = await seedChatTenant(server.deps, { price, welcomeCredits: 50_000, maxOutputTokens: 500 });
    const { socket, session } = await connectWidget(server, { key: tenant.key });
    const widget = new WidgetRecorder(socket);
    const before = server.openai.requests.length;

    // Wrapped: an async function returning a promise would wait for it (and the ack waits for the lock).
    const { acked } = await whileHoldWaits(session.visitorId, async () => {
      const acked = send(socket, { clientMessageId: clientId(), personaId: tenant.personaId, text: 'Quick one' });
      await providerReceived(before);
      // The reply is complete at the provider, yet nothing reached the visitor: the hold is not placed.
      await server.openai.requests[before]!.ended;
      expect(widget.starts).toEqual([]);
      expect(widget.chunks).toEqual([]);
      return { acked };
    });
    const ack = await acked;
    if (!ack.ok) throw new Error(JSON.stringify(ack.error));
    const { end, balance } = await widget.ended(ack.messageId);
    expect(server.openai.requests.length).toBe(before + 1);
    expect(server.openai.requests[before]!.body).toMatchObject({ max_tokens: 500 });
    expect(widget.textOf(ack.messageId)).toBe(server.openai.requests[before]!.replyText);
    const expected = turnCost({ price, inputTokens: 41, outputTokens: 30 });
    expect(end).toMatchObject({ status: 'done', charged: expected, usage: { inputTokens: 41, outputTokens: 30 } });
    expect(balance.available).toBe(50_000 - expected);
    socket.close();
    await expectLedgerInvariants(server.deps.pool, tenant.tenantId);
  });

  /** A visitor whose balance this process saw as 50,000, then spent elsewhere down to `available`. */
  async function visitorSpentElsewhere(available: number) {
    const tenant = await seedChatTenant(server.deps, { price, welcomeCredits: 50_000, maxOutputTokens: 500 });
    const { socket, session } = await connectWidget(server, { key: tenant.key });
    expect(session.balance.available).toBe(50_000);
    const now = server.deps.clock.now();
    const elsewhere = await reserve({
      db: server.deps.pool, tenantId: tenant.tenantId, visitorId: session.visitorId, min: 50_000 - available, max: 50_000 - available,
      expiresAt: new Date(now.getTime() + 3_600_000), idempotencyKey: key('elsewhere'), price, now,
    });
    if (!elsewhere.ok) throw new Error('the hold elsewhere was refused');
    const cleanUp = async () => {
      socket.close();
      await release({ db: server.deps.pool, tenantId: tenant.tenantId, holdId: elsewhere.hold.id, now: server.deps.clock.now() });
      await expectLedgerInvariants(server.deps.pool, tenant.tenantId);
    };
    return { tenant, socket, visitorId: session.visitorId, cleanUp };
  }

  it('a partial hold: the early call is aborted and the reply is asked again at the length the hold pays for, charged exactly', async () => {
    server.openai.setBehaviour({ replyTokens: 400, tokensPerSecond: 0, firstTokenMs: 150, inputTokens: undefined, outputTokens: undefined });
    const { socket, tenant, visitorId, cleanUp } = await visitorSpentElsewhere(2_000);
    const widget = new WidgetRecorder(socket);
    const before = server.openai.requests.length;

    const ack = await (await whileHoldWaits(visitorId, async () => {
      const sent = send(socket, { clientMessageId: clientId(), personaId: tenant.personaId, text: 'Tell me everything' });
      await providerReceived(before);
      return { sent };
    })).sent;
    if (!ack.ok) throw new Error(JSON.stringify(ack.error));
    const { end, balance } = await widget.ended(ack.messageId);

    const requests = server.openai.requests.slice(before);
    expect(requests).toHaveLength(2);
    const [early, asked] = requests as [typeof requests[0], typeof requests[0]];
    expect(early.body).toMatchObject({ max_tokens: 500 });
    await expect(early.ended).resolves.toBe('client_closed');
    const maxTokens = (asked.body as { max_tokens: number }).max_tokens;
    expect(maxTokens).toBeLessThan(500);
    expect(maxTokens).toBeGreaterThan(0);
    expect(widget.textOf(ack.messageId)).toBe(asked.replyText);
    const usage = end.usage!;
    expect(usage.outputTokens).toBe(maxTokens);
    expect(end).toMatchObject({ status: 'done', charged: turnCost({ price, inputTokens: usage.inputTokens, outputTokens: usage.outputTokens }) });
    expect(end.charged).toBeLessThanOrEqual(2_000);
    expect(balance.available).toBe(2_000 - end.charged);
    await cleanUp();
  });

  it('no hold at all: the early call is aborted, nothing is streamed or charged', async () => {
    server.openai.setBehaviour({ replyTokens: 40, tokensPerSecond: 0, firstTokenMs: 150 });
    const { socket, tenant, visitorId, cleanUp } = await visitorSpentElsewhere(100);
    const widget = new WidgetRecorder(socket);
    const before = server.openai.requests.length;

    const ack = await (await whileHoldWaits(visitorId, async () => {
      const sent = send(socket, { clientMessageId: clientId(), personaId: tenant.personaId, text: 'Hello?' });
      await providerReceived(before);
      return { sent };
    })).sent;
    expect(ack.ok).toBe(false);
    if (ack.ok) return;
    expect(ack.error.code).toBe('insufficient_credits');
    expect(ack.error.details).toMatchObject({ available: 100 });
    const requests = server.openai.requests.slice(before);
    expect(requests).toHaveLength(1);
    await expect(requests[0]!.ended).resolves.toBe('client_closed');
    expect(widget.starts).toEqual([]);
    expect(widget.chunks).toEqual([]);
    await cleanUp();
  });

  it('a resent message is answered as a duplicate without a second provider call', async () => {
    server.openai.setBehaviour({ replyTokens: 10, tokensPerSecond: 0, firstTokenMs: 0 });
    const tenant = await seedChatTenant(server.deps, { welcomeCredits: 50_000 });
    const { socket } = await connectWidget(server, { key: tenant.key });
    const widget = new WidgetRecorder(socket);
    const payload = { clientMessageId: clientId(), personaId: tenant.personaId, text: 'Once' };
    const first = await send(socket, payload);
    if (!first.ok) throw new Error(JSON.stringify(first.error));
    await widget.ended(first.messageId);
    const before = server.openai.requests.length;

    const again = await send(socket, payload);
    expect(again).toMatchObject({ ok: true, duplicate: true, messageId: first.messageId });
    await new Promise((r) => setTimeout(r, 100));
    expect(server.openai.requests.length).toBe(before);
    socket.close();
    await expectLedgerInvariants(server.deps.pool, tenant.tenantId);
  });
});
