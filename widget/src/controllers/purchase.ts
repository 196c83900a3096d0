import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { PackView, WireError } from '../../../server/src/wire/chat';
import { GatewayError, type GatewayController, type ReplyOf } from './gateway';

export type Purchase = ReplyOf<'purchases:list'>['purchases'][number];

export type PurchaseStep =
  | { step: 'idle' }
  | { step: 'starting'; pack: PackView }
  | { step: 'waiting'; pack: PackView; purchaseId: string; url: string; popupBlocked: boolean; balanceBefore: number }
  | { step: 'paid'; credits: number }
  | { step: 'failed'; error: WireError | { code: string; message: string } };

const paidStatuses = new Set(['paid', 'succeeded', 'completed', 'complete']);

/**
 * Buying a pack: the checkout opens in a popup (or a new tab on phones) while the widget waits; the
 * credits arrive by push (`purchase:update` and `balance`), whichever comes first, on this tab or any.
 */
export class PurchaseController implements ReactiveController {
  state: PurchaseStep = { step: 'idle' };
  history?: Purchase[];

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly gateway: GatewayController,
    private readonly onPaid: (purchaseId: string, credits: number) => void,
  ) {
    host.addController(this);
    gateway.on('purchase:update', (update) => {
      if (paidStatuses.has(update.status)) this.paid(update.purchaseId, update.credits);
      else if (this.state.step === 'waiting' && this.state.purchaseId === update.purchaseId && update.status === 'failed') {
        this.set({ step: 'failed', error: { code: 'payment_failed', message: update.status } });
      }
    });
    gateway.on('balance', (balance) => {
      // If the purchase push was missed, a rise in balance while waiting is the same news.
      const s = this.state;
      if (s.step === 'waiting' && balance.balance > s.balanceBefore) this.paid(s.purchaseId, balance.balance - s.balanceBefore);
    });
  }

  hostConnected(): void {}

  /** Must run inside the click handler: the popup is opened before any await, or browsers block it. */
  async buy(pack: PackView): Promise<void> {
    const popup = window.open('', 'parley-checkout', 'popup,width=480,height=720');
    if (popup) popup.opener = null; // the checkout page gets no handle on this page
    const balanceBefore = this.gateway.balance?.balance ?? 0;
    this.set({ step: 'starting', pack });
    try {
      const { purchaseId, url } = await this.gateway.request('purchase:start', { packId: pack.id, returnUrl: location.href });
      const safe = /^https?:\/\//i.test(url) ? url : 'about:blank';
      if (popup && !popup.closed) popup.location.href = safe;
      this.set({ step: 'waiting', pack, purchaseId, url: safe, popupBlocked: !popup, balanceBefore });
    } catch (err) {
      popup?.close();
      this.set({ step: 'failed', error: err instanceof GatewayError ? err.wire : { code: 'internal', message: String(err) } });
    }
  }

  reset(): void {
    this.set({ step: 'idle' });
  }

  async loadHistory(): Promise<void> {
    this.history = (await this.gateway.request('purchases:list', {})).purchases;
    this.host.requestUpdate();
  }

  private paid(purchaseId: string, credits: number): void {
    if (this.state.step === 'paid') return;
    this.set({ step: 'paid', credits });
    this.onPaid(purchaseId, credits);
    if (this.history) void this.loadHistory().catch(() => undefined);
  }

  private set(state: PurchaseStep): void {
    this.state = state;
    this.host.requestUpdate();
  }
}
