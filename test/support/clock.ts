import type { Clock } from '../../server/src/deps';

/** A clock tests can move, so expiry is tested without sleeping. */
export class TestClock implements Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }
}
