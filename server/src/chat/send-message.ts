import { z } from 'zod';
import { AppError } from '../http/errors';
import { maxAffordableOutputTokens, turnReservation } from '../ledger/pricing';
import { listActivePacks } from '../packs/list-active-packs';
import { openCredentials } from '../provider-keys/service';
import { countPromptTokens } from '../providers/tokens';
import { ProviderError, type ChatMessage, type ChatProvider } from '../providers/types';
import { effectiveChatLimits, type TenantChatLimits } from '../tenants/rate-limits';
import type { sendMessagePayload } from '../wire/chat';
import { readChatSettings } from '../widget-config/settings';
import { beginTurn } from './begin-turn';
import { maybeStartEarly } from './early-start';
import { balanceView } from './finish-turn';
import type { ChatRuntime } from './runtime';
import { providerRequest, startStreamingTurn } from './stream-turn';
import { loadHistory, loadTurnContext, type TurnContext } from './turn-context';

/** The smallest reply worth starting: below this the visitor is told to top up instead. */
export const minReplyTokens = 16;
/** Messages of history sent with each turn (10 exchanges). */
const historyLimit = 20;

export interface SendMessageOptions {
  rt: ChatRuntime;
  tenantId: string;
  visitorId: string;
  payload: z.output<typeof sendMessagePayload>;
  /** performance.now() when the event arrived. */
  receivedAt: number;
}

export interface SendMessageResult {
  conversationId: string;
  messageId: string;
  userMessageId: string;
  duplicate: boolean;
}

/**
 * Tokenizers differ between model families (Claude counts more than o200k for the same text), so the
 * hold budgets the prompt with headroom; the charge is still the provider's reported usage.
 */
export const inputBudget = (promptTokens: number): number => promptTokens + Math.ceil(promptTokens / 4) + 8;

/**
 * A visitor's message, up to the point where its reply is streaming: limits, idempotent record,
 * price, hold, provider call. Resolves with what the ack reports; the reply goes on in the background.
 */
