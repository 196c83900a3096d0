/**
 * Fault scenario 1: 300 concurrent turns, real socket.io-client widgets against a real server
 * process, the provider (the fake OpenAI, through the real openai SDK with its default 2 retries)
 * failing each request at random: 20 % HTTP 429, 5 % HTTP 500, 2 % stalling mid-stream, 2 %
 * resetting the connection mid-stream. A warm-up round without faults, then two faulty rounds.
 *
 * Proves: every turn ends (done or failed) and its hold is settled or released; a failed turn is
 * charged nothing; a done turn is charged exactly the pricing function of the usage it reported,
 * once; each visitor's balance is the welcome credits less those charges; the ledger verifier
 * finds nothing; the server's heap after the faulty rounds stays near the warm-up figure.
 */
import type { RecordedRequest } from '../fakes/fake-server';
import { startFakeOpenAI } from '../fakes/fake-openai';
import { closeDeps, createTestDeps } from '../support/app';
import { seedChatTenant } from '../support/chat';
import { scratchDatabase } from '../support/db';
import { printSummary, serverEnv, startServerProcess, tempDataDir, until } from './support/processes';
import {
  balanceProblems, connectVisitors, label, ledgerViolations, percentile, runTurn, settledDown, sum, tally, turnProblems, turnRows, type TurnResult,
} from './support/turns';

const VISITORS = 300;
const FAULTY_ROUNDS = 2;
const REPLY_TOKENS = 40;
const WELCOME = 50_000;
const FAULTS = { http429: 0.2, http500: 0.05, stall: 0.02, reset: 0.02 };

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const ms = (value: number): string => `${Math.round(value)} ms`;

function userTextOf(request: RecordedRequest): string | undefined {
  const messages = (request.body as { messages?: Array<{ role: string; content: unknown }> } | undefined)?.messages ?? [];
  const last = messages.filter((m) => m.role === 'user').at(-1);
  return typeof last?.content === 'string' ? last.content : undefined;
}

/** Why a turn ended as it did, from what the provider did to its last attempt. */
async function providerKind(attempts: RecordedRequest[]): Promise<string> {
  const last = attempts.at(-1);
  if (!last) return 'never reached the provider';
  const outcome = await Promise.race([last.ended, new Promise<string>((resolve) => setTimeout(() => resolve('pending'), 2000))]);
  const retries = attempts.length - 1;
  if (outcome === 'completed') return retries === 0 ? 'ok' : `ok after ${retries} retr${retries === 1 ? 'y' : 'ies'}`;
  if (outcome === 'http_error') return `failed: HTTP ${last.status} after ${retries} retries`;
  if (outcome === 'reset') return 'failed: reset mid-stream';
  if (outcome === 'client_closed') return 'failed: stalled (idle timeout)';
  return `unknown (${outcome})`;
}

