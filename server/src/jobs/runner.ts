import type { Deps } from '../deps';

/**
 * A background job: one bounded unit of work per tick. Every job must be safe when several server
 * processes run it at once (conditional statements, SKIP LOCKED), because they will.
 */
export interface Job {
  name: string;
  run(deps: Deps): Promise<number>;
}

const pruneBatch = 5_000;

/**
 * Session and rate-limit rows past their expiry, in bounded batches of rows nobody else holds:
 * under N processes each takes its own rows instead of all waiting on the same ones, and a row
 * being written (a session touched, a counter bumped) is left for the next tick.
 */
export const pruneExpiredRows: Job = {
  name: 'prune-expired-rows',
  async run({ pool }) {
    const sessions = await pool.query(
      `DELETE FROM sessions WHERE sid IN (SELECT sid FROM sessions WHERE expire < now() LIMIT $1 FOR UPDATE SKIP LOCKED)`,
      [pruneBatch],
    );
    const limits = await pool.query(
      `DELETE FROM rate_limits WHERE key IN (
         SELECT key FROM rate_limits WHERE expire < (extract(epoch FROM now()) * 1000)::bigint LIMIT $1 FOR UPDATE SKIP LOCKED)`,
      [pruneBatch],
    );
    return (sessions.rowCount ?? 0) + (limits.rowCount ?? 0);
  },
};

export interface JobRunner {
  /** Runs every job once, now (tests and shutdown use this). */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

export function startJobs(deps: Deps, jobs: Job[], intervalMs: number): JobRunner {
  let running: Promise<void> | undefined;
  const tick = async () => {
    for (const job of jobs) {
      try {
        const changed = await job.run(deps);
        if (changed > 0) deps.logger.debug({ job: job.name, changed }, 'job ran');
      } catch (err) {
        deps.logger.warn({ err, job: job.name }, 'job failed; will retry next tick');
      }
    }
  };
  const timer = setInterval(() => {
    running ??= tick().finally(() => (running = undefined));
  }, intervalMs);
  timer.unref();
  return {
    tick,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
