/**
 * Fault scenario 3: a server process killed with SIGKILL while settling. 200 widgets on a real
 * server process (`server/main.ts`) each start a reply at the same moment; the replies finish
 * together about 2 s later, and the process is killed once the first 20 % have ended, so the rest
 * are caught mid-stream, mid-settlement or between the settlement and storing the reply. A new
 * process is then started on the same database.
 *
 * Proves: after the restart the sweeper releases every stranded hold and the recovery job marks
 * every stranded reply `interrupted`, with exactly what the ledger charged (a reply whose charge
 * committed before the kill keeps that one charge; nothing is charged twice); replies that had
 * ended keep what the widget was told; balances add up; the ledger verifier finds nothing; every
 * visitor can chat again on the new process.
 */
import { startFakeOpenAI } from '../fakes/fake-openai';
import { closeDeps, createTestDeps } from '../support/app';
import { clientId, connectWidget, seedChatTenant, WidgetRecorder } from '../support/chat';
import { scratchDatabase } from '../support/db';
import { inBatches, printSummary, serverEnv, startServerProcess, tempDataDir, until, type ServerProcess } from './support/processes';
import {
  balanceProblems, connectVisitors, label, ledgerViolations, runTurn, settledDown, sum, tally, turnProblems, turnRows,
} from './support/turns';

const VISITORS = 200;
const KILL_AFTER_ENDS = 40;
const WELCOME = 50_000;

it('SIGKILL while turns settle: after a restart holds are released, replies marked, nothing charged twice', async () => {
  const db = await scratchDatabase({ migrated: true });
  const data = await tempDataDir('sigkill');
  const fake = await startFakeOpenAI({ behaviour: { replyTokens: 20, tokensPerSecond: 10, firstTokenMs: 100 } });
  const deps = await createTestDeps({ databaseUrl: db.url });
  // Holds live 6 + 2 s, so the sweeper reaches the stranded ones within the test.
  const env = serverEnv({ databaseUrl: db.url, dataDir: data.dir, openaiUrl: fake.url, extra: { CHAT_TURN_TIMEOUT_SEC: '6', CHAT_HOLD_GRACE_SEC: '2' } });
  const servers: ServerProcess[] = [];
  try {
    const tenant = await seedChatTenant(deps, { welcomeCredits: WELCOME });
    const first = await startServerProcess({ env });
    servers.push(first);
    const visitors = await connectVisitors({ url: first.url, key: tenant.key, count: VISITORS });

    const endsSeen = (): number => sum(visitors.map((v) => v.recorder.ends.length));
    const acks = await Promise.all(visitors.map((visitor, v) => visitor.socket.timeout(60_000).emitWithAck('message:send', {
      clientMessageId: clientId('sigkill'), personaId: tenant.personaId, text: `visitor ${v}: tell me a story`,
    })));
    expect(acks.filter((a) => !a.ok)).toEqual([]);
    await until('the first replies to end', async () => (endsSeen() >= KILL_AFTER_ENDS ? true : undefined), { timeoutMs: 60_000, everyMs: 5 });
    await first.kill();
    const killedAt = Date.now();
    for (const v of visitors) v.socket.close();
    // What each widget was told before the process died.
    const ended = visitors.flatMap((v) => v.recorder.ends);
    const { rows: atKill } = await deps.pool.query<{ what: string; n: string }>(
      `SELECT 'reply ' || status AS what, count(*) AS n FROM chat_messages WHERE tenant_id = $1 AND role = 'assistant' GROUP BY status
       UNION ALL SELECT 'hold ' || status, count(*) FROM holds WHERE tenant_id = $1 GROUP BY status ORDER BY 1`, [tenant.tenantId]);

    const second = await startServerProcess({ env });
    servers.push(second);
    await until('stranded holds released and replies marked', () => settledDown(deps.pool, tenant.tenantId), { timeoutMs: 60_000 });
    const recoveredMs = Date.now() - killedAt;

    const rows = await turnRows(deps.pool, tenant.tenantId);
    expect(rows).toHaveLength(VISITORS);
    expect(turnProblems(rows, tenant.price)).toEqual([]);
    const { rows: twice } = await deps.pool.query(
      `SELECT hold_id, count(*) FROM ledger_transactions WHERE tenant_id = $1 AND kind = 'usage' GROUP BY hold_id HAVING count(*) > 1`, [tenant.tenantId]);
    expect(twice).toEqual([]);
    // Replies that ended before the kill are stored as the widget was told; the rest were interrupted.
    const byId = new Map(rows.map((r) => [r.id, r]));
    const misstored = ended.filter((r) => byId.get(r.messageId)?.status !== r.status || byId.get(r.messageId)?.charged !== r.charged);
    expect(misstored.map((r) => `${r.messageId}: told ${r.status} ${r.charged}, stored ${JSON.stringify(byId.get(r.messageId))}`)).toEqual([]);
    // A reply the widget never heard end was either stored done just before the kill (its end event
    // died with the process) or is interrupted now.
    const endedIds = new Set(ended.map((r) => r.messageId));
    expect(rows.filter((r) => !endedIds.has(r.id) && r.status !== 'interrupted' && r.status !== 'done').map((r) => `${r.id}: ${r.status}`)).toEqual([]);
    expect(await balanceProblems(deps.pool, tenant.tenantId, rows, WELCOME)).toEqual([]);
    const violations = await ledgerViolations(deps.pool);
    expect(violations).toEqual([]);

    // Every visitor chats again, on the new process, with the balance the ledger says.
    const again = await inBatches(visitors, 25, async (v, i) => {
      const { socket, session } = await connectWidget({ url: second.url }, { key: tenant.key, visitorToken: v.session.visitorToken });
      const visitor = { socket, session, recorder: new WidgetRecorder(socket) };
      const result = await runTurn(visitor, { personaId: tenant.personaId, text: `visitor ${i}: again`, endTimeoutMs: 60_000 });
      socket.close();
      return { result, reserved: session.balance.reserved };
    });
    expect(tally(again.map((a) => label(a.result)))).toEqual({ done: VISITORS });
    expect(again.every((a) => a.reserved === 0)).toBe(true);
    expect(await ledgerViolations(deps.pool)).toEqual([]);

    const interrupted = rows.filter((r) => r.status === 'interrupted');
    printSummary('Fault 3: server process killed with SIGKILL while settling (200 replies finishing together)', [
      `turns: ${VISITORS}; replies the widgets saw end before the kill: ${ended.length} (${JSON.stringify(tally(ended.map((e) => e.status)))})`,
      `database right after the kill: ${atKill.map((r) => `${r.what} ${r.n}`).join(', ')}`,
      `after the restart: ${JSON.stringify(tally(rows.map((r) => r.status)))}; interrupted with a charge that committed before the kill: ${interrupted.filter((r) => r.charged > 0).length}, released: ${interrupted.filter((r) => r.charged === 0).length}`,
      `kill → every hold settled or released and no reply streaming: ${recoveredMs} ms (holds live 6 + 2 s here; includes starting the new process)`,
      `charged ${sum(rows.map((r) => r.usage_amount))} millicredits; holds charged more than once: ${twice.length}; ledger verifier violations: ${violations.length}`,
      `after recovery: ${VISITORS} visitors reconnected to the new process, ${again.filter((a) => label(a.result) === 'done').length} new turns done`,
    ]);
  } finally {
    for (const server of servers) await server.kill();
    await fake.close();
    await closeDeps(deps);
    await db.drop();
    await data.remove();
  }
});
