import { ttftTimeline } from '../../server/scripts/bench-chat/phases';

describe('bench:chat --timeline', () => {
  it('groups time to first token by when the message was sent, in order, with percentiles and max', () => {
    const sent = [
      { atMs: 1200, ttftMs: 230 }, { atMs: 10, ttftMs: 203 }, { atMs: 490, ttftMs: 207 },
      { atMs: 1499, ttftMs: 260 }, { atMs: 1000, ttftMs: 210 }, { atMs: 250, ttftMs: 205 },
    ];
    expect(ttftTimeline(sent, 500)).toEqual([
      { fromMs: 0, turns: 3, p50: 205, p90: 207, max: 207 },
      { fromMs: 1000, turns: 3, p50: 230, p90: 260, max: 260 },
    ]);
  });

  it('is empty for a phase where no reply started', () => {
    expect(ttftTimeline([], 500)).toEqual([]);
  });
});
