import type { Pool } from 'pg';
import { turnCost, type Price } from '../../../server/src/ledger/pricing';
import { formatViolation, verifyLedger } from '../../../server/src/ledger/verify';
import type { ClientToServerEvents } from '../../../server/src/wire/chat';
import { clientId, connectWidget, WidgetRecorder, type SessionData, type WidgetClient } from '../../support/chat';
import { inBatches } from './processes';

/** A connected widget: one visitor, its socket and everything it has heard. */
export interface Visitor {
  socket: WidgetClient;
  session: SessionData;
  recorder: WidgetRecorder;
}

export async function connectVisitors(options: { url: string; key: string; count: number; concurrency?: number }): Promise<Visitor[]> {
  const indexes = Array.from({ length: options.count }, (_, i) => i);
  return inBatches(indexes, options.concurrency ?? 25, async () => {
    const { socket, session } = await connectWidget({ url: options.url }, { key: options.key });
    return { socket, session, recorder: new WidgetRecorder(socket) };
  });
}

/** Replies acknowledged and not yet ended, as the widgets see them, and the most at once. */
export interface InFlight {
  now: number;
  peak: number;
}

type SendAck = Parameters<Parameters<ClientToServerEvents['message:send']>[1]>[0];

export type TurnResult =
  | { kind: 'ended'; messageId: string; status: string; charged: number; errorCode?: string; ackMs: number }
  | { kind: 'refused'; code: string }
  | { kind: 'no_end'; messageId: string };

/**
 * Sends one message and waits for how its reply ended (or why it was refused). The ack may take a
 * while when hundreds arrive at once on a busy machine: 60 s before it counts as lost.
 */
export async function runTurn(visitor: Visitor, options: { personaId: string; text: string; endTimeoutMs: number; inFlight?: InFlight }): Promise<TurnResult> {
  let ack: SendAck;
  const sentAt = performance.now();
  try {
    ack = await visitor.socket.timeout(60_000).emitWithAck('message:send', { clientMessageId: clientId('fault'), personaId: options.personaId, text: options.text });
  } catch {
    return { kind: 'refused', code: 'ack_timeout' };
  }
  if (!ack.ok) return { kind: 'refused', code: ack.error.code };
  const { messageId } = ack;
  const ackMs = performance.now() - sentAt;
  const flying = options.inFlight;
  if (flying) flying.peak = Math.max(flying.peak, (flying.now += 1));
  try {
    const end = await visitor.recorder.until(() => visitor.recorder.ends.find((e) => e.messageId === messageId), options.endTimeoutMs);
    if (flying) flying.now -= 1;
    return { kind: 'ended', messageId, status: end.status, charged: end.charged, ackMs, ...(end.error ? { errorCode: end.error.code } : {}) };
  } catch {
    return { kind: 'no_end', messageId };
  }
}

/** Counts of each label, sorted by label, for printing. */
export function tally(labels: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const label of [...labels].sort()) out[label] = (out[label] ?? 0) + 1;
  return out;
}

export const label = (r: TurnResult): string => (r.kind === 'ended' ? r.status : r.kind === 'refused' ? `refused:${r.code}` : 'no_end');

/** One assistant message with its hold and what the ledger charged for it. */
export interface TurnRow {
  id: string;
  visitor_id: string;
  status: string;
  charged: number;
  input_tokens: number | null;
  output_tokens: number | null;
  error_code: string | null;
  hold_id: string | null;
  hold_status: string | null;
  hold_amount: number | null;
  settled_amount: number | null;
  usage_transactions: number;
  /** What the usage transactions took from the visitor's account (positive). */
  usage_amount: number;
}

/**
 * Every assistant message of the tenant with its hold (found by the turn's idempotency key, as the
 * recovery job finds it) and the usage transactions booked against that hold.
 */
