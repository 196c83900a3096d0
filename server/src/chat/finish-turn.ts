import { getBalance } from '../ledger/balance';
import { release, settle } from '../ledger/hot-path';
import { turnCost } from '../ledger/pricing';
import type { Usage } from '../providers/types';
import type { BalanceView, MessageStatus, WireError } from '../wire/chat';
import type { ChatRuntime } from './runtime';
import type { TurnOutcome } from './metrics';
import type { PriceSnapshot } from './turn-context';

export interface TurnEnding {
  status: Exclude<MessageStatus, 'streaming'>;
  /** What to charge for; undefined releases the hold (nothing charged). */
  usage?: Usage;
  error?: WireError;
}

export interface FinishTurnOptions {
  rt: ChatRuntime;
  tenantId: string;
  visitorId: string;
  conversationId: string;
  messageId: string;
  holdId: string | null;
  price: PriceSnapshot;
  lowBalanceThreshold: number;
  /** The text and seq the visitor was sent. */
  text: string;
  seq: number;
  ending: TurnEnding;
}

/**
 * Ends a turn: charges it (settle at the actual cost, capped by the hold) or releases the hold,
 * stores the final text and status, then tells every open widget of the visitor how it ended and
 * what their balance is now. Money first: if the process dies after the charge, the message is
 * marked interrupted later but the charge stands exactly once; if it dies before, the hold lapses
 * and the visitor pays nothing.
 */
export async function finishTurn(o: FinishTurnOptions): Promise<void> {
  const { rt, ending } = o;
  const now = rt.clock.now();
  let status = ending.status;
  let error = ending.error;
  let charged = 0;
  try {
    if (!o.holdId) {
      charged = 0;
    } else if (ending.usage) {
      const amount = turnCost({ price: o.price, inputTokens: ending.usage.inputTokens, outputTokens: ending.usage.outputTokens });
      charged = (await settle({ db: rt.db, tenantId: o.tenantId, holdId: o.holdId, amount, now })).charged;
    } else {
      await release({ db: rt.db, tenantId: o.tenantId, holdId: o.holdId, now });
    }
  } catch (err) {
    // The hold is left to lapse: the sweeper releases it, so the visitor is never charged twice or wrongly.
    rt.logger.error({ err, messageId: o.messageId }, 'could not settle a turn; its hold will lapse');
    status = 'interrupted';
    error = { code: 'internal', message: 'The reply could not be completed' };
    charged = 0;
  } finally {
    if (o.holdId) rt.metrics.pendingHolds.dec();
  }
  const usage = status === 'interrupted' || !ending.usage ? null : { inputTokens: ending.usage.inputTokens, outputTokens: ending.usage.outputTokens };

  rt.persister.forget(o.messageId);
  const stored = rt.relaxedDb
    .query(
      `UPDATE chat_messages SET status = $2, text = $3, seq = $4, input_tokens = $5, output_tokens = $6, usage_reported = $7,
              charged = $8, error_code = $9, finished_at = $10, updated_at = $10, hold_id = $11
        WHERE id = $1 AND status = 'streaming'`,
      [o.messageId, status, o.text, o.seq, usage?.inputTokens ?? null, usage?.outputTokens ?? null,
        ending.usage?.reported ?? null, charged, error?.code ?? null, now, o.holdId],
    )
    .catch((err: unknown) => rt.logger.error({ err, messageId: o.messageId }, 'could not store the end of a turn'));
  const balance = balanceView({ rt, tenantId: o.tenantId, visitorId: o.visitorId, lowBalanceThreshold: o.lowBalanceThreshold }).catch(
    (err: unknown) => {
      rt.logger.warn({ err, visitorId: o.visitorId }, 'could not read the balance after a turn');
      return undefined;
    },
  );
  await stored;
  rt.activeTurns.remove(o.messageId);
  rt.emit(o.visitorId, 'message:end', {
    conversationId: o.conversationId, messageId: o.messageId, status, seq: o.seq, charged, usage, ...(error ? { error } : {}),
  });
  const view = await balance;
  if (view) rt.emit(o.visitorId, 'balance', view);
  countOutcome({ rt, status, usage, charged });
}

function countOutcome({ rt, status, usage, charged }: { rt: ChatRuntime; status: TurnOutcome; usage: { inputTokens: number; outputTokens: number } | null; charged: number }): void {
  rt.metrics.turns.inc({ outcome: status });
  if (charged > 0) rt.metrics.creditsCharged.inc(charged);
  if (usage && charged > 0) {
    rt.metrics.tokens.inc({ direction: 'input' }, usage.inputTokens);
    rt.metrics.tokens.inc({ direction: 'output' }, usage.outputTokens);
  }
}

export async function balanceView({ rt, tenantId, visitorId, lowBalanceThreshold }: {
  rt: Pick<ChatRuntime, 'db' | 'clock'> & Partial<Pick<ChatRuntime, 'earlyStarts'>>; tenantId: string; visitorId: string; lowBalanceThreshold: number;
}): Promise<BalanceView> {
  const b = await getBalance({ db: rt.db, tenantId, visitorId, now: rt.clock.now() });
  // What the next message's early start goes by (see early-start.ts).
  rt.earlyStarts?.noteAvailable(visitorId, b.available);
  return {
    balance: b.balance,
    reserved: b.reserved,
    available: b.available,
    lowBalance: b.available < lowBalanceThreshold,
    nextExpiry: b.nextExpiry ? { at: b.nextExpiry.at.toISOString(), amount: b.nextExpiry.amount } : null,
  };
}
