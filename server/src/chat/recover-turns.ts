import type { ChatLimitsConfig } from '../config';
import type { Job } from '../jobs/runner';

/**
 * Replies left `streaming` by a process that died. Such a turn's hold is found by its idempotency
 * key (`turn:<message id>`, even when the process died before recording hold_id); once the hold
 * has expired (settled, released or not), the reply is marked `interrupted`, with whatever was
 * charged. A turn that died before it placed a hold is recognised by its age. Live turns are never
 * touched: a live process ends every turn within its hold's lifetime. A settled or released hold
 * alone does not mean the process died: a live turn stores its reply just after settling, and
 * under load that can take seconds (the fault tests caught replies the widget was told were done
 * being marked interrupted).
 * SKIP LOCKED lets every process run this at once.
 */
export function interruptedTurnsJob(limits: Pick<ChatLimitsConfig, 'turnTimeoutMs' | 'holdGraceMs'>): Job {
  return {
    name: 'chat-interrupted-turns',
    async run({ pool, clock }) {
      const now = clock.now();
      const holdless = new Date(now.getTime() - limits.turnTimeoutMs - limits.holdGraceMs);
      const result = await pool.query(
        `WITH stale AS (
           SELECT m.id, h.status AS hold_status, h.settled_amount
             FROM chat_messages m
             LEFT JOIN holds h ON h.tenant_id = m.tenant_id AND h.idempotency_key = 'turn:' || m.id::text
            WHERE m.status = 'streaming' AND m.role = 'assistant'
              AND (CASE WHEN h.id IS NULL THEN m.created_at <= $2 ELSE h.expires_at <= $1 END)
            ORDER BY m.created_at
            LIMIT 500
              FOR UPDATE OF m SKIP LOCKED
         )
         UPDATE chat_messages m
            SET status = 'interrupted', error_code = 'interrupted', charged = COALESCE(stale.settled_amount, 0),
                finished_at = $1, updated_at = $1
           FROM stale
          WHERE m.id = stale.id`,
        [now, holdless],
      );
      return result.rowCount ?? 0;
    },
  };
}
