import { Client, type PoolConfig } from 'pg';
import type { Logger } from 'pino';

/** Raised by triggers (see the 2026.11.21T11.70.00 migration) with the workspace id as payload. */
export const tenantCacheChannel = 'parley_tenant_cache';

export interface ListenerEvents {
  /** LISTEN is in place: from now on no change goes unheard. */
  onListening(): void;
  /** The connection is gone: changes may go unheard until `onListening` again. */
  onLost(): void;
  onNotification(payload: string): void;
}

export interface CacheListener {
  close(): Promise<void>;
}

/**
 * One dedicated connection per process that LISTENs on `parley_tenant_cache`, reconnecting with
 * back-off when PostgreSQL goes away (a restart, a failover).
 */
export function listenForInvalidations(options: { poolOptions: PoolConfig; logger: Logger } & ListenerEvents): CacheListener {
  const { logger } = options;
  let client: Client | undefined;
  let closed = false;
  let delayMs = 250;
  let timer: NodeJS.Timeout | undefined;

  const lost = (next: Client) => {
    if (client === next) client = undefined;
    options.onLost();
    void next.end().catch(() => undefined);
    retry();
  };
  const connect = async (): Promise<void> => {
    if (closed) return;
    const next = new Client(options.poolOptions);
    next.on('notification', (msg) => options.onNotification(msg.payload ?? ''));
    next.on('error', (err) => {
      logger.warn({ err }, 'tenant cache: invalidation feed lost; caching paused until it is back');
      lost(next);
    });
    next.on('end', () => {
      if (!closed && client === next) lost(next);
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${tenantCacheChannel}`);
      if (closed) {
        await next.end();
        return;
      }
      client = next;
      delayMs = 250;
      options.onListening();
    } catch (err) {
      logger.warn({ err }, 'tenant cache: cannot listen yet; retrying');
      await next.end().catch(() => undefined);
      retry();
    }
  };
  const retry = (): void => {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, delayMs);
    timer.unref();
    delayMs = Math.min(delayMs * 2, 10_000);
  };
  void connect();
  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      const last = client;
      client = undefined;
      await last?.end().catch(() => undefined);
    },
  };
}
