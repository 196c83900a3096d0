import { io } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../server/src/wire/chat';
import { startFakeOpenAI } from '../fakes/fake-openai';
import type { FakeServer } from '../fakes/fake-server';
import { closeDeps, createTestDeps } from '../support/app';
import { clientId, seedChatTenant, siteOrigin, WidgetRecorder, type WidgetClient } from '../support/chat';
import { scratchDatabase, type ScratchDatabase } from '../support/db';
import { expectLedgerInvariants } from '../support/ledger';
import { processEnv, startServerProcess, tempDataDir, type ServerProcess } from '../support/processes';

/**
 * `npm run start:cluster` (server/cluster.ts): one port, WORKERS=2 processes behind
 * `@socket.io/sticky`. Long-polling is the transport that needs stickiness (each poll is a new
 * HTTP request that must reach the worker holding the session), so the widgets here poll only.
 */
jest.setTimeout(180_000);

let db: ScratchDatabase;
let fake: FakeServer;
let data: Awaited<ReturnType<typeof tempDataDir>>;
let cluster: ServerProcess | undefined;

beforeAll(async () => {
  db = await scratchDatabase({ migrated: true });
  fake = await startFakeOpenAI({ behaviour: { replyTokens: 30, tokensPerSecond: 200 } });
  data = await tempDataDir('cluster');
});
afterAll(async () => {
  await cluster?.kill();
  await fake?.close();
  await db?.drop();
  await data?.remove();
});

it('serves polling widgets from several workers and stops gracefully on SIGTERM', async () => {
  const deps = await createTestDeps({ databaseUrl: db.url });
  try {
    const tenant = await seedChatTenant(deps);
    cluster = await startServerProcess(
      processEnv({ databaseUrl: db.url, dataDir: data.dir, extra: { WORKERS: '2', OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: fake.url } }),
      { script: 'server/cluster.ts' },
    );
    expect(cluster.output()).toContain('(2 worker processes, Socket.IO adapter: postgres)');

    const turn = async () => {
      const socket: WidgetClient = io(`${cluster!.url}/widget`, {
        transports: ['polling'], forceNew: true, reconnection: false, auth: { key: tenant.key }, extraHeaders: { origin: siteOrigin },
      }) as WidgetClient;
      try {
        const session = await new Promise<Parameters<ServerToClientEvents['session']>[0]>((resolve, reject) => {
          socket.once('session', resolve);
          socket.once('connect_error', reject);
        });
        const widget = new WidgetRecorder(socket);
        const send = socket.timeout(10_000) as unknown as { emitWithAck: (e: 'message:send', p: Parameters<ClientToServerEvents['message:send']>[0]) => Promise<{ ok: boolean; messageId: string }> };
        const ack = await send.emitWithAck('message:send', { clientMessageId: clientId(), personaId: tenant.personaId, text: 'Hello from a polling widget' });
        expect(ack.ok).toBe(true);
        const { end, balance } = await widget.ended(ack.messageId);
        return { end, balance, session, text: widget.textOf(ack.messageId) };
      } finally {
        socket.close();
      }
    };
    // Least-connection balancing puts concurrent widgets on both workers.
    const results = await Promise.all([turn(), turn(), turn(), turn()]);
    for (const r of results) {
      expect(r.end.status).toBe('done');
      expect(r.text.length).toBeGreaterThan(0);
      expect(r.balance.balance).toBe(r.session.balance.balance - r.end.charged);
    }
    const workers = new Set((await deps.pool.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN "socket.io#/widget"'`)).rows.map((r) => r.pid));
    expect(workers.size).toBe(2); // one adapter LISTEN connection per worker

    cluster.child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => cluster!.child.once('exit', (c) => resolve(c)));
    expect(code).toBe(0);
    await expectLedgerInvariants(deps.pool, tenant.tenantId);
  } finally {
    await closeDeps(deps);
  }
});
