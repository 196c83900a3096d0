/**
 * The cross-tenant matrix for the widget's socket events (the HTTP routes have theirs in
 * test/foundation/cross-tenant.test.ts). For every event a widget can send, a visitor of tenant B
 * naming tenant A's records (conversations, messages, personas, models, packs, purchases, users),
 * and a second visitor of tenant A naming the first one's, gets the event's error code, learns
 * nothing (the answer is identical to the one for an id that exists nowhere) and changes nothing.
 *
 * The list of events is derived twice: at compile time the matrix is a Record over the wire
 * contract's ClientToServerEvents (a new event without an entry does not type-check), and at run
 * time from the listeners the gateway really registers on a connected socket.
 */
import crypto from 'node:crypto';
import { ensureIdentitySecret, signUserId } from '../../server/src/identity/secret';
import { widgetNamespace, type ClientToServerEvents } from '../../server/src/wire/chat';
import { expectLedgerInvariants } from '../support/ledger';
import {
  call, clientId, connectWidget, seedChatTenant, send, siteOrigin, startChatServer, WidgetRecorder,
  type ChatServer, type ChatTenant, type SessionData, type WidgetClient,
} from '../support/chat';

type EventName = keyof ClientToServerEvents;

interface Attempt {
  /** What the attempt names, for the failure message. */
  label: string;
  payload: Record<string, unknown>;
  /** The same payload with every foreign id replaced by one that exists nowhere. */
  control: Record<string, unknown>;
  code: 'not_found' | 'invalid_signature';
}

interface ListingCheck {
  /** Listing events answer ok, and nothing in the answer may mention A's records. */
  listing: Record<string, unknown>;
}

interface MatrixEntry {
  /** A visitor of tenant B naming tenant A's records. */
  crossTenant(): Attempt[] | ListingCheck;
  /** A second visitor of tenant A naming the first visitor's records ([] when the event names nothing visitor-owned). */
  sameTenant(): Attempt[] | ListingCheck;
}

let server: ChatServer;
let a: ChatTenant;
let b: ChatTenant;
/** Tenant A's first visitor and the records the attackers aim at. */
const victim = {} as {
  session: SessionData;
  conversationId: string;
  userMessageId: string;
  assistantMessageId: string;
  packId: string;
  purchaseId: string;
  identifiedUserId: string;
  identifiedVisitorId: string;
  messageCount: number;
};
let aSecret: string;

const nowhere = () => crypto.randomUUID();
const returnUrl = `${siteOrigin}/pricing`;

const matrix: Record<EventName, MatrixEntry> = {
  'message:send': {
    crossTenant: () => [
      { label: "A's persona", payload: send$(a.personaId), control: send$(nowhere()), code: 'not_found' },
      { label: "A's model", payload: send$(b.personaId, { modelId: a.modelId }), control: send$(b.personaId, { modelId: nowhere() }), code: 'not_found' },
      {
        label: "A's conversation",
        payload: send$(b.personaId, { conversationId: victim.conversationId }),
        control: send$(b.personaId, { conversationId: nowhere() }),
        code: 'not_found',
      },
    ],
    sameTenant: () => [
      {
        label: "the other visitor's conversation",
        payload: send$(a.personaId, { conversationId: victim.conversationId }),
        control: send$(a.personaId, { conversationId: nowhere() }),
        code: 'not_found',
      },
    ],
  },
  'message:stop': {
    crossTenant: () => [
      { label: "A's reply", payload: { messageId: victim.assistantMessageId }, control: { messageId: nowhere() }, code: 'not_found' },
      { label: "A's own message", payload: { messageId: victim.userMessageId }, control: { messageId: nowhere() }, code: 'not_found' },
    ],
    sameTenant: () => [
      { label: "the other visitor's reply", payload: { messageId: victim.assistantMessageId }, control: { messageId: nowhere() }, code: 'not_found' },
    ],
  },
  sync: {
    crossTenant: () => [syncAttempt("A's conversation")],
    sameTenant: () => [syncAttempt("the other visitor's conversation")],
  },
  'conversations:list': {
    crossTenant: () => ({ listing: { limit: 50 } }),
    sameTenant: () => ({ listing: { limit: 50 } }),
  },
  'conversation:load': {
    crossTenant: () => [loadAttempt("A's conversation")],
    sameTenant: () => [loadAttempt("the other visitor's conversation")],
  },
  identify: {
    // Signed with A's identity secret: B's gateway checks against B's secret, so it is refused.
    crossTenant: () => [identifyAttempt("A's user, signed with A's secret", signUserId(aSecret, victim.identifiedUserId))],
    // Without the site's secret a visitor cannot become another user of the same site.
    sameTenant: () => [identifyAttempt("another user of A, forged signature", signUserId('not-the-secret', victim.identifiedUserId))],
  },
  'purchase:start': {
    crossTenant: () => [
      { label: "A's pack", payload: { packId: victim.packId, returnUrl }, control: { packId: nowhere(), returnUrl }, code: 'not_found' },
    ],
    // Packs are the workspace's wares, open to all its visitors: nothing visitor-owned to name.
    sameTenant: () => [],
  },
  'purchases:list': {
    crossTenant: () => ({ listing: {} }),
    sameTenant: () => ({ listing: {} }),
  },
};

