/** The error state's timing and the balance prompts, without a browser. */
import { NoticeController } from '../../widget/src/controllers/notices';
import type { BalanceView } from '../../server/src/wire/chat';

const host = () => ({ addController: jest.fn(), removeController: jest.fn(), requestUpdate: jest.fn(), updateComplete: Promise.resolve(true) });
const balance = (available: number): BalanceView => ({ balance: available, reserved: 0, available, lowBalance: false, nextExpiry: null });

describe('notices', () => {
  afterEach(() => jest.useRealTimers());

  it('counts a rate limit down and clears it by itself', () => {
    jest.useFakeTimers();
    const notices = new NoticeController(host(), jest.fn());
    notices.show({ code: 'rate_limited', message: 'slow down', details: { retryAfterSec: 3 } });
    expect(notices.rateLimited).toBe(true);
    notices.dismiss(); // a rate limit cannot be dismissed early
    expect(notices.notice?.code).toBe('rate_limited');
    jest.advanceTimersByTime(3100);
    expect(notices.rateLimited).toBe(false);
    expect(notices.notice).toBeUndefined();
  });

  it('blocks sending after insufficient_credits until the balance covers the minimal cost', () => {
    const notices = new NoticeController(host(), jest.fn());
    notices.show({ code: 'insufficient_credits', message: 'no', details: { minimalCost: 500 } });
    notices.check(balance(100), 0);
    expect(notices.outOfCredits(balance(100))).toBe(true);
    notices.check(balance(20_100), 0);
    expect(notices.outOfCredits(balance(20_100))).toBe(false);
    expect(notices.notice).toBeUndefined();
  });

  it('prompts once per drop below the threshold and tells the page', () => {
    const onLow = jest.fn();
    const notices = new NoticeController(host(), onLow);
    notices.check(balance(5000), 1000);
    notices.check(balance(900), 1000);
    notices.check(balance(800), 1000);
    expect(onLow).toHaveBeenCalledTimes(1);
    expect(onLow).toHaveBeenCalledWith(900, 1000);
    expect(notices.lowPrompt).toBe(true);
    notices.check(balance(20_000), 1000);
    notices.check(balance(500), 1000);
    expect(onLow).toHaveBeenCalledTimes(2);
  });
});