export async function sendMessage(o: SendMessageOptions): Promise<SendMessageResult> {
  const { rt, tenantId, visitorId, payload } = o;
  // The reads go out together; the history is wasted only on a duplicate send. The rate limits
  // follow the context, which carries the workspace's own limits (so they cost no query of their own).
  let limited: Promise<void> | undefined;
  const [context, history] = await Promise.all([
    loadTurnContext({ db: rt.db, cache: rt.tenantCache, tenantId, personaId: payload.personaId, modelId: payload.modelId }).then((loaded) => {
      limited = consumeMessageLimits(rt, tenantId, visitorId, loaded.chatLimits);
      limited.catch(() => undefined);
      return loaded;
    }),
    payload.conversationId
      ? loadHistory({ db: rt.db, tenantId, visitorId, conversationId: payload.conversationId, limit: historyLimit })
      : Promise.resolve([]),
  ]);
  const provider = resolveProvider(rt, tenantId, context);

  const messages: ChatMessage[] = [...history, { role: 'user', content: payload.text }];
  const system = context.persona.systemPrompt;
  const promptTokens = countPromptTokens({ system: system || undefined, messages });
  const price = context.model.price;
  const cap = Math.min(context.persona.maxOutputTokens, context.model.maxOutputTokens);
  const { min, max } = holdBounds({ price, promptTokens, cap });
  const turnRequest = { providerModel: context.model.providerModel, system, messages, temperature: context.persona.temperature };
  // The provider's time to first token overlaps the hold's transaction when the hold is expected in full.
  // So do the shared rate limits' round trips: this process's own count of the visitor's messages
  // decides whether to start early, the shared count whether the turn happens at all.
  const early = maybeStartEarly({
    rt, visitorId, clientMessageId: payload.clientMessageId, fullHold: max, provider,
    perMinute: effectiveChatLimits(context.chatLimits, rt.limits).visitorMessagesPerMin,
    request: providerRequest({ ...turnRequest, maxOutputTokens: cap }),
  });
  await limited?.catch((err: unknown) => {
    early?.abandon();
    throw err;
  });
  const now = rt.clock.now();
  const begun = await beginTurn({
    db: rt.db, tenantId, visitorId, clientMessageId: payload.clientMessageId, conversationId: payload.conversationId,
    context, text: payload.text, maxConcurrentTurns: rt.limits.maxConcurrentTurns, min, max,
    holdExpiresAt: new Date(now.getTime() + rt.limits.turnTimeoutMs + rt.limits.holdGraceMs), now,
  }).catch((err: unknown) => {
    early?.abandon();
    throw err;
  });
  if (begun.outcome !== 'ok') early?.abandon();
  const result = { conversationId: begun.conversationId, messageId: begun.messageId, userMessageId: begun.userMessageId, duplicate: begun.outcome === 'duplicate' };
  if (begun.outcome === 'duplicate') return result;
  const lowBalanceThreshold = readChatSettings(context.tenantSettings).lowBalanceThreshold;
  if (begun.outcome === 'insufficient') {
    rt.metrics.turns.inc({ outcome: 'insufficient_credits' });
    const balance = await balanceView({ rt, tenantId, visitorId, lowBalanceThreshold });
    throw new AppError('insufficient_credits', 'Not enough credits for a reply; buy a pack to continue', {
      balance: balance.balance,
      available: balance.available,
      minimalCost: min,
      packs: await listActivePacks({ db: rt.db, tenantId }),
    });
  }

  // The reply may be as long as the credits actually held pay for (a free model: the cap).
  const { hold } = begun;
  const maxOutputTokens = hold ? maxAffordableOutputTokens({ price, inputTokens: inputBudget(promptTokens), budget: hold.amount, cap }) : cap;
  if (hold) {
    rt.metrics.pendingHolds.inc();
    rt.earlyStarts.noteHeld(visitorId, hold.amount);
  }
  // The early call is kept only when the hold pays for exactly the reply it asked for.
  const adopted = early && maxOutputTokens === cap ? early : undefined;
  if (early && !adopted) early.abandon();
  startStreamingTurn({
    rt, tenantId, visitorId, conversationId: begun.conversationId, messageId: begun.messageId, userMessageId: begun.userMessageId,
    clientMessageId: payload.clientMessageId, personaId: context.persona.id, modelId: context.model.id, holdId: hold?.id ?? null,
    price, lowBalanceThreshold, provider, ...turnRequest, promptTokens, maxOutputTokens, receivedAt: o.receivedAt, early: adopted,
  });
  return result;
}

/** One message off the visitor's and the workspace's budgets, at the workspace's limits within the operator's. */
async function consumeMessageLimits(rt: ChatRuntime, tenantId: string, visitorId: string, own: TenantChatLimits): Promise<void> {
  const limits = effectiveChatLimits(own, rt.limits);
  await Promise.all([
    rt.limiters.visitorMessages(limits.visitorMessagesPerMin).consume(`${tenantId}:${visitorId}`),
    rt.limiters.tenantMessages(limits.tenantMessagesPerMin).consume(tenantId),
  ]);
}

/** What to hold: a minimal reply at least, the longest the persona and model allow at most. */
function holdBounds({ price, promptTokens, cap }: { price: TurnContext['model']['price']; promptTokens: number; cap: number }) {
  const { min, max } = turnReservation({ price, inputTokens: inputBudget(promptTokens), minOutputTokens: minReplyTokens, maxOutputTokens: cap });
  return max === 0 ? { min: 0, max: 0 } : { min: Math.max(1, min), max };
}

/** The tenant's own key for the model's provider when it has one, else the platform's. */
function resolveProvider(rt: ChatRuntime, tenantId: string, context: TurnContext): ChatProvider {
  try {
    const tenant = openCredentials({
      masterKey: rt.masterKey, tenantId, rows: context.sealedKeys,
      onError: (provider, err) => rt.logger.error({ err, tenantId, provider }, 'a tenant provider key does not open; ignoring it'),
    });
    return rt.providers.resolve({ name: context.model.provider, tenant });
  } catch (err) {
    if (err instanceof ProviderError) {
      rt.metrics.turns.inc({ outcome: 'rejected' });
      throw new AppError('provider_unavailable', 'This model is not available right now', { retryable: false });
    }
    throw err;
  }
}
