import { startFakeOpenAI } from '../fakes/fake-openai';
import type { FakeServer } from '../fakes/fake-server';
import { closeDeps, createTestDeps } from '../support/app';
import { call, clientId, connectWidget, seedChatTenant, send, WidgetRecorder, type WidgetClient } from '../support/chat';
import { scratchDatabase, type ScratchDatabase } from '../support/db';
import { expectLedgerInvariants } from '../support/ledger';
import { processEnv, startServerProcess, tempDataDir, until, type ServerProcess } from '../support/processes';

/**
 * One of two server processes killed with SIGKILL while replies stream. What the design promises:
 * - a reply streamed by the surviving process goes on; a widget that was connected to the dead one
 *   reconnects to the survivor, `sync`s, and ends up with the whole reply, nothing lost or doubled;
 * - a reply streamed by the dead process stops where it was: its hold lapses, the survivor's
 *   recovery job marks it `interrupted`, and the visitor pays nothing for it.
 * Holds live 9 s here (CHAT_TURN_TIMEOUT_SEC=8 + CHAT_HOLD_GRACE_SEC=1) so recovery comes quickly.
 */
jest.setTimeout(180_000);

let db: ScratchDatabase;
let fake: FakeServer;
let data: Awaited<ReturnType<typeof tempDataDir>>;
const started: ServerProcess[] = [];

beforeAll(async () => {
  db = await scratchDatabase({ migrated: true });
  // 40 tokens at 10 a second: a reply takes about 4 s, long enough to kill a process in the middle.
  fake = await startFakeOpenAI({ behaviour: { replyTokens: 40, tokensPerSecond: 10 } });
  data = await tempDataDir('failover');
});
afterAll(async () => {
  await Promise.all(started.map((p) => p.kill()));
  await fake?.close();
  await db?.drop();
  await data?.remove();
});

/** What a widget shows for one reply: sync's whole copy, then live chunks past its seq (as the widget does). */
async function resume(socket: WidgetClient, recorder: WidgetRecorder, conversationId: string, messageId: string, afterSeq: number) {
  const synced = await call(socket, 'sync', { conversationId, afterSeq });
  if (!synced.ok) throw new Error(JSON.stringify(synced.error));
  const copy = synced.messages.find((m) => m.id === messageId)!;
  if (copy.status !== 'streaming') return { text: copy.text, status: copy.status };
  const end = await recorder.end(messageId);
  const later = recorder.chunks.filter((c) => c.messageId === messageId && c.seq > copy.seq).sort((a, b) => a.seq - b.seq);
  expect(later.map((c) => c.seq)).toEqual(later.map((_, i) => copy.seq + 1 + i)); // no gap, no repeat
  return { text: copy.text + later.map((c) => c.text).join(''), status: end.status };
}

it('after SIGKILL of one process, its widgets resume on the other and the dead process’s reply ends interrupted, unpaid', async () => {
  const deps = await createTestDeps({ databaseUrl: db.url });
  try {
    const env = processEnv({
      databaseUrl: db.url, dataDir: data.dir,
      extra: { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: fake.url, CHAT_TURN_TIMEOUT_SEC: '8', CHAT_HOLD_GRACE_SEC: '1' },
    });
    const [p1, p2] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
    started.push(p1, p2);
    const tenant = await seedChatTenant(deps);

    // One visitor, two tabs: tab A on process 1, tab B on process 2.
    const a = await connectWidget(p1, { key: tenant.key });
    const b = await connectWidget(p2, { key: tenant.key, visitorToken: a.session.visitorToken });
    expect(b.session.visitorId).toBe(a.session.visitorId);
    const tabA = new WidgetRecorder(a.socket);

    // Reply Y streams on process 2 (sent from tab B); reply X streams on process 1 (sent from tab A).
    const y = await send(b.socket, { clientMessageId: clientId('y'), personaId: tenant.personaId, text: 'Tell me a long story' });
    const x = await send(a.socket, { clientMessageId: clientId('x'), personaId: tenant.personaId, text: 'And another one' });
    if (!y.ok || !x.ok) throw new Error(JSON.stringify({ y, x }));
    // Tab A hears both: X from its own process, Y from process 2 through the adapter.
    await tabA.until(() => tabA.chunks.filter((c) => c.messageId === y.messageId).length >= 2 && tabA.chunks.filter((c) => c.messageId === x.messageId).length >= 2);
    expect(tabA.ends).toEqual([]);

    await p1.kill();
    a.socket.close();
    const seenY = tabA.seqsOf(y.messageId);
    const seenX = tabA.textOf(x.messageId);

    // Tab A comes back through the load balancer, which now only has process 2.
    const again = await connectWidget(p2, { key: tenant.key, visitorToken: a.session.visitorToken });
    expect(again.session.visitorId).toBe(a.session.visitorId);
    const tabA2 = new WidgetRecorder(again.socket);
    const resumed = await resume(again.socket, tabA2, y.conversationId, y.messageId, Math.max(...seenY));
    const { rows } = await deps.pool.query<{ text: string; status: string; charged: string }>(
      'SELECT text, status, charged FROM chat_messages WHERE id = $1', [y.messageId]);
    expect(resumed).toEqual({ text: rows[0]!.text, status: 'done' });
    expect(rows[0]!.text.length).toBeGreaterThan(0);

    // X died with process 1: what was saved is consistent with what tab A saw (one is a prefix of the
    // other: the last chunks may have been on the wire, or not yet saved), and it ends interrupted.
    const xView = await until(async () => {
      const synced = await call(again.socket, 'sync', { conversationId: x.conversationId, afterSeq: 0 });
      const view = synced.ok ? synced.messages.find((m) => m.id === x.messageId) : undefined;
      return view?.status === 'interrupted' ? view : undefined;
    }, 60_000, 'the interrupted reply');
    expect(xView.charged).toBe(0);
    expect(seenX.startsWith(xView.text) || xView.text.startsWith(seenX)).toBe(true);

    // The visitor paid for Y only, and nothing is held any more.
    const balance = await until(async () => {
      const view = (await connectWidget(p2, { key: tenant.key, visitorToken: a.session.visitorToken }));
      view.socket.close();
      return view.session.balance.reserved === 0 ? view.session.balance : undefined;
    }, 30_000, 'the hold to be released');
    expect(balance.balance).toBe(50_000 - Number(rows[0]!.charged));
    again.socket.close();
    b.socket.close();
    await expectLedgerInvariants(deps.pool, tenant.tenantId);
  } finally {
    await closeDeps(deps);
  }
});
