import type { Logger } from 'pino';

/**
 * How payments tell open widgets that something changed, without knowing about Socket.IO. The
 * chat gateway implements it by emitting to the room `visitor:<visitorId>`; the Socket.IO
 * adapter fans that out to whichever server process each of the visitor's widgets is on.
 *
 * Called only after the change has committed, and best effort: a push that fails loses nothing,
 * because the widget reads its balance again when it reconnects.
 */
export interface VisitorNotifier {
  /** The visitor's balance changed: emit a fresh `balance` event (with the low-balance flag). */
  notifyBalance(event: { tenantId: string; visitorId: string }): void | Promise<void>;
  /** A purchase changed status: emit `purchase:update`. `credits` is the pack's, in millicredits. */
  notifyPurchase(event: { tenantId: string; visitorId: string; purchaseId: string; status: string; credits: number }): void | Promise<void>;
}

export const silentNotifier: VisitorNotifier = {
  notifyBalance: () => undefined,
  notifyPurchase: () => undefined,
};

/**
 * The app is built before the gateway that implements the notifier exists (both hang off one
 * HTTP server), so boot hands payments this stand-in and attaches the gateway's later.
 */
export interface DeferredNotifier extends VisitorNotifier {
  attach(target: VisitorNotifier): void;
}

export function createDeferredNotifier(): DeferredNotifier {
  let target: VisitorNotifier = silentNotifier;
  return {
    attach: (next) => {
      target = next;
    },
    notifyBalance: (event) => target.notifyBalance(event),
    notifyPurchase: (event) => target.notifyPurchase(event),
  };
}

export interface PurchaseChange {
  tenantId: string;
  visitorId: string;
  purchaseId: string;
  status: string;
  credits: number;
  balanceChanged: boolean;
}

/** Pushes what a committed change means to the visitor's widgets; never throws. */
export async function pushChanges(notifier: VisitorNotifier | undefined, logger: Logger, changes: readonly PurchaseChange[]): Promise<void> {
  if (!notifier) return;
  for (const change of changes) {
    try {
      const { balanceChanged, ...purchase } = change;
      await notifier.notifyPurchase(purchase);
      if (balanceChanged) await notifier.notifyBalance({ tenantId: change.tenantId, visitorId: change.visitorId });
    } catch (err) {
      logger.warn({ err, purchaseId: change.purchaseId }, 'could not push a purchase change to the widget');
    }
  }
}

/**
 * Pushes a visitor's new balance after a committed change outside a purchase (a manual adjustment,
 * a grant through the API); never throws, since the change itself already succeeded.
 */
export async function pushBalance(notifier: VisitorNotifier | undefined, logger: Logger, visitor: { tenantId: string; visitorId: string }): Promise<void> {
  try {
    await notifier?.notifyBalance(visitor);
  } catch (err) {
    logger.warn({ err, visitorId: visitor.visitorId }, 'could not push a balance change to the widget');
  }
}
