import type { ChildProcess } from 'node:child_process';
import type { MemorySample } from './probe';

/** Sends `request` to a child started with the probe preloaded and an IPC channel; resolves with its answer. */
function ask<T>(child: ChildProcess, request: { type: string; gc?: boolean }, pick: (answer: Record<string, unknown>) => T | undefined): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer to the ${request.type} probe within 30 s`)), 30_000);
    const onMessage = (message: unknown) => {
      const answer = message as Record<string, unknown>;
      const value = answer?.type === request.type ? pick(answer) : undefined;
      if (value === undefined) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(value);
    };
    child.on('message', onMessage);
    child.send(request);
  });
}

/** Memory (after full collections when `gc`) and CPU time used so far. */
export const askMemory = (child: ChildProcess, gc = true): Promise<MemorySample> =>
  ask(child, { type: 'memory', gc }, (a) => a.sample as MemorySample | undefined);

/** The child's own event-loop delay p99 (ms) since the previous call; the first call starts measuring (NaN). */
export const askLag = (child: ChildProcess): Promise<number> =>
  ask(child, { type: 'lag' }, (a) => ('p99Ms' in a ? Number(a.p99Ms ?? Number.NaN) : undefined)); // NaN crosses IPC as null

export interface GcPauses { count: number; totalMs: number; maxMs: number; majors: number; majorMaxMs: number }

/** The child's collector pauses since the previous call; the first call starts observing (null). */
export const askGcPauses = (child: ChildProcess): Promise<GcPauses | null> =>
  ask(child, { type: 'gc' }, (a) => ('pauses' in a ? (a.pauses as GcPauses | null) : undefined));
