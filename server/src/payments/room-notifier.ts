import type { Clock } from '../deps';
import { getBalance } from '../ledger/balance';
import type { Queryable } from '../ledger/db';
import type { TenantCache } from '../tenant-cache/cache';
import type { ServerToClientEvents } from '../wire/chat';
import { getLowBalanceThreshold, isLowBalance } from './low-balance';
import type { VisitorNotifier } from './notifier';

/** The gateway's "emit to every open widget of this visitor" (chat's `VisitorEmitter` fits). */
export type RoomEmitter = <E extends keyof ServerToClientEvents>(visitorId: string, event: E, ...args: Parameters<ServerToClientEvents[E]>) => void;

/**
 * A `VisitorNotifier` over the gateway's room emitter, ready for boot to attach:
 * `notifier.attach(roomNotifier({ emit: gateway.runtime.emit, db: deps.pool, clock: deps.clock }))`.
 * The balance is read after the commit, so the push shows the visitor's balance as it is now.
 */
export function roomNotifier({ emit, db, clock, cache }: { emit: RoomEmitter; db: Queryable; clock: Clock; cache?: TenantCache }): VisitorNotifier {
  return {
    async notifyBalance({ tenantId, visitorId }) {
      const [b, threshold] = await Promise.all([getBalance({ db, tenantId, visitorId, now: clock.now() }), getLowBalanceThreshold({ db, tenantId, cache })]);
      emit(visitorId, 'balance', {
        balance: b.balance,
        reserved: b.reserved,
        available: b.available,
        lowBalance: isLowBalance({ available: b.available, threshold }),
        nextExpiry: b.nextExpiry ? { at: b.nextExpiry.at.toISOString(), amount: b.nextExpiry.amount } : null,
      });
    },
    notifyPurchase({ visitorId, purchaseId, status, credits }) {
      emit(visitorId, 'purchase:update', { purchaseId, status, credits });
    },
  };
}
