import { io } from 'socket.io-client';
import { expectLedgerInvariants } from '../support/ledger';
import {
  clientId, connectError, connectWidget, seedChatTenant, send, siteOrigin, startChatServer, WidgetRecorder, type ChatServer, type ChatTenant, type WidgetClient,
} from '../support/chat';

let server: ChatServer;
let tenant: ChatTenant;
beforeAll(async () => {
  server = await startChatServer();
  tenant = await seedChatTenant(server.deps);
});
afterAll(() => server.close());
// Whatever a test did to the gateway, the ledger must still add up (every tenant of this worker's database).
afterEach(() => expectLedgerInvariants(server.deps.pool));

describe('handshake', () => {
  it('refuses a disallowed origin, a wrong key and a revoked key with connect_error codes', async () => {
    expect((await connectError(server, { key: tenant.key, origin: 'https://evil.example' })).data?.code).toBe('origin_not_allowed');
    expect((await connectError(server, { key: tenant.key, origin: 'https://example.org' })).data?.code).toBe('origin_not_allowed');
    expect((await connectError(server, { key: 'pk_wrongwrongwrongwrongwrong', origin: siteOrigin })).data?.code).toBe('invalid_key');
    expect((await connectError(server, { key: '', origin: siteOrigin })).data?.code).toBe('invalid_key');
    const other = await seedChatTenant(server.deps);
    await server.deps.models.ApiKey.update({ revokedAt: new Date() }, { where: { tenantId: other.tenantId } });
    expect((await connectError(server, { key: other.key, origin: siteOrigin })).data?.code).toBe('invalid_key');
  });

  it('accepts wildcard subdomains and, outside production, localhost', async () => {
    for (const origin of ['https://shop.example.org', 'http://localhost:5173', 'http://127.0.0.1:8080']) {
      const { socket, session } = await connectWidget(server, { key: tenant.key, origin });
      expect(session.visitorToken).toMatch(/^v1\./);
      socket.close();
    }
  });

  it('gives a new visitor a token and the welcome credits once; the token brings the same visitor back', async () => {
    const first = await connectWidget(server, { key: tenant.key });
    expect(first.session).toMatchObject({ identified: false, welcomeGranted: 50_000, balance: { balance: 50_000, available: 50_000 } });
    expect(first.session.balance.nextExpiry?.amount).toBe(50_000);
    first.socket.close();
    const back = await connectWidget(server, { key: tenant.key, visitorToken: first.session.visitorToken });
    expect(back.session).toMatchObject({ visitorId: first.session.visitorId, welcomeGranted: 0, balance: { balance: 50_000 } });
    back.socket.close();
    const { rows } = await server.deps.pool.query(
      `SELECT count(*)::int AS n FROM grants WHERE tenant_id = $1 AND external_ref = $2`, [tenant.tenantId, `welcome:${first.session.visitorId}`],
    );
    expect(rows[0].n).toBe(1);
    await expectLedgerInvariants(server.deps.pool, tenant.tenantId);
  });

  it('treats a tampered token, or another tenant’s, as a new visitor; refuses a blocked visitor', async () => {
    const { socket, session } = await connectWidget(server, { key: tenant.key });
    socket.close();
    const [v, body, sig] = session.visitorToken.split('.');
    const tampered = `${v}.${body}.${sig!.slice(0, -2)}AA`;
    const fresh = await connectWidget(server, { key: tenant.key, visitorToken: tampered });
    expect(fresh.session.visitorId).not.toBe(session.visitorId);
    fresh.socket.close();
    const other = await seedChatTenant(server.deps);
    const elsewhere = await connectWidget(server, { key: other.key, visitorToken: session.visitorToken });
    expect(elsewhere.session.visitorId).not.toBe(session.visitorId);
    elsewhere.socket.close();

    await server.deps.pool.query('UPDATE visitors SET blocked_at = now() WHERE id = $1', [session.visitorId]);
    expect((await connectError(server, { key: tenant.key, origin: siteOrigin, visitorToken: session.visitorToken })).data?.code).toBe('visitor_blocked');
  });
});