function send$(personaId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  // A fixed client id per attempt would make the second call a duplicate; the control gets its own.
  return { clientMessageId: clientId('xt'), personaId, text: 'Show me what you have', ...extra };
}

function syncAttempt(label: string): Attempt {
  return { label, payload: { conversationId: victim.conversationId, afterSeq: 0 }, control: { conversationId: nowhere(), afterSeq: 0 }, code: 'not_found' };
}

function loadAttempt(label: string): Attempt {
  return { label, payload: { conversationId: victim.conversationId }, control: { conversationId: nowhere() }, code: 'not_found' };
}

function identifyAttempt(label: string, signature: string): Attempt {
  const other = `nobody-${crypto.randomUUID()}`;
  return {
    label,
    payload: { userId: victim.identifiedUserId, signature },
    control: { userId: other, signature: signature === signUserId(aSecret, victim.identifiedUserId) ? signUserId(aSecret, other) : signUserId('not-the-secret', other) },
    code: 'invalid_signature',
  };
}

/** Every id of tenant A's visitor that must never show up in an attacker's answer. */
const victimIds = (): string[] => [
  victim.session.visitorId, victim.conversationId, victim.userMessageId, victim.assistantMessageId, victim.purchaseId, victim.identifiedVisitorId,
];

const callRaw = (socket: WidgetClient, event: EventName, payload: Record<string, unknown>) =>
  call(socket, event, payload as never) as Promise<{ ok: boolean; error?: { code: string; message: string; details?: unknown } }>;

beforeAll(async () => {
  server = await startChatServer();
  a = await seedChatTenant(server.deps, { welcomeCredits: 50_000 });
  b = await seedChatTenant(server.deps, { welcomeCredits: 50_000 });
  aSecret = await ensureIdentitySecret({ db: server.deps.pool, masterKey: server.config.masterKey, tenantId: a.tenantId });
  await ensureIdentitySecret({ db: server.deps.pool, masterKey: server.config.masterKey, tenantId: b.tenantId });

  // Tenant A's visitor: a finished turn, a pack and a started purchase.
  const { socket, session } = await connectWidget(server, { key: a.key });
  const widget = new WidgetRecorder(socket);
  const sent = await send(socket, { clientMessageId: clientId('victim'), personaId: a.personaId, text: 'Private question' });
  if (!sent.ok) throw new Error(JSON.stringify(sent.error));
  await widget.ended(sent.messageId);
  const pack = await server.deps.models.CreditPack.create({ tenantId: a.tenantId, name: 'A pack', credits: 10_000, amountMinor: 500, currency: 'USD' });
  const purchase = await call(socket, 'purchase:start', { packId: pack.id, returnUrl });
  if (!purchase.ok) throw new Error(JSON.stringify(purchase.error));
  socket.close();

  // And an identified user of tenant A (from a second browser).
  const identifiedUserId = `alice-${crypto.randomUUID()}`;
  const other = await connectWidget(server, { key: a.key });
  const identified = await call(other.socket, 'identify', { userId: identifiedUserId, signature: signUserId(aSecret, identifiedUserId) });
  if (!identified.ok) throw new Error(JSON.stringify(identified.error));
  other.socket.close();

  Object.assign(victim, {
    session, conversationId: sent.conversationId, userMessageId: sent.userMessageId, assistantMessageId: sent.messageId,
    packId: pack.id, purchaseId: purchase.purchaseId, identifiedUserId, identifiedVisitorId: identified.visitorId,
    messageCount: await countMessages(sent.conversationId),
  });
});
afterAll(() => server.close());

