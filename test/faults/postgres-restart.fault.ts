/**
 * Fault scenario 2: PostgreSQL restarted under load. A server process (`server/main.ts`) on a
 * PostgreSQL of its own (durability defaults), 60 widgets chatting non-stop; PostgreSQL is shut
 * down (fast shutdown: every connection cut, open transactions rolled back), kept down 3 s, and
 * started again on the same port and data.
 *
 * Proves: the server process survives and recovers by itself (no restart): /readyz returns to 200,
 * and afterwards every visitor's new turn succeeds; no turn is charged twice (at most one usage
 * transaction per hold, one hold per reply), every charge matches its message, holds stranded by
 * the outage are released by the sweeper and their replies marked interrupted; the ledger
 * verifier finds nothing.
 */
import { Pool } from 'pg';
import { startFakeOpenAI } from '../fakes/fake-openai';
import { closeDeps, createTestDeps } from '../support/app';
import { seedChatTenant } from '../support/chat';
import { startRestartablePostgres } from './support/postgres';
import { printSummary, serverEnv, sleep, startServerProcess, tempDataDir, until } from './support/processes';
import {
  balanceProblems, connectVisitors, label, ledgerViolations, runTurn, settledDown, sum, tally, turnProblems, turnRows, type TurnResult, type Visitor,
} from './support/turns';

const VISITORS = 60;
const WELCOME = 200_000;
const DOWN_MS = 3000;

async function readyz(url: string): Promise<number> {
  try {
    const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) });
    return res.status;
  } catch {
    return 0;
  }
}

it('PostgreSQL restarted under load: the server recovers by itself and charges no turn twice', async () => {
  const pg = await startRestartablePostgres('restart');
  const data = await tempDataDir('pg-restart');
  // Replies of about 2 s, so a good share of turns is streaming or settling when PostgreSQL goes.
  const fake = await startFakeOpenAI({ behaviour: { replyTokens: 30, tokensPerSecond: 15, firstTokenMs: 100 } });
  // Holds live 6 + 2 s here, so the sweeper and the recovery job act within the test.
  const server = await startServerProcess({
    env: serverEnv({
      databaseUrl: pg.url, dataDir: data.dir, openaiUrl: fake.url,
      extra: { CHAT_TURN_TIMEOUT_SEC: '6', CHAT_HOLD_GRACE_SEC: '2', CHAT_MAX_CONCURRENT_TURNS: '4' },
    }),
  });
  // Only a plain pool, with an error handler, stays open across the restart (an idle client losing
  // its server would otherwise throw in this process).
  const pool = new Pool({ connectionString: pg.url, max: 4 });
  pool.on('error', () => undefined);
  let visitors: Visitor[] = [];
  try {
    const deps = await createTestDeps({ databaseUrl: pg.url });
    const tenant = await seedChatTenant(deps, { welcomeCredits: WELCOME });
    await closeDeps(deps);
    visitors = await connectVisitors({ url: server.url, key: tenant.key, count: VISITORS });

    type Phase = 'before' | 'during' | 'after';
    let phase: Phase = 'before';
    let running = true;
    const results: Array<{ phase: Phase; result: TurnResult }> = [];
    const loops = visitors.map(async (visitor, v) => {
      for (let n = 0; running; n += 1) {
        const started: Phase = phase;
        const result = await runTurn(visitor, { personaId: tenant.personaId, text: `visitor ${v} message ${n}`, endTimeoutMs: 60_000 });
        results.push({ phase: started, result });
        if (result.kind !== 'ended') await sleep(250);
      }
    });

    await sleep(4000);
    const stoppedAt = Date.now();
    phase = 'during';
    await pg.stop();
    await sleep(DOWN_MS);
    await pg.start();
    const backAt = Date.now();
    const readyAt = await until('the server to be ready again', async () => ((await readyz(server.url)) === 200 ? Date.now() : undefined), {
      timeoutMs: 60_000, everyMs: 100,
    });
    phase = 'after';
    await sleep(5000);
    running = false;
    await Promise.all(loops);
    expect(server.child.exitCode).toBeNull();

    // New turns after the restart: every visitor's succeeds, on the same server process.
    const fresh = await Promise.all(visitors.map((visitor, v) =>
      runTurn(visitor, { personaId: tenant.personaId, text: `visitor ${v} after the restart`, endTimeoutMs: 60_000 })));
    expect(tally(fresh.map(label))).toEqual({ done: VISITORS });

    await until('stranded holds released and replies marked', () => settledDown(pool, tenant.tenantId), { timeoutMs: 60_000 });
    const rows = await turnRows(pool, tenant.tenantId);
    expect(turnProblems(rows, tenant.price)).toEqual([]);
    const { rows: twice } = await pool.query(
      `SELECT hold_id, count(*) FROM ledger_transactions WHERE tenant_id = $1 AND kind = 'usage' GROUP BY hold_id HAVING count(*) > 1`, [tenant.tenantId]);
    expect(twice).toEqual([]);
    // Turns begun once the server was ready again are stored as the widget was told they ended.
    const byId = new Map(rows.map((r) => [r.id, r]));
    const later = [...results.filter((r) => r.phase === 'after').map((r) => r.result), ...fresh];
    const misstored = later.filter((r) => r.kind === 'ended' && (byId.get(r.messageId)?.status !== r.status || byId.get(r.messageId)?.charged !== r.charged));
    expect(misstored).toEqual([]);
    expect(await balanceProblems(pool, tenant.tenantId, rows, WELCOME)).toEqual([]);
    const violations = await ledgerViolations(pool);
    expect(violations).toEqual([]);

    const byPhase = (p: Phase): Record<string, number> => tally(results.filter((r) => r.phase === p).map((r) => label(r.result)));
    const firstDoneAfter = results.find((r) => r.phase === 'after' && r.result.kind === 'ended' && r.result.status === 'done');
    expect(firstDoneAfter).toBeDefined();
    printSummary('Fault 2: PostgreSQL restarted under load (60 widgets chatting non-stop)', [
      `turns: ${results.length + fresh.length} (${results.length} in the load loop, ${fresh.length} fresh after recovery, all ${VISITORS} done)`,
      `outcomes of turns started before the stop: ${JSON.stringify(byPhase('before'))}`,
      `outcomes of turns started while PostgreSQL was down or not yet ready: ${JSON.stringify(byPhase('during'))}`,
      `outcomes of turns started after /readyz was 200 again: ${JSON.stringify(byPhase('after'))}`,
      `PostgreSQL down ${backAt - stoppedAt} ms; /readyz 200 again ${readyAt - backAt} ms after it was back; server process never restarted`,
      `stored replies: ${JSON.stringify(tally(rows.map((r) => r.status)))}; charged ${sum(rows.map((r) => r.usage_amount))} millicredits in ${rows.filter((r) => r.usage_transactions > 0).length} usage transactions`,
      `holds charged more than once: ${twice.length}; pending holds left: 0; ledger verifier violations: ${violations.length}`,
    ]);
  } finally {
    for (const v of visitors) v.socket.close();
    await server.stop();
    await pool.end();
    await fake.close();
    await pg.destroy();
    await data.remove();
  }
});
