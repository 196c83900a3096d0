/**
 * A workspace's own chat rate limits: set through the API (admins only, never above the operator's
 * environment values), and applied by the gateway to the next messages: the widget gets
 * `rate_limited` with a retry-after at the workspace's lower limit.
 */
import { expectLedgerInvariants } from '../support/ledger';
import { clientId, connectWidget, seedChatTenant, send, startChatServer, WidgetRecorder, type ChatServer, type ChatTenant } from '../support/chat';
import { loginAgent, seedMember, type LoggedInAgent } from '../support/seed';

let server: ChatServer;
let tenant: ChatTenant;
let admin: LoggedInAgent;

beforeAll(async () => {
  server = await startChatServer();
  tenant = await seedChatTenant(server.deps);
  admin = await loginAgent(server.url, await seedMember(server.deps, tenant.tenantId, 'admin'), tenant.tenantId);
  server.openai.setBehaviour({ replyTokens: 3, tokensPerSecond: 0 });
});
afterAll(() => server.close());

const operator = () => ({ visitorMessagesPerMin: server.config.chat.visitorMessagesPerMin, tenantMessagesPerMin: server.config.chat.tenantMessagesPerMin });

describe('workspace rate limits API', () => {
  it('starts at the operator values, and lets an admin set, cap-check and reset them', async () => {
    const fresh = await admin.agent.get('/api/workspace/rate-limits').expect(200);
    expect(fresh.body).toEqual({ visitorMessagesPerMin: null, tenantMessagesPerMin: null, operator: operator(), effective: operator() });

    const set = await admin.write('patch', '/api/workspace/rate-limits', { visitorMessagesPerMin: 5 }).expect(200);
    expect(set.body).toMatchObject({ visitorMessagesPerMin: 5, tenantMessagesPerMin: null, effective: { visitorMessagesPerMin: 5, tenantMessagesPerMin: operator().tenantMessagesPerMin } });

    const above = await admin.write('patch', '/api/workspace/rate-limits', { visitorMessagesPerMin: operator().visitorMessagesPerMin + 1, tenantMessagesPerMin: 0 }).expect(400);
    expect(above.body.error.code).toBe('validation_failed');
    const fields = Object.fromEntries(above.body.error.details.fields.map((f: { path: string; message: string }) => [f.path, f.message]));
    expect(fields).toEqual({
      visitorMessagesPerMin: `At most ${operator().visitorMessagesPerMin}, this server's limit`,
      tenantMessagesPerMin: 'At least 1',
    });
    await admin.write('patch', '/api/workspace/rate-limits', { visitorMessagesPerMin: 2.5 }).expect(400);
    await admin.write('patch', '/api/workspace/rate-limits', { somethingElse: 1 }).expect(400);
    // The refused writes changed nothing.
    expect((await admin.agent.get('/api/workspace/rate-limits').expect(200)).body.visitorMessagesPerMin).toBe(5);

    const reset = await admin.write('patch', '/api/workspace/rate-limits', { visitorMessagesPerMin: null }).expect(200);
    expect(reset.body).toMatchObject({ visitorMessagesPerMin: null, effective: operator() });
  });

  it('lets an analyst read the limits but not change them (403)', async () => {
    const analyst = await loginAgent(server.url, await seedMember(server.deps, tenant.tenantId, 'analyst'), tenant.tenantId);
    await analyst.agent.get('/api/workspace/rate-limits').expect(200);
    const refused = await analyst.write('patch', '/api/workspace/rate-limits', { visitorMessagesPerMin: 1 }).expect(403);
    expect(refused.body.error.code).toBe('forbidden');
    expect((await admin.agent.get('/api/workspace/rate-limits').expect(200)).body.visitorMessagesPerMin).toBeNull();
  });

  it('keeps a stored value within the database bounds, whatever the API allows', async () => {
    await expect(server.deps.pool.query('UPDATE tenants SET chat_visitor_messages_per_min = 0 WHERE id = $1', [tenant.tenantId])).rejects.toThrow(/check constraint/);
  });
});

describe('the gateway applies the workspace limits', () => {
  it('refuses a visitor at the workspace limit per visitor, with retry-after, below the operator limit', async () => {
    const t = await seedChatTenant(server.deps);
    const owner = await loginAgent(server.url, await seedMember(server.deps, t.tenantId, 'owner'), t.tenantId);
    await owner.write('patch', '/api/workspace/rate-limits', { visitorMessagesPerMin: 2 }).expect(200);
    expect(operator().visitorMessagesPerMin).toBeGreaterThan(2);

    const { socket } = await connectWidget(server, { key: t.key });
    const widget = new WidgetRecorder(socket);
    for (let i = 0; i < 2; i += 1) {
      const ack = await send(socket, { clientMessageId: clientId(), personaId: t.personaId, text: `n${i}` });
      if (!ack.ok) throw new Error(JSON.stringify(ack.error));
      await widget.end(ack.messageId);
    }
    const limited = await send(socket, { clientMessageId: clientId(), personaId: t.personaId, text: 'one too many' });
    expect(limited).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    if (!limited.ok) {
      expect(limited.error.details?.retryAfterSec).toBeGreaterThan(0);
      expect(limited.error.details?.retryAfterSec).toBeLessThanOrEqual(60);
    }
    // Another visitor of the same workspace has a budget of their own.
    const other = await connectWidget(server, { key: t.key });
    const otherWidget = new WidgetRecorder(other.socket);
    const ack = await send(other.socket, { clientMessageId: clientId(), personaId: t.personaId, text: 'me too' });
    expect(ack.ok).toBe(true);
    if (ack.ok) await otherWidget.end(ack.messageId);
    socket.close();
    other.socket.close();
    await expectLedgerInvariants(server.deps.pool, t.tenantId);
  });

  it('refuses the workspace as a whole at its limit per workspace', async () => {
    const t = await seedChatTenant(server.deps);
    const owner = await loginAgent(server.url, await seedMember(server.deps, t.tenantId, 'owner'), t.tenantId);
    await owner.write('patch', '/api/workspace/rate-limits', { tenantMessagesPerMin: 3 }).expect(200);
    const results: boolean[] = [];
    for (let v = 0; v < 4; v += 1) {
      const { socket } = await connectWidget(server, { key: t.key });
      const widget = new WidgetRecorder(socket);
      const ack = await send(socket, { clientMessageId: clientId(), personaId: t.personaId, text: `visitor ${v}` });
      results.push(ack.ok);
      if (ack.ok) await widget.end(ack.messageId);
      else expect(ack.error).toMatchObject({ code: 'rate_limited', details: { retryAfterSec: expect.any(Number) } });
      socket.close();
    }
    expect(results).toEqual([true, true, true, false]);
    await expectLedgerInvariants(server.deps.pool, t.tenantId);
  });
});
