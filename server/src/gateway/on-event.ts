import type { Logger } from 'pino';
import type { z } from 'zod';
import { AppError } from '../http/errors';
import { parseInput } from '../http/validate';
import type { Ack, ClientToServerEvents } from '../wire/chat';
import type { WidgetSocket } from './types';
import { isExpected, toWireError } from './wire-errors';

type AckData<E extends keyof ClientToServerEvents> = Parameters<ClientToServerEvents[E]>[1] extends Ack<infer T> ? T : never;

export interface EventOptions<E extends keyof ClientToServerEvents, S extends z.ZodType> {
  socket: WidgetSocket;
  event: E;
  schema: S;
  logger: Logger;
  /** Per-socket flood guard, checked before anything else. */
  allow: () => boolean;
  handler: (payload: z.output<S>) => Promise<AckData<E>>;
}

/**
 * Registers one client event. The payload is untrusted whatever the typings say: it is parsed with
 * zod (wrong types, binary attachments and oversized strings all fail here), every failure answers
 * the ack with a stable code, and nothing a client sends can throw out of the listener.
 */
export function onEvent<E extends keyof ClientToServerEvents, S extends z.ZodType>(options: EventOptions<E, S>): void {
  const { socket, event, schema, logger, allow, handler } = options;
  const listener = (...args: unknown[]): void => {
    // A client may emit without an ack, or without a payload before its ack.
    const last = args[args.length - 1];
    const ack = typeof last === 'function' ? (last as (response: unknown) => void) : undefined;
    const payload = ack && args.length === 1 ? undefined : args[0];
    const reply = (response: unknown): void => {
      try {
        ack?.(response);
      } catch (err) {
        logger.warn({ err, event }, 'ack failed');
      }
    };
    const run = async (): Promise<void> => {
      if (!allow()) throw new AppError('rate_limited', 'Too many events on this connection; slow down', { retryAfterSec: 1 });
      const parsed = parseInput(schema, payload ?? {}, 'payload');
      const result = await handler(parsed);
      reply({ ok: true, ...(result as object) });
    };
    run().catch((error: unknown) => {
      if (!isExpected(error)) logger.error({ err: error, event }, 'widget event failed');
      reply({ ok: false, error: toWireError(error) });
    });
  };
  // The typed `on` promises parsed arguments; this listener takes the raw ones, as they really arrive.
  (socket as unknown as { on(event: string, listener: (...args: unknown[]) => void): void }).on(event, listener);
}

/** A fixed-window counter per socket: cheap protection against a client flooding reads. */
export function eventBudget({ limit, windowMs }: { limit: number; windowMs: number }): () => boolean {
  let windowStart = 0;
  let used = 0;
  return () => {
    const now = Date.now();
    if (now - windowStart >= windowMs) {
      windowStart = now;
      used = 0;
    }
    used += 1;
    return used <= limit;
  };
}