it('300 concurrent turns under 429/500/stall/reset faults: holds settled or released, charges exact, memory flat', async () => {
  const db = await scratchDatabase({ migrated: true });
  const data = await tempDataDir('provider');
  const fake = await startFakeOpenAI({ behaviour: { replyTokens: REPLY_TOKENS, tokensPerSecond: 10, firstTokenMs: 100, seed: 20261121 } });
  const deps = await createTestDeps({ databaseUrl: db.url });
  const server = await startServerProcess({ entry: 'measured', env: serverEnv({ databaseUrl: db.url, dataDir: data.dir, openaiUrl: fake.url }) });
  try {
    const tenant = await seedChatTenant(deps, { welcomeCredits: WELCOME });
    const visitors = await connectVisitors({ url: server.url, key: tenant.key, count: VISITORS });

    const peaks: number[] = [];
    const round = async (name: string): Promise<Array<{ text: string; result: TurnResult }>> => {
      const inFlight = { now: 0, peak: 0 };
      const results = await Promise.all(visitors.map(async (visitor, i) => {
        const text = `${name} turn ${i}: tell me something`;
        return { text, result: await runTurn(visitor, { personaId: tenant.personaId, text, endTimeoutMs: 120_000, inFlight }) };
      }));
      peaks.push(inFlight.peak);
      return results;
    };

    const warmup = await round('warm-up');
    expect(tally(warmup.map((t) => label(t.result)))).toEqual({ done: VISITORS });
    await until('warm-up holds settled', () => settledDown(deps.pool, tenant.tenantId));
    const heapWarm = await server.heap();

    fake.setBehaviour({ failRates: FAULTS, seed: 8 });
    const faulty: Array<{ text: string; result: TurnResult }> = [];
    const heaps = [];
    for (let r = 1; r <= FAULTY_ROUNDS; r += 1) {
      faulty.push(...(await round(`faulty-${r}`)));
      await until('faulty holds settled or released', () => settledDown(deps.pool, tenant.tenantId));
      heaps.push(await server.heap());
    }
    const heapAfter = heaps.at(-1)!;

    // What the provider did to each faulty turn, matched by the turn's unique text.
    const attempts = new Map<string, RecordedRequest[]>();
    for (const request of fake.requests) {
      const text = userTextOf(request);
      if (text !== undefined) attempts.set(text, [...(attempts.get(text) ?? []), request]);
    }
    const kinds = await Promise.all(faulty.map((t) => providerKind(attempts.get(t.text) ?? [])));
    // The server's verdict agrees with the provider's: a reply whose last attempt completed is done,
    // every other one failed (as provider_unavailable).
    const disagreements = faulty.filter((t, i) => {
      const ok = kinds[i]!.startsWith('ok');
      return t.result.kind !== 'ended' || (ok ? t.result.status !== 'done' : t.result.status !== 'failed' || t.result.errorCode !== 'provider_unavailable');
    });
    expect(disagreements.map((t) => `${t.text}: ${JSON.stringify(t.result)}`)).toEqual([]);

    const rows = await turnRows(deps.pool, tenant.tenantId);
    expect(rows).toHaveLength(VISITORS * (1 + FAULTY_ROUNDS));
    expect(turnProblems(rows, tenant.price)).toEqual([]);
    // What each widget was told it paid is what the ledger took.
    const byId = new Map(rows.map((r) => [r.id, r]));
    const told = [...warmup, ...faulty].filter((t) => t.result.kind === 'ended' && t.result.charged !== byId.get(t.result.messageId)?.usage_amount);
    expect(told).toEqual([]);
    // And the stored reply says what the widget was told (the recovery job must leave live turns alone).
    const misstored = [...warmup, ...faulty].filter((t) => t.result.kind === 'ended' && t.result.status !== byId.get(t.result.messageId)?.status);
    expect(misstored.map((t) => `${t.text}: told ${JSON.stringify(t.result)}, stored ${byId.get((t.result as { messageId: string }).messageId)?.status}`)).toEqual([]);
    expect(await balanceProblems(deps.pool, tenant.tenantId, rows, WELCOME)).toEqual([]);
    const violations = await ledgerViolations(deps.pool);
    expect(violations).toEqual([]);

    const statuses = tally(faulty.map((t) => label(t.result)));
    const byKind = tally(kinds);
    // The mix really happened: each kind of fault ended at least one turn.
    expect(Object.keys(byKind).some((k) => k.startsWith('failed: HTTP 429'))).toBe(true);
    expect(byKind['failed: reset mid-stream']).toBeGreaterThan(0);
    expect(byKind['failed: stalled (idle timeout)']).toBeGreaterThan(0);
    expect(heapAfter.heapUsed).toBeLessThan(2 * heapWarm.heapUsed);

    const acks = [...warmup, ...faulty].flatMap((t) => (t.result.kind === 'ended' ? [t.result.ackMs] : []));
    const failedRows = rows.filter((r) => r.status === 'failed');
    const doneRows = rows.filter((r) => r.status === 'done');
    printSummary('Fault 1: provider faults (300 concurrent turns, 429 20 % / 500 5 % / stall 2 % / reset 2 %)', [
      `turns: ${VISITORS} warm-up + ${faulty.length} faulty (${FAULTY_ROUNDS} rounds of ${VISITORS} at once), ${VISITORS} widgets`,
      `replies streaming at once (peak per round, as the widgets saw it): ${peaks.join(', ')}; ack p50 ${ms(percentile(acks, 50))}, p99 ${ms(percentile(acks, 99))}`,
      `provider requests: ${fake.stats.requests} (HTTP errors ${fake.stats.httpErrors}, resets ${fake.stats.resets}, stalls aborted ${fake.stats.clientClosed})`,
      `faulty turns by outcome: ${JSON.stringify(statuses)}`,
      `faulty turns by what the provider did: ${JSON.stringify(byKind)}`,
      `charges: ${doneRows.length} done turns charged ${sum(doneRows.map((r) => r.charged))} millicredits, each = price(usage); ${failedRows.length} failed turns charged ${sum(failedRows.map((r) => r.charged))}, holds voided`,
      `stored statuses: ${JSON.stringify(tally(rows.map((r) => r.status)))}`,
      `pending holds after the run: 0; replies still streaming: 0`,
      `server heap used (after GC): warm-up ${mb(heapWarm.heapUsed)}, after faulty rounds ${heaps.map((h) => mb(h.heapUsed)).join(' → ')} (rss ${mb(heapWarm.rss)} → ${mb(heapAfter.rss)})`,
      `ledger verifier violations: ${violations.length}`,
    ]);
    for (const v of visitors) v.socket.close();
  } finally {
    await server.stop();
    await fake.close();
    await closeDeps(deps);
    await db.drop();
    await data.remove();
  }
});
