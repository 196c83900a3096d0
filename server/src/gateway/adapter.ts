import { PostgresAdapter } from '@socket.io/postgres-adapter';
import { hasBinary, PubSubClient } from '@socket.io/postgres-adapter/dist/util';
import { createAdapter as createRedisAdapter } from '@socket.io/redis-adapter';
import { Pool, type PoolClient, type PoolConfig } from 'pg';
import type { Logger } from 'pino';
import { createClient } from 'redis';
import type { Namespace } from 'socket.io';
import { Adapter, MessageType, type BroadcastOptions, type ClusterMessage, type Offset } from 'socket.io-adapter';

/**
 * How widget events reach sockets on other server processes (issue 8): the Socket.IO PostgreSQL
 * adapter over the database every process already has, or the Redis adapter when `REDIS_URL` is set.
 * Only the namespaces named in `namespaces` get it; the rest keep the in-memory adapter (the
 * dashboard feed has its own PostgreSQL notifications and emits locally).
 */
export interface FanOut {
  kind: 'postgres' | 'redis';
  /** For `new Server(…, { adapter })`. */
  adapter: (nsp: Namespace) => Adapter;
  /** Closes the adapter's own connections (after the namespaces' adapters are closed). */
  close(): Promise<void>;
}

const channelPrefix = 'socket.io';
const tableName = 'socket_io_attachments';
/** PostgreSQL's NOTIFY payload limit is 8000 bytes; larger messages go through the attachments table. */
const payloadThreshold = 7800;
/** Messages sent in one statement (one commit, one NOTIFY queue lock) at most. */
const maxBatch = 200;
const heartbeatInterval = 5_000;
const heartbeatTimeout = 12_000;
/**
 * After our LISTEN connection (re)starts, this long of publishing everything: any peer heartbeats
 * within `heartbeatInterval`, so past this window "no peer heard" means there is none.
 */
const warmupMs = 2 * heartbeatInterval + 1_000;
/** Cluster messages that keep the membership (who is out there) current: never skipped. */
const membership = new Set<MessageType>([MessageType.INITIAL_HEARTBEAT, MessageType.HEARTBEAT, MessageType.ADAPTER_CLOSE]);

type Queued = { message: ClusterMessage; done: () => void };

/**
 * The library's PostgreSQL adapter with three changes that matter for a chat stream:
 * - local sockets get a broadcast at once (the library awaits the NOTIFY round trip first, and with a
 *   pool of several connections two chunks could then reach the visitor in the wrong order);
 * - messages to other processes go out in order, many per statement, from one queue;
 * - a process that has heard no peer for a whole heartbeat round publishes nothing but its
 *   heartbeats, so a single process pays one NOTIFY every 5 s instead of one per chunk.
 */
class ParleyPostgresAdapter extends PostgresAdapter {
  private queue: Queued[] = [];
  private flushing: Promise<void> | undefined;
  private seenClient: unknown;
  private listeningSince = Date.now();

  constructor(nsp: unknown, private readonly pubsub: PubSubClient, private readonly pool: Pool, private readonly logger: Logger) {
    super(nsp, { heartbeatInterval, heartbeatTimeout }, pubsub);
  }

  override broadcast(packet: unknown, opts: BroadcastOptions): Promise<void> {
    if (!opts.flags?.local) {
      const wire = { rooms: [...opts.rooms], except: [...(opts.except ?? [])], flags: opts.flags ?? {} };
      this.publish({ type: MessageType.BROADCAST, data: { packet, opts: wire } });
    }
    Adapter.prototype.broadcast.call(this, packet, opts);
    return Promise.resolve();
  }

  protected override doPublish(message: ClusterMessage): Promise<Offset> {
    if (!membership.has(message.type) && this.alone()) return Promise.resolve('');
    return new Promise((resolve) => {
      this.queue.push({ message, done: () => resolve('') });
      this.kick();
    });
  }

  private kick(): void {
    if (this.flushing) return;
    this.flushing = this.flush().finally(() => {
      this.flushing = undefined;
      if (this.queue.length) this.kick();
    });
  }

