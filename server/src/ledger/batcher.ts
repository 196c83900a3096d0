import { DatabaseError, type Pool } from 'pg';

/**
 * Application-level group commit for the hot path (reserve, settle, release).
 *
 * Each single call is its own durable commit, and on a busy account the row lock is held through
 * that commit's WAL flush: one account manages at most 1 / commit latency operations a second,
 * and many accounts at most the commits the disk can group. So, per pool, calls queue and leave
 * on the next turn of the event loop, shared among the free slots (`connections` round trips at
 * most in flight), each share (up to `maxOps`) as ONE call to `parley_ledger_batch_sets`: one
 * transaction, one WAL flush, one row per op in order. An op alone on its account in the batch
 * runs in a few set-based statements shared by all such ops; every other op runs the same SQL
 * function its single call would (see migrations/_ledger/batch-sets.ts). Either way every caller
 * gets exactly the answer of its own call placed at that point in the order. A lone op (the usual
 * case at low load) takes the single-op function: batching costs it one event-loop turn.
 *
 * If a batch fails on the server (a CHECK, a trigger, a deadlock or a race on a reused
 * idempotency key),
 * nothing of it was committed, and its ops are run again one by one, so one bad op fails alone.
 * A lost connection is not retried: as with a single call, whether it committed is unknown.
 */

export type HotOp =
  | {
      op: 'reserve'; tenant: string; visitor: string; min: number; max: number; expires: Date; key: string;
      price: object; now: Date;
    }
  | { op: 'settle'; tenant: string; hold: string; amount: number; now: Date }
  | { op: 'release'; tenant: string; hold: string; now: Date };

/** Every column of the single functions' rows (and of a batch row): strings for bigints, as pg gives them. */
export interface HotRow {
  o_outcome: string;
  o_hold_id?: string | null;
  o_amount?: string | null;
  o_status?: string | null;
  o_available?: string | null;
  o_charged?: string | null;
  o_balance?: string | null;
  o_reserved?: string | null;
  /** Batches only: true when the op ran in the batch's set-based statements. */
  o_set?: boolean;
}

export interface BatchingOptions {
  /** Round trips (pool connections) the hot path may have in flight at once. */
  connections: number;
  /** Most ops in one batch. */
  maxOps: number;
}

export interface BatcherStats {
  /** Round trips to `parley_ledger_batch_sets` that succeeded, and the ops they carried. */
  batches: number;
  batchedOps: number;
  /** Of those, the ops that ran set-based (alone on their account in the batch; see batch-sets.ts). */
  setOps: number;
  /** Ops sent through the single-op functions (alone in the queue, or after a failed batch). */
  singles: number;
  /** Batches that failed on the server and were run op by op. */
  fallbacks: number;
}

interface Pending {
  op: HotOp;
  /** The op as JSON, made when it is queued: an op that cannot be serialised fails alone, at once. */
  json: string;
  resolve: (row: HotRow) => void;
  reject: (err: unknown) => void;
}

/**
 * Two round trips in flight, each carrying half of what is queued. Measured on a 2-vCPU machine
 * (bench:ledger, 16 clients, spread): 2,481, 3,027 and 2,112 turns/s with 2 slots; 1,538 with 3;
 * 1,520 with 4. Every extra slot splits the queue into smaller batches, and commits, not the ops,
 * are what a busy machine runs out of; one slot leaves a core idle.
 */
const defaults = (pool: Pool): BatchingOptions => ({
  connections: Math.max(1, Math.min(2, (pool.options.max ?? 10) - 1)),
  maxOps: 64,
});

function single(pool: Pool, o: HotOp): Promise<HotRow> {
  const run = (name: string, text: string, values: unknown[]) =>
    pool.query<HotRow>({ name, text, values }).then((r) => r.rows[0]!);
  switch (o.op) {
    case 'reserve':
      return run('parley_reserve', 'SELECT * FROM parley_reserve($1, $2, $3, $4, $5, $6, $7, $8)', [
        o.tenant, o.visitor, o.min, o.max, o.expires, o.key, JSON.stringify(o.price), o.now,
      ]);
    case 'settle':
      return run('parley_settle', 'SELECT * FROM parley_settle($1, $2, $3, $4)', [o.tenant, o.hold, o.amount, o.now]);
    case 'release':
      return run('parley_release', 'SELECT * FROM parley_release($1, $2, $3)', [o.tenant, o.hold, o.now]);
  }
}

