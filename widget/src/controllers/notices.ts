import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { BalanceView, WireError } from '../../../server/src/wire/chat';

/**
 * The error state and the balance prompts: which gateway error is shown, the rate-limit countdown,
 * whether the composer is blocked for lack of credits, and the low-balance prompt (offered once per
 * drop below the tenant's threshold, with `onLow` telling the page).
 */
export class NoticeController implements ReactiveController {
  notice?: WireError;
  rateLimitUntil = 0;
  now = Date.now();
  lowPrompt = false;
  /** After `insufficient_credits`: sending stays blocked until the available balance reaches this. */
  private blockedBelow = 0;
  private wasLow = false;
  private ticker?: ReturnType<typeof setInterval>;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly onLow: (available: number, threshold: number) => void,
  ) {
    host.addController(this);
  }

  hostDisconnected(): void {
    clearInterval(this.ticker);
  }

  show(error: WireError): void {
    this.notice = error;
    const details = error.details ?? {};
    if (error.code === 'insufficient_credits') this.blockedBelow = Number(details.minimalCost) || 1;
    if (error.code === 'rate_limited') this.countDown(Number(details.retryAfterSec) || 5);
    this.host.requestUpdate();
  }

  /** Clears the shown error, except a running rate limit, which clears itself. */
  dismiss(): void {
    if (this.notice?.code !== 'rate_limited') this.notice = undefined;
    this.host.requestUpdate();
  }

  dismissLow(): void {
    this.lowPrompt = false;
    this.host.requestUpdate();
  }

  get rateLimited(): boolean {
    return this.now < this.rateLimitUntil;
  }

  outOfCredits(balance: BalanceView | undefined): boolean {
    return !!balance && (balance.available <= 0 || balance.available < this.blockedBelow);
  }

  /** Called on every render with the latest balance: lifts a credit block, raises the low-balance prompt. */
  check(balance: BalanceView | undefined, threshold: number): void {
    if (!balance) return;
    if (balance.available >= this.blockedBelow) {
      this.blockedBelow = 0;
      if (this.notice?.code === 'insufficient_credits') this.notice = undefined;
    }
    const low = balance.lowBalance || balance.available < threshold;
    if (low && !this.wasLow) {
      this.lowPrompt = true;
      this.onLow(balance.available, threshold);
    }
    this.wasLow = low;
  }

  private countDown(seconds: number): void {
    this.rateLimitUntil = Date.now() + seconds * 1000;
    this.now = Date.now();
    clearInterval(this.ticker);
    this.ticker = setInterval(() => {
      this.now = Date.now();
      if (!this.rateLimited) {
        clearInterval(this.ticker);
        if (this.notice?.code === 'rate_limited') this.notice = undefined;
      }
      this.host.requestUpdate();
    }, 1000);
  }
}
