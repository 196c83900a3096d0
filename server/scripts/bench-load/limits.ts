import { execFileSync, spawnSync } from 'node:child_process';

const readLimit = (flag: string): number => {
  const out = execFileSync('sh', ['-c', `ulimit ${flag}`]).toString().trim();
  return out === 'unlimited' ? Number.POSITIVE_INFINITY : Number(out);
};

/**
 * Every held connection is a file descriptor in this process (the clients) and one in the server.
 * Node cannot raise its own limit, so when the soft limit is too low but the hard one allows it,
 * the bench runs itself again under `sh -c 'ulimit -n N; exec …'` (children inherit the limit).
 * Returns the limit in force, or exits with the re-run's code.
 */
export function ensureFileLimit(needed: number): number {
  const soft = readLimit('-Sn');
  if (soft >= needed) return soft;
  const hard = readLimit('-Hn');
  if (hard < needed || process.env.BENCH_LOAD_RAISED_LIMIT) {
    throw new Error(`needs ${needed} open files, but \`ulimit -n\` is ${soft} (hard limit ${hard}); raise it and run again`);
  }
  const run = spawnSync('sh', ['-c', `ulimit -n ${needed} && exec "$@"`, 'sh', process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, BENCH_LOAD_RAISED_LIMIT: '1' },
  });
  process.exit(run.status ?? 1);
}