/** The one statement a batch is (exported for the lock-order tests, which call it directly). */
export function batchQuery(ops: Array<HotOp | string>): { name: string; text: string; values: unknown[] } {
  const json = ops.map((o) => (typeof o === 'string' ? o : JSON.stringify(o)));
  return { name: 'parley_ledger_batch_sets', text: 'SELECT * FROM parley_ledger_batch_sets($1)', values: [`[${json.join(',')}]`] };
}

/** An error PostgreSQL answered with (the transaction rolled back), as opposed to a lost connection. */
function isServerError(err: unknown): boolean {
  if (!(err instanceof DatabaseError) || !err.code) return false;
  // Class 08: connection exceptions; 57P01-03: the server is shutting down. Outcome unknown.
  return !err.code.startsWith('08') && !err.code.startsWith('57P');
}

export class LedgerBatcher {
  readonly options: BatchingOptions;
  readonly stats: BatcherStats = { batches: 0, batchedOps: 0, setOps: 0, singles: 0, fallbacks: 0 };
  private readonly queue: Pending[] = [];
  private inFlight = 0;
  private pumpScheduled = false;

  constructor(private readonly pool: Pool, options: Partial<BatchingOptions> = {}) {
    this.options = { ...defaults(pool), ...options };
    const { connections, maxOps } = this.options;
    if (!Number.isInteger(connections) || connections < 1) throw new Error('ledger batching: connections must be an integer ≥ 1');
    if (!Number.isInteger(maxOps) || maxOps < 1) throw new Error('ledger batching: maxOps must be an integer ≥ 1');
  }

  run(op: HotOp): Promise<HotRow> {
    return new Promise<HotRow>((resolve, reject) => {
      this.queue.push({ op, json: JSON.stringify(op), resolve, reject });
      this.schedulePump();
    });
  }

  /**
   * Dispatches on the next turn of the event loop rather than at once: the callers a returning
   * batch has just answered issue their next op a few promise hops later, and dispatching at once
   * would send the first of them alone (a whole commit for one op) and queue the rest. Waiting for
   * the microtasks to drain lets them leave together; it costs a lone call well under 0.1 ms.
   */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.options.connections && this.queue.length > 0) {
      // What is queued is shared among the free slots, so that both cores' worth of backends
      // work rather than one batch carrying everything while the other slot idles.
      const free = this.options.connections - this.inFlight;
      const batch = this.queue.splice(0, Math.min(this.options.maxOps, Math.ceil(this.queue.length / free)));
      this.inFlight += 1;
      void this.dispatch(batch).finally(() => {
        this.inFlight -= 1;
        this.schedulePump();
      });
    }
  }

  private async dispatch(batch: Pending[]): Promise<void> {
    if (batch.length === 1) return this.alone(batch[0]!);
    let rows: HotRow[];
    try {
      const result = await this.pool.query<HotRow>(batchQuery(batch.map((p) => p.json)));
      rows = result.rows;
      if (rows.length !== batch.length) throw new Error(`ledger: a batch of ${batch.length} ops answered ${rows.length} rows`);
    } catch (err) {
      if (!isServerError(err)) {
        for (const p of batch) p.reject(err);
        return;
      }
      // Nothing of the batch committed: each op again on its own, so only a bad op fails.
      this.stats.fallbacks += 1;
      await Promise.all(batch.map((p) => this.alone(p)));
      return;
    }
    this.stats.batches += 1;
    this.stats.batchedOps += batch.length;
    for (const row of rows) if (row.o_set) this.stats.setOps += 1;
    batch.forEach((p, i) => p.resolve(rows[i]!));
  }

  private async alone(p: Pending): Promise<void> {
    this.stats.singles += 1;
    try {
      p.resolve(await single(this.pool, p.op));
    } catch (err) {
      p.reject(err);
    }
  }
}

const batchers = new WeakMap<Pool, LedgerBatcher>();

/** The pool's batcher (created with the defaults on first use). */
export function ledgerBatcher(pool: Pool): LedgerBatcher {
  let batcher = batchers.get(pool);
  if (!batcher) {
    batcher = new LedgerBatcher(pool);
    batchers.set(pool, batcher);
  }
  return batcher;
}

/**
 * Sets how the hot path batches on this pool (before its first reserve / settle / release; calls
 * already queued finish on the old batcher). Default: connections = 2 (1 on a pool of 2 or fewer), maxOps 64.
 */
export function configureLedgerBatching(pool: Pool, options: Partial<BatchingOptions>): LedgerBatcher {
  const batcher = new LedgerBatcher(pool, options);
  batchers.set(pool, batcher);
  return batcher;
}