async function countMessages(conversationId: string): Promise<number> {
  const { rows } = await server.deps.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM chat_messages WHERE conversation_id = $1', [conversationId]);
  return rows[0]!.n;
}

it('has a matrix entry for every event the gateway listens to, and none for events it does not', async () => {
  const { socket } = await connectWidget(server, { key: b.key });
  const serverSocket = server.gateway.io.of(widgetNamespace).sockets.get(socket.id!);
  expect(serverSocket).toBeDefined();
  const reserved = new Set(['disconnect', 'disconnecting', 'error', 'connect', 'connect_error', 'newListener', 'removeListener']);
  const listened = serverSocket!.eventNames().map(String).filter((name) => !reserved.has(name)).sort();
  socket.close();
  expect(listened.length).toBeGreaterThan(0);
  expect(listened).toEqual(Object.keys(matrix).sort());
});

describe.each([
  ['a visitor of another tenant', 'crossTenant' as const],
  ['another visitor of the same tenant', 'sameTenant' as const],
])('%s', (_who, side) => {
  it.each(Object.keys(matrix) as EventName[])('%s: gets the error code, learns nothing, changes nothing', async (event) => {
    const attacker = await connectWidget(server, { key: side === 'crossTenant' ? b.key : a.key });
    try {
      const plan = matrix[event][side]();
      if ('listing' in plan) {
        const answer = await callRaw(attacker.socket, event, plan.listing);
        expect(answer.ok).toBe(true);
        const text = JSON.stringify(answer);
        for (const id of victimIds()) expect({ event, leaks: text.includes(id) }).toEqual({ event, leaks: false });
      } else {
        for (const attempt of plan) {
          const answer = await callRaw(attacker.socket, event, attempt.payload);
          const control = await callRaw(attacker.socket, event, attempt.control);
          expect({ event, attempt: attempt.label, answer }).toEqual({
            event, attempt: attempt.label, answer: { ok: false, error: expect.objectContaining({ code: attempt.code }) },
          });
          // An existing foreign record and one that exists nowhere are indistinguishable.
          expect({ event, attempt: attempt.label, answer }).toEqual({ event, attempt: attempt.label, answer: control });
          const text = JSON.stringify(answer);
          for (const id of victimIds()) expect({ event, attempt: attempt.label, leaks: text.includes(id) }).toEqual({ event, attempt: attempt.label, leaks: false });
        }
      }
      // The attacker was charged nothing and bought nothing.
      const { rows } = await server.deps.pool.query<{ n: number }>(
        `SELECT (SELECT count(*) FROM purchases WHERE visitor_id = $1) + (SELECT count(*) FROM chat_messages WHERE visitor_id = $1) AS n`,
        [attacker.session.visitorId],
      );
      expect(Number(rows[0]!.n)).toBe(0);
    } finally {
      attacker.socket.close();
    }
  });
});

it("leaves tenant A's visitor exactly as it was", async () => {
  expect(await countMessages(victim.conversationId)).toBe(victim.messageCount);
  const back = await connectWidget(server, { key: a.key, visitorToken: victim.session.visitorToken });
  try {
    expect(back.session.visitorId).toBe(victim.session.visitorId);
    const loaded = await call(back.socket, 'conversation:load', { conversationId: victim.conversationId });
    expect(loaded.ok && loaded.messages.length).toBe(victim.messageCount);
    expect(loaded.ok && loaded.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    const purchases = await call(back.socket, 'purchases:list', {});
    expect(purchases.ok && purchases.purchases.map((p) => [p.id, p.status])).toEqual([[victim.purchaseId, 'pending']]);
    const { rows } = await server.deps.pool.query('SELECT tenant_id FROM visitors WHERE external_user_id = $1', [victim.identifiedUserId]);
    expect(rows).toEqual([{ tenant_id: a.tenantId }]);
  } finally {
    back.socket.close();
  }
  await expectLedgerInvariants(server.deps.pool, a.tenantId);
  await expectLedgerInvariants(server.deps.pool, b.tenantId);
});