  /** Resolves once everything published so far has reached PostgreSQL (or failed). */
  async drained(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  /** True only when our LISTEN connection is up, has been for a heartbeat round, and heard no peer. */
  private alone(): boolean {
    const listener = (this.pubsub as unknown as { client?: unknown }).client;
    if (!listener) return false;
    if (listener !== this.seenClient) {
      // A new LISTEN connection: announce ourselves again (peers answer with a heartbeat) and
      // publish everything until any peer has had time to be heard.
      this.seenClient = listener;
      this.listeningSince = Date.now();
      this.init();
      return false;
    }
    const peers = (this as unknown as { nodesMap: Map<string, number> }).nodesMap;
    return peers.size === 0 && Date.now() - this.listeningSince > warmupMs;
  }

  private async flush(): Promise<void> {
    // Started from doPublish: let the caller's synchronous burst (a whole reply's worth) queue up first.
    await Promise.resolve();
    while (this.queue.length) {
      const batch = this.takeBatch();
      try {
        if (batch.attachment) await this.pubsub.publish(batch.items[0]!.message);
        else await this.pool.query('SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p', [`${channelPrefix}#${this.nsp.name}`, batch.payloads]);
      } catch (err) {
        // Best effort, as every adapter: a lost push is caught up by the widget's `sync`.
        this.logger.warn({ err }, 'socket.io postgres adapter: publish failed');
      }
      for (const item of batch.items) item.done();
    }
  }

  /** In order: either one message that needs the attachments table, or up to `maxBatch` that fit a NOTIFY. */
  private takeBatch(): { attachment: boolean; items: Queued[]; payloads: string[] } {
    const items: Queued[] = [];
    const payloads: string[] = [];
    while (this.queue.length && items.length < maxBatch) {
      const next = this.queue[0]!;
      const payload = JSON.stringify(next.message);
      const big = Buffer.byteLength(payload) > payloadThreshold || hasBinary(next.message);
      if (big) {
        if (items.length === 0) return { attachment: true, items: [this.queue.shift()!], payloads };
        break;
      }
      // PostgreSQL folds identical payloads sent in one transaction into one notification.
      if (payloads.includes(payload)) break;
      items.push(this.queue.shift()!);
      payloads.push(payload);
    }
    return { attachment: false, items, payloads };
  }
}

/**
 * A small pool of its own: one connection LISTENs for the adapter's lifetime, one publishes.
 * The LISTEN connection is checked out for good, so an error on it (PostgreSQL restarted) would
 * otherwise be unhandled; it is released as broken, and the library reconnects on its `end`.
 */
function adapterPool(options: PoolConfig, logger: Logger): Pool {
  const pool = new Pool({ ...options, max: 4 });
  const checkedOut = new WeakSet<object>();
  pool.on('error', (err) => logger.warn({ err }, 'socket.io postgres adapter: idle connection error'));
  pool.on('acquire', (client) => checkedOut.add(client));
  pool.on('release', (_err, client) => checkedOut.delete(client));
  pool.on('connect', (client: PoolClient) => {
    client.on('error', (err) => {
      logger.warn({ err }, 'socket.io postgres adapter: connection error');
      if (checkedOut.has(client) && client.listenerCount('notification') > 0) {
        try {
          client.release(err);
        } catch {
          // already released by whoever was using it
        }
      }
    });
  });
  return pool;
}

function postgresFanOut(poolOptions: PoolConfig, namespaces: readonly string[], logger: Logger): FanOut {
  const pool = adapterPool(poolOptions, logger);
  const adapters = new Map<string, ParleyPostgresAdapter>();
  const options = {
    channelPrefix, tableName, payloadThreshold, cleanupInterval: 30_000,
    errorHandler: (err: Error) => logger.warn({ err }, 'socket.io postgres adapter error'),
  };
  const pubsub = new PubSubClient(
    pool, options,
    (msg: ClusterMessage) => (adapters.get(msg.nsp) as unknown as { uid: string } | undefined)?.uid === msg.uid,
    (msg: ClusterMessage) => (adapters.get(msg.nsp) as unknown as { onMessage(m: ClusterMessage): void } | undefined)?.onMessage(msg),
  );
  return {
    kind: 'postgres',
    // Socket.IO calls `new` on this: a plain function returning an object works, an arrow would not.
    adapter: function (nsp: Namespace) {
      if (!namespaces.includes(nsp.name)) return new Adapter(nsp);
      const adapter = new ParleyPostgresAdapter(nsp, pubsub, pool, logger);
      adapters.set(nsp.name, adapter);
      pubsub.addNamespace(nsp.name);
      return adapter;
    },
    async close() {
      for (const adapter of adapters.values()) adapter.close(); // tells peers we left (ADAPTER_CLOSE)
      // That last message (and anything queued before it) reaches PostgreSQL before the pool goes.
      // Bounded: a shutdown must never hang on a database that stopped answering.
      const drained = Promise.all([...adapters.values()].map((a) => a.drained()));
      await Promise.race([drained, new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
      pubsub.close();
      await pool.end().catch(() => undefined);
    },
  };
}

async function redisFanOut(url: string, namespaces: readonly string[], logger: Logger): Promise<FanOut> {
  const pub = createClient({ url, socket: { reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 5_000) } });
  const sub = pub.duplicate();
  for (const client of [pub, sub]) client.on('error', (err: unknown) => logger.warn({ err }, 'redis adapter: connection error'));
  const connecting = Promise.all([pub.connect(), sub.connect()]);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Cannot reach Redis at REDIS_URL within 10 s`)), 10_000);
  });
  try {
    await Promise.race([connecting, timeout]);
  } catch (err) {
    pub.destroy();
    sub.destroy();
    throw err;
  } finally {
    clearTimeout(timer);
  }
  const redis = createRedisAdapter(pub, sub);
  return {
    kind: 'redis',
    adapter: function (nsp: Namespace) {
      return namespaces.includes(nsp.name) ? redis(nsp) : new Adapter(nsp);
    },
    async close() {
      await Promise.allSettled([sub.close(), pub.close()]);
    },
  };
}

/** The PostgreSQL adapter on the same database (default), or Redis when `redisUrl` is given. */
export async function createFanOut(options: {
  redisUrl?: string;
  poolOptions: PoolConfig;
  namespaces: readonly string[];
  logger: Logger;
}): Promise<FanOut> {
  const logger = options.logger.child({ feature: 'socket.io-adapter' });
  return options.redisUrl
    ? redisFanOut(options.redisUrl, options.namespaces, logger)
    : postgresFanOut(options.poolOptions, options.namespaces, logger);
}
