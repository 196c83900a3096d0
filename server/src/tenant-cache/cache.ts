import type { PoolConfig } from 'pg';
import type { Logger } from 'pino';
import { listenForInvalidations, type CacheListener } from './listener';

/**
 * What each server process keeps about a workspace between requests: its publishable keys, its
 * row (name, allowed origins, settings), the widget config, and each persona/model pair's turn
 * context (prompt, prices, sealed provider keys). Read on every handshake and every turn; written
 * only from the dashboard, so a copy saves a query (or three) nearly every time.
 *
 * Staleness is handled by invalidation, not by time: triggers NOTIFY `parley_tenant_cache` with the
 * workspace id in the same transaction as any change, every process LISTENs and drops that
 * workspace's entries when the commit is announced. Two rules keep a stale copy from surviving:
 * - nothing is cached while the LISTEN connection is down (a change could go unheard), and all is
 *   dropped when it comes back;
 * - a value read while any invalidation arrived (`epoch` moved) is used once but not kept, since the
 *   read may have seen the row before the change.
 * Cached values are shared between callers: treat them as read-only.
 */
export interface TenantSnapshot {
  id: string;
  name: string;
  allowedOrigins: string[];
  settings: Record<string, unknown>;
}

export interface PublishableKeyEntry {
  tenantId: string;
  expiresAt: Date | null;
}

interface TenantEntries {
  values: Map<string, unknown>;
  keyHashes: Set<string>;
}

export interface TenantCacheStats {
  hits: number;
  misses: number;
  invalidations: number;
}

const maxTenants = 5_000;
const maxEntriesPerTenant = 500;

export class TenantCache {
  readonly stats: TenantCacheStats = { hits: 0, misses: 0, invalidations: 0 };
  private tenants = new Map<string, TenantEntries>();
  private keys = new Map<string, PublishableKeyEntry>();
  private inflight = new Map<string, { epoch: number; promise: Promise<unknown> }>();
  private epoch = 0;
  private listening = false;
  private listener: CacheListener | undefined;

  /** Starts listening; until LISTEN is in place every read goes to the database. */
  constructor(private readonly options: { poolOptions: PoolConfig; logger: Logger }) {
    this.listener = listenForInvalidations({
      poolOptions: options.poolOptions,
      logger: options.logger.child({ feature: 'tenant-cache' }),
      onListening: () => {
        this.dropAll();
        this.listening = true;
      },
      onLost: () => {
        this.listening = false;
        this.dropAll();
      },
      onNotification: (payload) => this.invalidate(payload),
    });
  }

  /** True once invalidations are being heard (tests wait for this before relying on the cache). */
  get active(): boolean {
    return this.listening;
  }

  /** `load()` unless a current copy is held; concurrent misses for one entry share one load. */
  async get<T>(tenantId: string, key: string, load: () => Promise<T>): Promise<T> {
    if (!this.listening) return load();
    const entries = this.tenants.get(tenantId);
    if (entries?.values.has(key)) {
      this.stats.hits += 1;
      return entries.values.get(key) as T;
    }
    this.stats.misses += 1;
    const flightKey = `${tenantId}\u0000${key}`;
    const flying = this.inflight.get(flightKey);
    if (flying && flying.epoch === this.epoch) return flying.promise as Promise<T>;
    const epoch = this.epoch;
    const promise = load().then((value) => {
      if (this.listening && this.epoch === epoch) this.entriesOf(tenantId).values.set(key, value);
      return value;
    }).finally(() => {
      if (this.inflight.get(flightKey)?.promise === promise) this.inflight.delete(flightKey);
    });
    this.inflight.set(flightKey, { epoch, promise });
    return promise;
  }

  /**
   * A live publishable key by its hash: `load` returns undefined for an unknown or dead key (not
   * cached, so a key created a moment ago is found at once). Expiry is checked on every use.
   */
  async publishableKey(tokenHash: string, now: Date, load: () => Promise<PublishableKeyEntry | undefined>): Promise<PublishableKeyEntry | undefined> {
    const held = this.listening ? this.keys.get(tokenHash) : undefined;
    if (held) {
      this.stats.hits += 1;
      return held.expiresAt && held.expiresAt <= now ? undefined : held;
    }
    this.stats.misses += 1;
    const epoch = this.epoch;
    const found = await load();
    if (found && this.listening && this.epoch === epoch) {
      this.keys.set(tokenHash, found);
      this.entriesOf(found.tenantId).keyHashes.add(tokenHash);
    }
    return found;
  }

  /** Drops what is held for one workspace (`*` or an empty payload: everything). */
  invalidate(tenantId: string): void {
    this.epoch += 1;
    this.stats.invalidations += 1;
    if (!tenantId || tenantId === '*') {
      this.dropAll();
      return;
    }
    const entries = this.tenants.get(tenantId);
    if (!entries) return;
    for (const hash of entries.keyHashes) this.keys.delete(hash);
    this.tenants.delete(tenantId);
  }

  async close(): Promise<void> {
    this.listening = false;
    this.dropAll();
    await this.listener?.close();
    this.listener = undefined;
  }

  private dropAll(): void {
    this.epoch += 1;
    this.tenants.clear();
    this.keys.clear();
  }

  private entriesOf(tenantId: string): TenantEntries {
    let entries = this.tenants.get(tenantId);
    if (!entries) {
      // Oldest first out: a Map iterates in insertion order.
      if (this.tenants.size >= maxTenants) this.invalidateOldest();
      entries = { values: new Map(), keyHashes: new Set() };
      this.tenants.set(tenantId, entries);
    } else if (entries.values.size >= maxEntriesPerTenant) {
      entries.values.clear();
    }
    return entries;
  }

  private invalidateOldest(): void {
    const oldest = this.tenants.keys().next().value;
    if (oldest === undefined) return;
    const entries = this.tenants.get(oldest)!;
    for (const hash of entries.keyHashes) this.keys.delete(hash);
    this.tenants.delete(oldest);
  }
}
