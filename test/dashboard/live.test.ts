/**
 * The /dashboard namespace against a real server on a real port: the session cookie is the
 * key, each workspace hears only its own conversations and purchases, strangers are refused.
 */
import { io, type Socket } from 'socket.io-client';
import type { DashboardServerToClient } from '../../server/src/wire/dashboard';
import { startTestServer, type TestServer } from './support/browser';

jest.setTimeout(60_000);

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(() => srv?.close());

async function signUp(label: string): Promise<{ cookie: string; tenantId: string }> {
  const res = await fetch(`${srv.url}/api/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: `${label}-${Date.now()}@example.test`, password: 'a long passphrase', workspaceName: label }),
  });
  const body = (await res.json()) as { currentWorkspaceId: string };
  return { cookie: res.headers.get('set-cookie')!.split(';')[0]!, tenantId: body.currentWorkspaceId };
}

function connect(headers: Record<string, string>): Socket<DashboardServerToClient> {
  return io(`${srv.url}/dashboard`, { transports: ['websocket'], extraHeaders: headers, reconnection: false, forceNew: true });
}

const connected = (socket: Socket) =>
  new Promise<void>((resolve, reject) => {
    socket.on('connect', resolve);
    socket.on('connect_error', reject);
  });

async function newConversation(tenantId: string): Promise<string> {
  const { rows } = await srv.server.deps.pool.query<{ id: string }>(
    `WITH v AS (INSERT INTO visitors (tenant_id) VALUES ($1) RETURNING id)
     INSERT INTO chat_conversations (tenant_id, visitor_id, title) SELECT $1, id, 'Where is my order?' FROM v RETURNING id`,
    [tenantId],
  );
  return rows[0]!.id;
}

it('pushes new conversations and purchase changes to that workspace only', async () => {
  const a = await signUp('live-a');
  const b = await signUp('live-b');
  const socketA = connect({ cookie: a.cookie, origin: srv.url });
  const socketB = connect({ cookie: b.cookie, origin: srv.url });
  await Promise.all([connected(socketA), connected(socketB)]);
  const heardByB: string[] = [];
  socketB.on('conversation:new', (c) => heardByB.push(c.id));
  try {
    const conversation = new Promise<{ id: string; title: string }>((resolve) => socketA.once('conversation:new', resolve));
    const id = await newConversation(a.tenantId);
    expect(await conversation).toMatchObject({ id, title: 'Where is my order?' });

    const purchase = new Promise<{ status: string; amountMinor: number }>((resolve) => socketA.on('purchase:update', (p) => p.status === 'paid' && resolve(p)));
    const { rows } = await srv.server.deps.pool.query<{ id: string }>(
      `INSERT INTO purchases (tenant_id, visitor_id, pack_name, credits, amount_minor, currency, provider, return_url)
       SELECT tenant_id, visitor_id, 'Starter', 20000, 500, 'USD', 'demo', 'https://example.com/' FROM chat_conversations WHERE id = $1 RETURNING id`,
      [id],
    );
    await srv.server.deps.pool.query("UPDATE purchases SET status = 'paid', paid_at = now() WHERE id = $1", [rows[0]!.id]);
    expect(await purchase).toMatchObject({ status: 'paid', amountMinor: 500 });
    await new Promise((r) => setTimeout(r, 200));
    expect(heardByB).toEqual([]);
  } finally {
    socketA.close();
    socketB.close();
  }
});

it('refuses a socket without a session, with a forged cookie, or from another site', async () => {
  const a = await signUp('live-c');
  const refusal = (headers: Record<string, string>) =>
    new Promise<string>((resolve) => {
      const socket = connect(headers);
      socket.on('connect', () => resolve('connected'));
      socket.on('connect_error', (err) => {
        socket.close();
        resolve((err as Error & { data?: { code: string } }).data?.code ?? err.message);
      });
    });
  expect(await refusal({ origin: srv.url })).toBe('unauthenticated');
  expect(await refusal({ cookie: a.cookie.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')), origin: srv.url })).toBe('unauthenticated');
  expect(await refusal({ cookie: a.cookie, origin: 'https://evil.example' })).toBe('origin_not_allowed');
});
