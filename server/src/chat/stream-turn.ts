import { countTextTokens } from '../providers/tokens';
import { ProviderError, type ChatMessage, type ChatProvider, type StreamRequest, type Usage } from '../providers/types';
import { ChunkCoalescer } from './coalescer';
import type { ActiveTurn } from './active-turns';
import type { EarlyStream } from './early-start';
import { finishTurn, type TurnEnding } from './finish-turn';
import type { ChatRuntime } from './runtime';
import type { PriceSnapshot } from './turn-context';

export interface StreamTurnOptions {
  rt: ChatRuntime;
  tenantId: string;
  visitorId: string;
  conversationId: string;
  messageId: string;
  userMessageId: string;
  clientMessageId: string;
  personaId: string;
  modelId: string;
  /** Null for a free model: nothing is held, nothing charged. */
  holdId: string | null;
  price: PriceSnapshot;
  lowBalanceThreshold: number;
  provider: ChatProvider;
  providerModel: string;
  system: string;
  messages: ChatMessage[];
  /** Counted locally: charged as input when the provider reports no usage (a stop). */
  promptTokens: number;
  maxOutputTokens: number;
  temperature: number | null;
  /** performance.now() when the message arrived: the start of time to first token. */
  receivedAt: number;
  /** The provider call, when it was started before the hold and the hold covers it (see early-start.ts). */
  early?: EarlyStream;
}

/**
 * Starts streaming a reply in the background and returns its registration. The visitor's socket
 * plays no part from here on: chunks go to the visitor's room, so a disconnect loses nothing, and
 * the turn ends (and is charged) whether anyone is still listening or not.
 */
export function startStreamingTurn(o: StreamTurnOptions): ActiveTurn {
  const { rt } = o;
  const coalescer = new ChunkCoalescer({
    scheduler: rt.chunks,
    emit: ({ seq, text }) => {
      rt.emit(o.visitorId, 'message:chunk', { conversationId: o.conversationId, messageId: o.messageId, seq, text });
      rt.persister.append(o.messageId, text, seq);
    },
  });
  const turn: ActiveTurn = {
    messageId: o.messageId,
    conversationId: o.conversationId,
    tenantId: o.tenantId,
    visitorId: o.visitorId,
    controller: o.early?.controller ?? new AbortController(),
    coalescer,
    finished: Promise.resolve(),
  };
  rt.activeTurns.add(turn);
  o.early?.adopt();
  rt.emit(o.visitorId, 'message:start', {
    conversationId: o.conversationId, messageId: o.messageId, clientMessageId: o.clientMessageId,
    userMessageId: o.userMessageId, modelId: o.modelId, personaId: o.personaId,
  });
  rt.chunks.track(1);
  turn.finished = runTurn(o, turn)
    .catch((err: unknown) => {
      // A bug, not a provider failure: the hold lapses and is swept, the recovery job marks the reply.
      rt.logger.error({ err, messageId: o.messageId }, 'chat turn crashed');
      rt.activeTurns.remove(o.messageId);
      rt.persister.forget(o.messageId);
    })
    .finally(() => rt.chunks.track(-1));
  return turn;
}

async function runTurn(o: StreamTurnOptions, turn: ActiveTurn): Promise<void> {
  const { rt } = o;
  const timeout = setTimeout(() => {
    rt.activeTurns.stop({ messageId: o.messageId, visitorId: o.visitorId, reason: 'timeout' });
  }, rt.limits.turnTimeoutMs);
  timeout.unref();

  let usage: Usage | undefined;
  let failure: unknown;
  let first = true;
  try {
    const events = o.early?.events ?? o.provider.stream({ ...providerRequest(o), signal: turn.controller.signal });
    for await (const event of events) {
      if (event.type === 'usage') {
        usage = event.usage;
      } else if (event.text.length > 0) {
        turn.coalescer.push(event.text);
        if (first) {
          first = false;
          rt.metrics.timeToFirstToken.observe({ provider: o.provider.name }, (performance.now() - o.receivedAt) / 1000);
        }
      }
    }
  } catch (error) {
    failure = error;
  } finally {
    clearTimeout(timeout);
  }

  const ending = decideEnding({ o, turn, usage, failure });
  if (ending.status === 'failed') turn.coalescer.discard();
  else turn.coalescer.flush();
  await finishTurn({
    rt, tenantId: o.tenantId, visitorId: o.visitorId, conversationId: o.conversationId, messageId: o.messageId,
    holdId: o.holdId, price: o.price, lowBalanceThreshold: o.lowBalanceThreshold,
    text: turn.coalescer.delivered, seq: turn.coalescer.seq, ending,
  });
}

/** What the provider is asked for, but the signal. */
export function providerRequest(o: Pick<StreamTurnOptions, 'providerModel' | 'system' | 'messages' | 'maxOutputTokens' | 'temperature'>): Omit<StreamRequest, 'signal'> {
  return {
    model: o.providerModel,
    system: o.system || undefined,
    messages: o.messages,
    maxOutputTokens: o.maxOutputTokens,
    ...(o.temperature === null ? {} : { temperature: o.temperature }),
  };
}

/**
 * - complete: charged at the provider's usage (or a local count when it reports none);
 * - stopped by the visitor or the turn timeout: charged for the prompt and the text delivered, if any;
 * - aborted by a shutdown: released, marked interrupted (not the visitor's doing);
 * - failed: released, whatever had been streamed.
 */
function decideEnding({ o, turn, usage, failure }: { o: StreamTurnOptions; turn: ActiveTurn; usage?: Usage; failure: unknown }): TurnEnding {
  if (failure === undefined && usage) return { status: 'done', usage };
  if (turn.stopReason === 'shutdown') return { status: 'interrupted', error: { code: 'internal', message: 'The server restarted during this reply' } };
  if (turn.stopReason === 'visitor' || turn.stopReason === 'timeout') {
    turn.coalescer.flush();
    const delivered = turn.coalescer.delivered;
    if (delivered.length === 0) return { status: 'stopped' };
    return { status: 'stopped', usage: { inputTokens: o.promptTokens, outputTokens: countTextTokens(delivered), reported: false } };
  }
  if (!(failure instanceof ProviderError)) {
    o.rt.logger.error({ err: failure, messageId: o.messageId }, 'chat turn failed unexpectedly');
    return { status: 'failed', error: { code: 'internal', message: 'Something went wrong on our side; you were not charged' } };
  }
  o.rt.logger.warn({ err: failure, kind: failure.kind, messageId: o.messageId }, 'provider failed during a turn');
  return {
    status: 'failed',
    error: { code: 'provider_unavailable', message: 'The AI provider could not answer; you were not charged', details: { retryable: failure.kind !== 'bad_request' } },
  };
}
