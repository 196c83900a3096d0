import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { closeDeps, createTestDeps } from '../support/app';
import { clientId, connectWidget, seedChatTenant, send, WidgetRecorder } from '../support/chat';
import { scratchDatabase, type ScratchDatabase } from '../support/db';
import { startServerProcess } from '../support/processes';
import { expectLedgerInvariants } from '../support/ledger';
import { startFakeOpenAI } from '../fakes/fake-openai';
import type { FakeServer } from '../fakes/fake-server';

/**
 * The real server in a child process (`node --import tsx server/main.ts`), killed with SIGKILL in
 * the middle of a reply, then started again on the same database. Holds live 3 s here
 * (CHAT_TURN_TIMEOUT_SEC=2 + CHAT_HOLD_GRACE_SEC=1) so the sweeper has something to do quickly.
 */
jest.setTimeout(90_000);


async function until<T>(check: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 200));
  }
}

let db: ScratchDatabase;
let fake: FakeServer;
let dataDir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  db = await scratchDatabase({ migrated: true });
  fake = await startFakeOpenAI({ behaviour: { replyTokens: 200, tokensPerSecond: 10 } });
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'parley-crash-'));
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await fake.close();
  await db.drop();
  await fs.rm(dataDir, { recursive: true, force: true });
});

it('after a SIGKILL mid-turn and a restart, the sweeper releases the hold and the message is interrupted', async () => {
  const env = {
    NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', DATABASE_URL: db.url, DATA_DIR: dataDir, LOG_LEVEL: 'silent', SEED_DEMO: 'false',
    SESSION_SECRET: 'crash-test-session-secret-0123456789', MASTER_KEY: Buffer.alloc(32, 3).toString('base64'),
    OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: fake.url, JOBS_INTERVAL_MS: '200', CHAT_TURN_TIMEOUT_SEC: '2', CHAT_HOLD_GRACE_SEC: '1',
  };
  const deps = await createTestDeps({ databaseUrl: db.url });
  try {
    const tenant = await seedChatTenant(deps);
    const first = await startServerProcess(env);
    children.push(first.child);
    const { socket, session } = await connectWidget({ url: first.url }, { key: tenant.key });
    const widget = new WidgetRecorder(socket);
    const ack = await send(socket, { clientMessageId: clientId(), personaId: tenant.personaId, text: 'Tell me everything' });
    if (!ack.ok) throw new Error(JSON.stringify(ack.error));
    await widget.until(() => widget.chunks.length >= 2);

    const exited = new Promise((resolve) => first.child.once('exit', resolve));
    first.child.kill('SIGKILL');
    await exited;
    socket.close();
    const stranded = await deps.pool.query(
      `SELECT m.status, h.status AS hold FROM chat_messages m JOIN holds h ON h.idempotency_key = 'turn:' || m.id::text WHERE m.id = $1`,
      [ack.messageId],
    );
    expect(stranded.rows[0]).toEqual({ status: 'streaming', hold: 'pending' });

    const second = await startServerProcess(env);
    children.push(second.child);
    const recovered = await until(async () => {
      const { rows } = await deps.pool.query(
        `SELECT m.status, m.charged, m.error_code, h.status AS hold FROM chat_messages m
           JOIN holds h ON h.idempotency_key = 'turn:' || m.id::text WHERE m.id = $1`,
        [ack.messageId],
      );
      return rows[0]?.status === 'interrupted' ? rows[0] : undefined;
    }, 20_000);
    expect(recovered).toEqual({ status: 'interrupted', charged: '0', error_code: 'interrupted', hold: 'voided' });

    // The visitor paid nothing, and can chat again on the restarted server.
    const again = await connectWidget({ url: second.url }, { key: tenant.key, visitorToken: session.visitorToken });
    expect(again.session.visitorId).toBe(session.visitorId);
    expect(again.session.balance).toMatchObject({ reserved: 0, available: 50_000 });
    expect(again.session.balance.balance).toBe(50_000);
    again.socket.close();
    await expectLedgerInvariants(deps.pool, tenant.tenantId);
    second.child.kill('SIGTERM');
    await new Promise((resolve) => second.child.once('exit', resolve));
  } finally {
    await closeDeps(deps);
  }
});
