/**
 * Preloaded (`--import`) into the servers bench:load starts, which run with `--expose-gc` and an IPC
 * channel: `{ type: 'memory', gc }` is answered with `process.memoryUsage()` (taken after full
 * collections when `gc`, so two samples differ by what is retained rather than by garbage not yet
 * collected) and the CPU time the process has used so far. `{ type: 'lag' }` answers this process's
 * own event-loop delay p99 since the previous `lag` request (the first one starts the monitor): the
 * bench asks an idle process for it, to show the machine's noise floor over the measured window.
 * `{ type: 'gc' }` answers the garbage-collection pauses since the previous `gc` request (the first
 * one starts observing): how much of the server's event-loop delay is its own collector.
 * Bench-only by construction: the server's own code has no way to trigger a collection.
 */
import { constants, monitorEventLoopDelay, PerformanceObserver, type IntervalHistogram } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

export interface MemorySample {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  /** False when no collection ran first (not asked, or no --expose-gc): the sample includes garbage. */
  collected: boolean;
  /** CPU time used since the process started, user + system, in microseconds. */
  cpuMicros: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

let lag: IntervalHistogram | undefined;
let pauses: { count: number; totalMs: number; maxMs: number; majors: number; majorMaxMs: number } | undefined;
let observer: PerformanceObserver | undefined;

process.on('message', (message: unknown) => {
  const request = message as { type?: unknown; gc?: unknown } | null;
  if (request?.type === 'lag') {
    const p99Ms = lag ? lag.percentile(99) / 1e6 : Number.NaN;
    lag ??= monitorEventLoopDelay({ resolution: 10 });
    lag.reset();
    lag.enable();
    process.send?.({ type: 'lag', p99Ms });
    return;
  }
  if (request?.type === 'gc') {
    process.send?.({ type: 'gc', pauses: pauses ?? null });
    pauses = { count: 0, totalMs: 0, maxMs: 0, majors: 0, majorMaxMs: 0 };
    observer ??= new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        pauses!.count += 1;
        pauses!.totalMs += entry.duration;
        pauses!.maxMs = Math.max(pauses!.maxMs, entry.duration);
        if ((entry as { detail?: { kind?: number } }).detail?.kind !== constants.NODE_PERFORMANCE_GC_MAJOR) continue;
        pauses!.majors += 1;
        pauses!.majorMaxMs = Math.max(pauses!.majorMaxMs, entry.duration);
      }
    });
    observer.observe({ entryTypes: ['gc'] });
    return;
  }
  if (request?.type !== 'memory') return;
  void (async () => {
    const collect = request.gc === true ? gc : undefined;
    // Several passes with pauses between: weak callbacks and finalizers free more on the next one.
    for (let i = 0; i < 3 && collect; i += 1) {
      collect();
      await sleep(200);
    }
    const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
    const { user, system } = process.cpuUsage();
    const sample: MemorySample = { rss, heapUsed, heapTotal, external, arrayBuffers, collected: Boolean(collect), cpuMicros: user + system };
    process.send?.({ type: 'memory', sample });
  })();
});
// The channel must not keep a server alive that is asked to stop.
process.channel?.unref();