export async function turnRows(pool: Pool, tenantId: string): Promise<TurnRow[]> {
  const { rows } = await pool.query<Record<string, string | null>>(
    `SELECT m.id, m.visitor_id, m.status, m.charged, m.input_tokens, m.output_tokens, m.error_code,
            h.id AS hold_id, h.status AS hold_status, h.amount AS hold_amount, h.settled_amount,
            (SELECT count(*) FROM ledger_transactions t WHERE t.hold_id = h.id AND t.kind = 'usage') AS usage_transactions,
            (SELECT coalesce(-sum(e.amount), 0) FROM ledger_transactions t JOIN ledger_entries e ON e.transaction_id = t.id AND e.account_id = h.account_id
              WHERE t.hold_id = h.id AND t.kind = 'usage') AS usage_amount
       FROM chat_messages m
       LEFT JOIN holds h ON h.tenant_id = m.tenant_id AND h.idempotency_key = 'turn:' || m.id::text
      WHERE m.tenant_id = $1 AND m.role = 'assistant'`,
    [tenantId],
  );
  const num = (v: string | null | undefined): number | null => (v === null || v === undefined ? null : Number(v));
  return rows.map((r) => ({
    id: r.id!, visitor_id: r.visitor_id!, status: r.status!, charged: Number(r.charged), input_tokens: num(r.input_tokens),
    output_tokens: num(r.output_tokens), error_code: r.error_code ?? null, hold_id: r.hold_id ?? null, hold_status: r.hold_status ?? null,
    hold_amount: num(r.hold_amount), settled_amount: num(r.settled_amount), usage_transactions: Number(r.usage_transactions),
    usage_amount: Number(r.usage_amount),
  }));
}

/**
 * What must be true of every turn however it ended; returns one line per broken rule (empty when
 * all hold), so a failure names the message.
 * - at most one charge per hold (and per message: one hold per message by its idempotency key);
 * - the message's `charged` is what its usage transaction took, and the hold's settled amount;
 * - a done turn is charged exactly the pricing function of its stored usage;
 * - a failed or stopped-without-text turn is charged nothing and its hold voided;
 * - no hold is still pending and no reply still streaming (call after the jobs have run).
 */
export function turnProblems(rows: TurnRow[], price: Price): string[] {
  const problems: string[] = [];
  for (const r of rows) {
    const say = (what: string): void => {
      problems.push(`${r.id} (${r.status}, charged ${r.charged}, hold ${r.hold_status} settled ${r.settled_amount}, ${r.usage_transactions} usage tx of ${r.usage_amount}): ${what}`);
    };
    if (r.usage_transactions > 1) say('charged more than once');
    if (r.status === 'streaming') say('still streaming');
    if (r.hold_status === 'pending') say('hold still pending');
    if (r.charged !== r.usage_amount) say('message charge differs from the ledger');
    if ((r.settled_amount ?? 0) !== r.usage_amount) say('hold settled amount differs from the ledger');
    if (r.status === 'done') {
      if (r.input_tokens === null || r.output_tokens === null) say('done without usage');
      else if (r.charged !== turnCost({ price, inputTokens: r.input_tokens, outputTokens: r.output_tokens })) say('charge is not the price of its usage');
      if (r.hold_status !== 'posted') say('done but hold not posted');
    }
    if (r.status === 'failed' && (r.charged !== 0 || (r.hold_id !== null && r.hold_status !== 'voided'))) say('failed but charged or hold not voided');
  }
  return problems;
}

/** Each visitor's balance is the welcome credits less what its turns were charged. */
export async function balanceProblems(pool: Pool, tenantId: string, rows: TurnRow[], welcome: number): Promise<string[]> {
  const charged = new Map<string, number>();
  for (const r of rows) charged.set(r.visitor_id, (charged.get(r.visitor_id) ?? 0) + r.usage_amount);
  const { rows: accounts } = await pool.query<{ visitor_id: string; balance: string; reserved: string }>(
    `SELECT visitor_id, balance, reserved FROM ledger_accounts WHERE tenant_id = $1 AND kind = 'visitor'`, [tenantId]);
  return accounts
    .filter((a) => Number(a.balance) !== welcome - (charged.get(a.visitor_id) ?? 0) || Number(a.reserved) !== 0)
    .map((a) => `visitor ${a.visitor_id}: balance ${a.balance}, reserved ${a.reserved}, expected ${welcome - (charged.get(a.visitor_id) ?? 0)} and 0`);
}

/** The ledger verifier (`npm run ledger:verify`) over the whole database: its violations, formatted. */
export async function ledgerViolations(pool: Pool): Promise<string[]> {
  return (await verifyLedger({ db: pool })).map(formatViolation);
}

/** The p-th percentile (0..100) of `values`, nearest rank. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);

/** No pending holds and no streaming replies left for the tenant: the sweeper and recovery have run. */
export async function settledDown(pool: Pool, tenantId: string): Promise<true | undefined> {
  const { rows } = await pool.query<{ holds: string; streaming: string }>(
    `SELECT (SELECT count(*) FROM holds WHERE tenant_id = $1 AND status = 'pending') AS holds,
            (SELECT count(*) FROM chat_messages WHERE tenant_id = $1 AND status = 'streaming') AS streaming`,
    [tenantId],
  );
  return rows[0]?.holds === '0' && rows[0]?.streaming === '0' ? true : undefined;
}
