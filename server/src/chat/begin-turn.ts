import type { Pool } from 'pg';
import { AppError, notFound } from '../http/errors';
import { toAmount } from '../ledger/db';
import type { TurnContext } from './turn-context';
import { titleFrom } from './views';

export interface BeginTurnOptions {
  db: Pool;
  tenantId: string;
  visitorId: string;
  clientMessageId: string;
  conversationId?: string;
  context: TurnContext;
  text: string;
  maxConcurrentTurns: number;
  /** Millicredits: a minimal reply, and the worst case (0 for a free model: no hold). */
  min: number;
  max: number;
  holdExpiresAt: Date;
  now: Date;
}

export type BegunTurn = { conversationId: string; userMessageId: string; messageId: string } & (
  /** This client message id was sent before: the ids are those of the first send. */
  | { outcome: 'duplicate' }
  /** Recorded, with `hold` of `amount` millicredits (null for a free model). */
  | { outcome: 'ok'; hold: { id: string; amount: number } | null }
  /** Recorded as failed: not even `min` is available. */
  | { outcome: 'insufficient'; available: number }
);

interface Row {
  o_outcome: 'ok' | 'duplicate' | 'insufficient' | 'too_many_turns' | 'not_found';
  o_conversation_id: string | null;
  o_user_id: string | null;
  o_assistant_id: string | null;
  o_hold_id: string | null;
  o_hold_amount: string | null;
  o_available: string | null;
}

function assertAmounts({ min, max }: { min: number; max: number }): void {
  const ok = Number.isSafeInteger(min) && Number.isSafeInteger(max) && (max === 0 ? min === 0 : min >= 1 && min <= max);
  if (!ok) throw new Error(`chat: invalid hold bounds ${min}..${max}`);
}

/**
 * Records the visitor's message and an empty `streaming` reply, once per client message id, and
 * holds the credits for it: one round trip and one transaction (`parley_chat_begin_turn`, see its
 * migration for the locking, the idempotency and the call to the ledger's `parley_reserve`).
 */
export async function beginTurn(o: BeginTurnOptions): Promise<BegunTurn> {
  assertAmounts(o);
  const { persona, model } = o.context;
  const { rows } = await o.db.query<Row>({
    name: 'parley_chat_begin_turn',
    text: 'SELECT * FROM parley_chat_begin_turn($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)',
    values: [
      o.tenantId, o.visitorId, o.clientMessageId, o.conversationId ?? null, persona.id, titleFrom(o.text), o.text,
      model.id, model.provider, model.providerModel, JSON.stringify(model.price), o.maxConcurrentTurns, o.now,
      o.min, o.max, o.holdExpiresAt,
    ],
  });
  const row = rows[0]!;
  const ids = () => ({ conversationId: row.o_conversation_id!, userMessageId: row.o_user_id!, messageId: row.o_assistant_id! });
  switch (row.o_outcome) {
    case 'duplicate':
      return { ...ids(), outcome: 'duplicate' };
    case 'ok':
      return { ...ids(), outcome: 'ok', hold: row.o_hold_id ? { id: row.o_hold_id, amount: toAmount(row.o_hold_amount) } : null };
    case 'insufficient':
      return { ...ids(), outcome: 'insufficient', available: toAmount(row.o_available) };
    case 'too_many_turns':
      throw new AppError('too_many_turns', `At most ${o.maxConcurrentTurns} replies can stream at once; wait for one to finish`, {
        limit: o.maxConcurrentTurns,
      });
    default:
      throw notFound('conversation');
  }
}
