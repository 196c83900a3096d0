import { ensureIdentitySecret, signUserId } from '../../server/src/identity/secret';
import { expectLedgerInvariants } from '../support/ledger';
import { loginAgent, seedTenant } from '../support/seed';
import { call, clientId, connectWidget, seedChatTenant, send, startChatServer, WidgetRecorder, type ChatServer, type ChatTenant } from '../support/chat';

let server: ChatServer;
let tenant: ChatTenant;
let secret: string;
beforeAll(async () => {
  server = await startChatServer();
  tenant = await seedChatTenant(server.deps, { welcomeCredits: 50_000 });
  secret = await ensureIdentitySecret({ db: server.deps.pool, masterKey: server.config.masterKey, tenantId: tenant.tenantId });
});
afterAll(() => server.close());
afterEach(() => expectLedgerInvariants(server.deps.pool, tenant.tenantId));

const identify = (socket: Parameters<typeof call>[0], userId: string, signature = signUserId(secret, userId)) =>
  call(socket, 'identify', { userId, signature, email: `${userId}@example.test` });

describe('identify', () => {
  it('moves an anonymous visitor’s credits and conversations onto the identified user, who keeps them on another device', async () => {
    const phone = await connectWidget(server, { key: tenant.key });
    const widget = new WidgetRecorder(phone.socket);
    const sent = await send(phone.socket, { clientMessageId: clientId(), personaId: tenant.personaId, text: 'Hello from my phone' });
    if (!sent.ok) throw new Error(JSON.stringify(sent.error));
    const { balance: afterTurn } = await widget.ended(sent.messageId);

    const userId = `user-${Date.now()}`;
    const ack = await identify(phone.socket, userId);
    if (!ack.ok) throw new Error(JSON.stringify(ack.error));
    expect(ack.visitorId).not.toBe(phone.session.visitorId);
    expect(ack.balance.balance).toBe(afterTurn.balance);
    phone.socket.close();

    // Reconnecting with the new token is the identified visitor, with the history.
    const again = await connectWidget(server, { key: tenant.key, visitorToken: ack.visitorToken });
    expect(again.session).toMatchObject({ visitorId: ack.visitorId, identified: true, balance: { balance: afterTurn.balance } });
    const list = await call(again.socket, 'conversations:list', {});
    expect(list.ok && list.conversations.map((c) => c.id)).toEqual([sent.conversationId]);
    again.socket.close();

    // A laptop (a new anonymous visitor with its own welcome credits) identifying as the same user joins them.
    const laptop = await connectWidget(server, { key: tenant.key });
    const joined = await identify(laptop.socket, userId);
    expect(joined.ok && joined.visitorId).toBe(ack.visitorId);
    expect(joined.ok && joined.balance.balance).toBe(afterTurn.balance + 50_000);
    laptop.socket.close();
  });

  it('refuses a wrong signature, and changes nothing', async () => {
    const { socket, session } = await connectWidget(server, { key: tenant.key });
    const forged = await identify(socket, 'victim', signUserId('not-the-secret', 'victim'));
    expect(forged).toMatchObject({ ok: false, error: { code: 'invalid_signature' } });
    const other = await identify(socket, 'victim', signUserId(secret, 'someone-else'));
    expect(other).toMatchObject({ ok: false, error: { code: 'invalid_signature' } });
    const still = await connectWidget(server, { key: tenant.key, visitorToken: session.visitorToken });
    expect(still.session.balance.balance).toBe(50_000);
    const { rows } = await server.deps.pool.query('SELECT 1 FROM visitors WHERE tenant_id = $1 AND external_user_id = $2', [tenant.tenantId, 'victim']);
    expect(rows).toHaveLength(0);
    socket.close();
    still.socket.close();
  });

  it('does not merge a visitor already identified as someone else: the browser switches user', async () => {
    const { socket } = await connectWidget(server, { key: tenant.key });
    const alice = await identify(socket, `alice-${Date.now()}`);
    if (!alice.ok) throw new Error(JSON.stringify(alice.error));
    socket.close();
    const asAlice = await connectWidget(server, { key: tenant.key, visitorToken: alice.visitorToken });
    const bob = await identify(asAlice.socket, `bob-${Date.now()}`);
    if (!bob.ok) throw new Error(JSON.stringify(bob.error));
    expect(bob.balance.balance).toBe(0);
    const aliceAgain = await connectWidget(server, { key: tenant.key, visitorToken: alice.visitorToken });
    expect(aliceAgain.session.balance.balance).toBe(50_000);
    asAlice.socket.close();
    aliceAgain.socket.close();
  });

  it('lets an admin read and roll the identity secret, which is sealed at rest', async () => {
    const owner = await seedTenant(server.deps);
    const asOwner = await loginAgent(server.url, owner);
    const first = await asOwner.agent.get('/api/workspace/identity-secret').expect(200);
    expect(first.body).toMatchObject({ algorithm: 'HMAC-SHA256', secret: expect.stringMatching(/^ids_/) });
    expect((await asOwner.agent.get('/api/workspace/identity-secret').expect(200)).body.secret).toBe(first.body.secret);
    const rolled = await asOwner.write('post', '/api/workspace/identity-secret/roll').expect(200);
    expect(rolled.body.secret).not.toBe(first.body.secret);
    const [row] = (await server.deps.pool.query('SELECT identity_secret_sealed FROM tenants WHERE id = $1', [owner.tenantId])).rows;
    expect(row.identity_secret_sealed).not.toContain(rolled.body.secret); // sealed at rest
  });
});
