import type { Pool } from 'pg';
import type { Logger } from 'pino';

/**
 * Persists streaming reply text in batches: one UPDATE per interval for every turn in this process
 * that has new text, instead of a write per token. A reconnecting widget (possibly on another
 * process) then finds the text in the database at most one interval behind the stream, with the
 * `seq` it corresponds to; the turn's final write is authoritative.
 *
 * Each batch appends only what is new, guarded by the seq already stored, so a batch that fails is
 * simply retried with more text next time and can never duplicate any.
 */
interface Dirty {
  /** The seq the database holds for this message. */
  storedSeq: number;
  /** Text after `storedSeq`, up to `seq`. */
  text: string;
  seq: number;
}

export interface TextPersister {
  /** Records that chunks up to `seq` (ending with `text`) have been sent. */
  append(messageId: string, text: string, seq: number): void;
  /** Stops tracking a message (its final state is being written by the turn itself). */
  forget(messageId: string): void;
  /** Writes everything pending now. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export function createTextPersister({ db, logger, intervalMs }: { db: Pool; logger: Logger; intervalMs: number }): TextPersister {
  const dirty = new Map<string, Dirty>();
  let inFlight: Promise<void> | undefined;

  const writeBatch = async (): Promise<void> => {
    if (dirty.size === 0) return;
    const batch = [...dirty.entries()].filter(([, d]) => d.seq > d.storedSeq);
    if (batch.length === 0) return;
    const sent = batch.map(([id, d]) => ({ id, seq: d.seq, length: d.text.length }));
    try {
      await db.query(
        `UPDATE chat_messages AS m
            SET text = m.text || v.text, seq = v.seq, updated_at = now()
           FROM unnest($1::uuid[], $2::text[], $3::int[], $4::int[]) AS v(id, text, from_seq, seq)
          WHERE m.id = v.id AND m.status = 'streaming' AND m.seq = v.from_seq`,
        [sent.map((s) => s.id), batch.map(([, d]) => d.text), batch.map(([, d]) => d.storedSeq), sent.map((s) => s.seq)],
      );
    } catch (err) {
      logger.warn({ err, messages: batch.length }, 'could not persist streaming text; will retry');
      return;
    }
    for (const { id, seq, length } of sent) {
      const entry = dirty.get(id);
      if (!entry) continue;
      // Text that arrived while the statement ran stays pending for the next batch.
      entry.text = entry.text.slice(length);
      entry.storedSeq = seq;
    }
  };

  const flush = (): Promise<void> => {
    // One batch at a time keeps the appends in order.
    const next: Promise<void> = (inFlight ?? Promise.resolve()).then(writeBatch).finally(() => {
      if (inFlight === next) inFlight = undefined;
    });
    inFlight = next;
    return next;
  };

  const timer = setInterval(() => {
    if (!inFlight && dirty.size > 0) void flush();
  }, intervalMs);
  timer.unref();

  return {
    append(messageId, text, seq) {
      const entry = dirty.get(messageId);
      if (entry) {
        entry.text += text;
        entry.seq = seq;
      } else {
        dirty.set(messageId, { storedSeq: seq - 1, text, seq });
      }
    },
    forget(messageId) {
      dirty.delete(messageId);
    },
    flush,
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}
