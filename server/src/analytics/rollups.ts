import type { Pool, PoolClient } from 'pg';
import type { Job } from '../jobs/runner';

/**
 * Keeps the analytics rollups (see the analytics migration). Each refresh rebuilds, for every
 * tenant, the 15-minute buckets of a trailing window from the raw rows, then moves `stable_to`
 * to where rows can no longer change: a reply's charge and tokens are written when it ends, at
 * most a turn timeout after it started, so buckets older than `lookbackMs` are final.
 *
 * Safe with several processes: one refresh at a time (advisory lock, others skip), and a
 * rebuild is delete-and-insert of the same window, so running it twice changes nothing.
 */
export const bucketMs = 15 * 60_000;
export const lookbackMs = 30 * 60_000;
/** How often the job does the work (the jobs runner ticks more often). */
export const refreshEveryMs = 60_000;
const lockKey = 734_211_906; // fixed, arbitrary: "parley analytics rollups"

const floorBucket = (t: Date): Date => new Date(Math.floor(t.getTime() / bucketMs) * bucketMs);
const bucketSql = (column: string) => `to_timestamp(floor(extract(epoch FROM ${column}) / 900) * 900)`;
const nil = `'00000000-0000-0000-0000-000000000000'::uuid`;

async function rebuild(client: PoolClient, from: Date, to: Date): Promise<void> {
  const window = [from, to];
  await client.query('DELETE FROM analytics_usage_rollups WHERE bucket >= $1 AND bucket < $2', window);
  await client.query(
    `INSERT INTO analytics_usage_rollups (tenant_id, bucket, persona_id, model_id, conversations, replies, insufficient, credits_spent, input_tokens, output_tokens)
     SELECT tenant_id, bucket, persona_id, model_id, sum(conversations), sum(replies), sum(insufficient), sum(spent), sum(input_tokens), sum(output_tokens)
       FROM (
         SELECT m.tenant_id, ${bucketSql('m.created_at')} AS bucket, coalesce(m.persona_id, ${nil}) AS persona_id, coalesce(m.model_id, ${nil}) AS model_id,
                0 AS conversations, 1 AS replies, (m.error_code IS NOT DISTINCT FROM 'insufficient_credits')::int AS insufficient, coalesce(m.charged, 0) AS spent,
                coalesce(m.input_tokens, 0) AS input_tokens, coalesce(m.output_tokens, 0) AS output_tokens
           FROM chat_messages m WHERE m.role = 'assistant' AND m.created_at >= $1 AND m.created_at < $2
         UNION ALL
         SELECT c.tenant_id, ${bucketSql('c.created_at')}, coalesce(c.persona_id, ${nil}), ${nil}, 1, 0, 0, 0, 0, 0
           FROM chat_conversations c WHERE c.created_at >= $1 AND c.created_at < $2
       ) x
      GROUP BY tenant_id, bucket, persona_id, model_id`,
    window,
  );
  await client.query('DELETE FROM analytics_visitor_rollups WHERE bucket >= $1 AND bucket < $2', window);
  await client.query(
    `INSERT INTO analytics_visitor_rollups (tenant_id, bucket, visitor_id)
     SELECT DISTINCT m.tenant_id, ${bucketSql('m.created_at')}, m.visitor_id
       FROM chat_messages m WHERE m.role = 'user' AND m.created_at >= $1 AND m.created_at < $2`,
    window,
  );
}

/**
 * Rebuilds [from, now's bucket) and marks everything before now - lookback final. `force` skips
 * the "at most once a minute" check (the seed and tests use it). Returns buckets rebuilt (0: skipped).
 */
export async function refreshRollups({ db, now, from, force = false }: { db: Pool; now: Date; from?: Date; force?: boolean }): Promise<number> {
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    const { rows: locked } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [lockKey]);
    if (!locked[0]?.ok) {
      await client.query('ROLLBACK');
      return 0;
    }
    // node-postgres does not turn '-infinity' into a Date: "never" comes back as null.
    const { rows } = await client.query<{ stable_to: Date | null; refreshed_at: Date | null }>(
      `SELECT NULLIF(stable_to, '-infinity') AS stable_to, NULLIF(refreshed_at, '-infinity') AS refreshed_at
         FROM analytics_rollup_state WHERE id = 1 FOR UPDATE`);
    const state = rows[0];
    if (!state || (!force && state.refreshed_at && now.getTime() - state.refreshed_at.getTime() < refreshEveryMs)) {
      await client.query('ROLLBACK');
      return 0;
    }
    const to = floorBucket(now);
    const stableTo = floorBucket(new Date(now.getTime() - lookbackMs));
    // First run: everything there is. Later: from the old stable point (what may have changed since).
    const start = from ?? state.stable_to ?? (await oldest(client));
    if (start < to) await rebuild(client, start, to);
    await client.query('UPDATE analytics_rollup_state SET stable_to = GREATEST(stable_to, $1), refreshed_at = $2 WHERE id = 1', [
      start < to ? stableTo : (state.stable_to ?? '-infinity'), now,
    ]);
    await client.query('COMMIT');
    return Math.max(0, Math.round((to.getTime() - start.getTime()) / bucketMs));
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

async function oldest(client: PoolClient): Promise<Date> {
  const { rows } = await client.query<{ at: Date | null }>(
    'SELECT LEAST((SELECT min(created_at) FROM chat_messages), (SELECT min(created_at) FROM chat_conversations)) AS at');
  return floorBucket(rows[0]?.at ?? new Date(0));
}

export const analyticsRollupJob: Job = {
  name: 'analytics-rollups',
  run: ({ pool, clock }) => refreshRollups({ db: pool, now: clock.now() }),
};
