import { Client, type Pool } from 'pg';
import type { Logger } from 'pino';
import { z } from 'zod';

/**
 * The `parley_dashboard` channel (see the analytics migration's triggers). One dedicated
 * connection per process LISTENs; it reconnects with back-off if PostgreSQL goes away.
 * Payloads are checked with zod like any other input.
 */
export const channel = 'parley_dashboard';

const iso = z.string().transform((s) => new Date(s).toISOString());

export const notification = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('conversation'), tenantId: z.uuid(), id: z.uuid(), visitorId: z.uuid(), personaId: z.uuid().nullable(),
    title: z.string(), createdAt: iso,
  }),
  z.object({
    type: z.literal('purchase'), tenantId: z.uuid(), id: z.uuid(), visitorId: z.uuid(),
    status: z.enum(['pending', 'paid', 'failed', 'refunded', 'partially_refunded', 'disputed']),
    packName: z.string(), credits: z.number().int(), amountMinor: z.number().int(), currency: z.string(), paidAt: iso.nullable(),
  }),
]);
export type DashboardNotification = z.infer<typeof notification>;

export interface Listener {
  close(): Promise<void>;
}

export function listen(options: { pool: Pool; logger: Logger; onNotification: (n: DashboardNotification) => void }): Listener {
  const { pool, logger } = options;
  let client: Client | undefined;
  let closed = false;
  let delayMs = 500;
  let timer: NodeJS.Timeout | undefined;

  const connect = async (): Promise<void> => {
    if (closed) return;
    const next = new Client(pool.options);
    next.on('notification', (msg) => {
      const parsed = notification.safeParse(safeJson(msg.payload));
      if (parsed.success) options.onNotification(parsed.data);
      else logger.warn({ issues: parsed.error.issues }, 'ignoring a malformed dashboard notification');
    });
    next.on('error', (err) => {
      logger.warn({ err }, 'dashboard live feed: connection lost; reconnecting');
      retry();
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${channel}`);
      client = next;
      delayMs = 500;
      if (closed) await next.end();
    } catch (err) {
      logger.warn({ err }, 'dashboard live feed: cannot listen yet; retrying');
      await next.end().catch(() => undefined);
      retry();
    }
  };
  const retry = (): void => {
    if (closed || timer) return;
    client = undefined;
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, delayMs);
    timer.unref();
    delayMs = Math.min(delayMs * 2, 30_000);
  };
  void connect();
  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      await client?.end().catch(() => undefined);
    },
  };
}

function safeJson(text: string | undefined): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}
