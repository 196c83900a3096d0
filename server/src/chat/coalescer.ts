/**
 * Turns a provider's token-by-token deltas into few, ordered chunks. The first delta of a reply
 * goes out at once (it is what the visitor is waiting for); after that, text gathers and goes out
 * on the ticks of one scheduler shared by every reply of the process: at most one emit per tick
 * per reply, and one timer for the whole process rather than one per reply and chunk.
 */
export interface Chunk {
  seq: number;
  text: string;
}

/**
 * Ticks every `baseMs` while few replies stream. Under load the tick stretches in proportion
 * (`baseMs × active / busyAt`): each emit is a socket write, and fewer, larger chunks are what
 * keeps hundreds of concurrent replies from starving each other's first token.
 */
/** Replies flushed per turn of the event loop. */
const flushSlice = 25;

export class ChunkScheduler {
  private readonly dirty = new Set<ChunkCoalescer>();
  private timer: NodeJS.Timeout | undefined;
  private active = 0;
  private stopped = false;

  constructor(private readonly options: { baseMs: number; busyAt: number }) {}

  /** The current gap between two chunks of one reply. */
  get intervalMs(): number {
    return this.options.baseMs * Math.max(1, this.active / this.options.busyAt);
  }

  /** Counts a streaming reply in or out (the stretch depends on how many there are). */
  track(delta: 1 | -1): void {
    this.active = Math.max(0, this.active + delta);
  }

  schedule(coalescer: ChunkCoalescer): void {
    this.dirty.add(coalescer);
    this.timer ??= setTimeout(() => this.tick(), this.intervalMs);
  }

  cancel(coalescer: ChunkCoalescer): void {
    this.dirty.delete(coalescer);
  }

  private tick(): void {
    this.timer = undefined;
    const due = [...this.dirty];
    this.dirty.clear();
    this.flushFrom(due, 0);
  }

  /**
   * Flushes a tick's replies a slice at a time, letting I/O in between: 500 emits in one go would
   * hold the event loop for ~20 ms, and another reply's first token would wait behind them.
   */
  private flushFrom(due: ChunkCoalescer[], from: number): void {
    if (this.stopped) return;
    const end = Math.min(due.length, from + flushSlice);
    for (let i = from; i < end; i += 1) due[i]!.flush();
    if (end < due.length) setImmediate(() => this.flushFrom(due, end));
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.dirty.clear();
  }
}

export interface CoalescerOptions {
  scheduler: ChunkScheduler;
  emit: (chunk: Chunk) => void;
}

export class ChunkCoalescer {
  private pending = '';
  private seqValue = 0;
  private deliveredText = '';

  constructor(private readonly options: CoalescerOptions) {}

  /** Sequence number of the last chunk emitted (the first is 1). */
  get seq(): number {
    return this.seqValue;
  }

  /** Everything emitted so far: exactly what the visitor has been sent. */
  get delivered(): string {
    return this.deliveredText;
  }

  push(text: string): void {
    if (text.length === 0) return;
    this.pending += text;
    if (this.seqValue === 0) this.flush();
    else this.options.scheduler.schedule(this);
  }

  /** Emits whatever is pending now (a tick, the end of the stream, a stop). */
  flush(): void {
    this.options.scheduler.cancel(this);
    if (this.pending.length === 0) return;
    const text = this.pending;
    this.pending = '';
    this.seqValue += 1;
    this.deliveredText += text;
    this.options.emit({ seq: this.seqValue, text });
  }

  /** Drops what is pending without sending it (a failed turn). */
  discard(): void {
    this.options.scheduler.cancel(this);
    this.pending = '';
  }
}
