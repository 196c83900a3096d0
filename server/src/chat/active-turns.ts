import type { ChunkCoalescer } from './coalescer';

export type StopReason = 'visitor' | 'timeout' | 'shutdown';

/** A reply streaming in this process. */
export interface ActiveTurn {
  messageId: string;
  conversationId: string;
  tenantId: string;
  visitorId: string;
  controller: AbortController;
  coalescer: ChunkCoalescer;
  /** Why the provider call was aborted, when it was. */
  stopReason?: StopReason;
  /** Settles when the turn has been charged, stored and announced. */
  finished: Promise<void>;
}

/**
 * The replies this process is streaming: found again by `message:stop` and by `sync` (whose text
 * is fresher here than in the database), and aborted together on shutdown.
 */
export class ActiveTurns {
  private readonly turns = new Map<string, ActiveTurn>();

  add(turn: ActiveTurn): void {
    this.turns.set(turn.messageId, turn);
  }

  remove(messageId: string): void {
    this.turns.delete(messageId);
  }

  get size(): number {
    return this.turns.size;
  }

  /** How many of the visitor's replies stream in this process. */
  countFor(visitorId: string): number {
    let count = 0;
    for (const turn of this.turns.values()) if (turn.visitorId === visitorId) count += 1;
    return count;
  }

  /** Aborts a visitor's own turn; false when it is not streaming here (or not theirs). */
  stop({ messageId, visitorId, reason }: { messageId: string; visitorId: string; reason: StopReason }): boolean {
    const turn = this.turns.get(messageId);
    if (!turn || turn.visitorId !== visitorId) return false;
    turn.stopReason ??= reason;
    turn.controller.abort(new Error(`turn stopped: ${reason}`));
    return true;
  }

  live(messageId: string): { text: string; seq: number } | undefined {
    const turn = this.turns.get(messageId);
    return turn ? { text: turn.coalescer.delivered, seq: turn.coalescer.seq } : undefined;
  }

  /** Waits for every turn to finish on its own, up to `graceMs`, then aborts what is left. */
  async drain(graceMs: number): Promise<void> {
    const all = () => Promise.all([...this.turns.values()].map((t) => t.finished.catch(() => undefined)));
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([all(), grace]);
    clearTimeout(timer);
    for (const turn of this.turns.values()) {
      turn.stopReason ??= 'shutdown';
      turn.controller.abort(new Error('server shutting down'));
    }
    await all();
  }
}
