import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { z } from 'zod';
import { balanceView } from '../chat/finish-turn';
import { listConversations, loadConversation, syncConversation } from '../chat/conversations';
import type { ChatRuntime } from '../chat/runtime';
import { sendMessage } from '../chat/send-message';
import { stopTurn } from '../chat/stop-turn';
import type { Config } from '../config';
import type { Deps } from '../deps';
import { identifyVisitor } from '../identity/identify';
import { createCheckoutLimit } from '../payments/checkout-limit';
import { startCheckout } from '../payments/start-checkout';
import { listVisitorPurchases } from '../payments/purchases';
import {
  identifyPayload, listConversationsPayload, loadConversationPayload, sendMessagePayload, startPurchasePayload, stopPayload, syncPayload,
} from '../wire/chat';
import { eventBudget, onEvent } from './on-event';
import { visitorRoom, type WidgetSocket } from './types';
import { issueVisitorToken } from './visitor-token';

export interface ConnectionOptions {
  rt: ChatRuntime;
  logger: Logger;
  deps: Deps;
  config: Config;
  tokenKey: Buffer;
}

/**
 * A connected widget: it joins its visitor's room (every tab, and a reconnecting socket, gets the
 * replies in flight), hears who it is and what it can spend, and may send these events.
 */
export function onConnection({ rt, logger, deps, config, tokenKey }: ConnectionOptions) {
  const checkoutLimit = createCheckoutLimit({ db: rt.relaxedDb, limits: config.checkout });
  return (socket: WidgetSocket): void => {
    const { tenantId, visitorId } = socket.data;
    const scope = { db: rt.db, tenantId, visitorId };
    const live = (messageId: string) => rt.activeTurns.live(messageId);
    const allow = eventBudget({ limit: 60, windowMs: 10_000 });
    const log = logger.child({ tenantId, visitorId, socketId: socket.id });
    rt.metrics.connectedSockets.inc();
    socket.on('disconnect', () => rt.metrics.connectedSockets.dec());
    void socket.join(visitorRoom(visitorId));

    balanceView({ rt, tenantId, visitorId, lowBalanceThreshold: socket.data.lowBalanceThreshold }).then(
      (balance) => socket.emit('session', {
        visitorToken: socket.data.visitorToken, visitorId, identified: socket.data.identified, balance,
        welcomeGranted: socket.data.welcomeGranted,
      }),
      (err: unknown) => {
        log.error({ err }, 'could not read the balance for a new session');
        socket.disconnect(true);
      },
    );

    const common = { socket, logger: log, allow };
    onEvent({
      ...common, event: 'message:send', schema: sendMessagePayload,
      handler: (payload) => sendMessage({ rt, tenantId, visitorId, payload, receivedAt: performance.now() }),
    });
    onEvent({
      ...common, event: 'message:stop', schema: stopPayload,
      handler: async ({ messageId }) => ({ stopped: await stopTurn({ rt, tenantId, visitorId, messageId }) }),
    });
    onEvent({
      ...common, event: 'sync', schema: syncPayload,
      handler: async ({ conversationId, afterSeq }) => ({ messages: await syncConversation({ ...scope, conversationId, afterSeq, live }) }),
    });
    onEvent({
      ...common, event: 'conversations:list', schema: listConversationsPayload,
      handler: async ({ before, limit }) => ({ conversations: await listConversations({ ...scope, before, limit }) }),
    });
    onEvent({
      ...common, event: 'conversation:load', schema: loadConversationPayload,
      handler: ({ conversationId }) => loadConversation({ ...scope, conversationId, live }),
    });
    onEvent({
      ...common, event: 'purchase:start', schema: startPurchasePayload,
      handler: async ({ packId, returnUrl }) => {
        await checkoutLimit({ tenantId, visitorId });
        const { purchaseId, url } = await startCheckout({ deps, config, tenantId, visitorId, packId, returnUrl });
        return { purchaseId, url };
      },
    });
    onEvent({
      ...common, event: 'purchases:list', schema: z.object({}),
      handler: async () => ({ purchases: await listVisitorPurchases({ db: rt.db, tenantId, visitorId }) }),
    });
    // The socket stays the visitor it connected as (only the handshake writes socket.data): the
    // widget reconnects with the returned token to become the identified visitor.
    onEvent({
      ...common, event: 'identify', schema: identifyPayload,
      handler: async (payload) => {
        const now = rt.clock.now();
        const target = await identifyVisitor({ db: rt.db, masterKey: config.masterKey, tenantId, visitorId, payload, now });
        const balance = await balanceView({ rt, tenantId, visitorId: target.id, lowBalanceThreshold: socket.data.lowBalanceThreshold });
        return { visitorToken: issueVisitorToken({ key: tokenKey, tenantId, visitorId: target.id, now }), visitorId: target.id, balance };
      },
    });
  };
}