describe('malformed payloads', () => {
  let socket: WidgetClient;
  beforeAll(async () => {
    socket = (await connectWidget(server, { key: tenant.key })).socket;
  });
  afterAll(() => socket.close());

  const sendRaw = (event: string, ...args: unknown[]) =>
    (socket.timeout(5000) as unknown as { emitWithAck(event: string, ...args: unknown[]): Promise<{ ok: boolean; error?: { code: string } }> }).emitWithAck(event, ...args);

  it.each([
    ['wrong types', { clientMessageId: 12345678, personaId: 'not-a-uuid', text: 42 }],
    ['a missing field', { clientMessageId: 'abcdefgh', text: 'hi' }],
    ['an empty text', { clientMessageId: 'abcdefgh', personaId: '00000000-0000-4000-8000-000000000000', text: '   ' }],
    ['text over the 4,000 character limit', { clientMessageId: 'abcdefgh', personaId: '00000000-0000-4000-8000-000000000000', text: 'x'.repeat(4001) }],
    ['almost 1 MB of text', { clientMessageId: 'abcdefgh', personaId: '00000000-0000-4000-8000-000000000000', text: 'x'.repeat(990_000) }],
    ['binary where text belongs', { clientMessageId: 'abcdefgh', personaId: '00000000-0000-4000-8000-000000000000', text: Buffer.from('hello') }],
    ['a string instead of an object', 'hello'],
    ['null', null],
    ['an array', [1, 2, 3]],
  ])('message:send with %s answers invalid_message', async (_label, payload) => {
    const answer = await sendRaw('message:send', payload);
    expect(answer).toMatchObject({ ok: false, error: { code: 'invalid_message' } });
  });

  it('other events validate too', async () => {
    expect(await sendRaw('sync', { conversationId: 'x', afterSeq: -1 })).toMatchObject({ ok: false, error: { code: 'invalid_message' } });
    expect(await sendRaw('message:stop', { messageId: Buffer.alloc(16) })).toMatchObject({ ok: false, error: { code: 'invalid_message' } });
    expect(await sendRaw('conversations:list', { limit: 10_000 })).toMatchObject({ ok: false, error: { code: 'invalid_message' } });
  });

  it('ignores unknown events and events without an ack, and keeps serving', async () => {
    (socket as unknown as { emit(event: string, ...args: unknown[]): void }).emit('no:such:event', { a: 1 });
    (socket as unknown as { emit(event: string, ...args: unknown[]): void }).emit('message:send', { clientMessageId: 'x' });
    (socket as unknown as { emit(event: string, ...args: unknown[]): void }).emit('sync');
    const list = await socket.timeout(5000).emitWithAck('conversations:list', {});
    expect(list).toMatchObject({ ok: true, conversations: [] });
    expect(socket.connected).toBe(true);
  });

  it('drops a connection that sends more than 1 MB, and the server carries on', async () => {
    const big = await connectWidget(server, { key: tenant.key });
    const closed = new Promise<string>((resolve) => big.socket.once('disconnect', resolve));
    big.socket.emit('message:send', { clientMessageId: 'abcdefgh', personaId: tenant.personaId, text: 'x'.repeat(1_100_000) }, () => undefined);
    expect(await closed).toMatch(/transport/);
    const { socket: next } = await connectWidget(server, { key: tenant.key });
    const widget = new WidgetRecorder(next);
    server.openai.setBehaviour({ replyTokens: 5, tokensPerSecond: 0 });
    const ack = await send(next, { clientMessageId: clientId(), personaId: tenant.personaId, text: 'still there?' });
    if (!ack.ok) throw new Error(JSON.stringify(ack.error));
    expect((await widget.end(ack.messageId)).status).toBe('done');
    next.close();
  });
});

describe('limits', () => {
  it('rate-limits messages per visitor, with retry-after', async () => {
    const strict = await startChatServer({ config: { chat: { ...server.config.chat, visitorMessagesPerMin: 2 } } });
    try {
      const t = await seedChatTenant(strict.deps);
      const { socket } = await connectWidget(strict, { key: t.key });
      strict.openai.setBehaviour({ replyTokens: 3, tokensPerSecond: 0 });
      for (let i = 0; i < 2; i += 1) expect((await send(socket, { clientMessageId: clientId(), personaId: t.personaId, text: `n${i}` })).ok).toBe(true);
      const limited = await send(socket, { clientMessageId: clientId(), personaId: t.personaId, text: 'one too many' });
      expect(limited).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
      if (!limited.ok) expect(limited.error.details?.retryAfterSec).toBeGreaterThan(0);
      socket.close();
      await new Promise((r) => setTimeout(r, 200));
      await expectLedgerInvariants(strict.deps.pool, t.tenantId);
    } finally {
      await strict.close();
    }
  });

  it('allows at most the configured number of concurrent replies per visitor (too_many_turns)', async () => {
    const t = await seedChatTenant(server.deps);
    const { socket } = await connectWidget(server, { key: t.key });
    const widget = new WidgetRecorder(socket);
    server.openai.setBehaviour({ replyTokens: 40, tokensPerSecond: 40 });
    const a = await send(socket, { clientMessageId: clientId(), personaId: t.personaId, text: 'one' });
    const b = await send(socket, { clientMessageId: clientId(), personaId: t.personaId, text: 'two' });
    const c = await send(socket, { clientMessageId: clientId(), personaId: t.personaId, text: 'three' });
    expect([a.ok, b.ok]).toEqual([true, true]);
    expect(c).toMatchObject({ ok: false, error: { code: 'too_many_turns' } });
    if (a.ok) await widget.end(a.messageId);
    if (b.ok) await widget.end(b.messageId);
    socket.close();
    await expectLedgerInvariants(server.deps.pool, t.tenantId);
  });

  it('limits new visitors per address', async () => {
    const strict = await startChatServer({ config: { chat: { ...server.config.chat, newVisitorsPerIpPerHour: 1 } } });
    try {
      const t = await seedChatTenant(strict.deps);
      const { socket, session } = await connectWidget(strict, { key: t.key });
      socket.close();
      expect((await connectError(strict, { key: t.key, origin: siteOrigin })).data?.code).toBe('rate_limited');
      // A returning visitor is not new.
      const back = await connectWidget(strict, { key: t.key, visitorToken: session.visitorToken });
      back.socket.close();
    } finally {
      await strict.close();
    }
  });
});

it('a client without an Origin header counts as Parley’s own origin', async () => {
  const socket: WidgetClient = io(`${server.url}/widget`, { transports: ['websocket'], forceNew: true, reconnection: false, auth: { key: tenant.key } });
  // publicUrl is localhost in tests (not production): allowed.
  const session = await new Promise((resolve, reject) => {
    socket.once('session', resolve);
    socket.once('connect_error', reject);
  });
  expect(session).toBeTruthy();
  socket.close();
});

it('refuses the main namespace: only /widget exists', async () => {
  const socket = io(server.url, { transports: ['websocket'], forceNew: true, reconnection: false });
  const error = await new Promise<Error>((resolve) => socket.once('connect_error', resolve));
  expect(error.message).toMatch(/widget/);
  socket.close();
});
