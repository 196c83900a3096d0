import client from 'prom-client';
import type { TenantCache } from './cache';

/** `parley_tenant_cache_events_total{event}`: hits, misses and invalidations heard, read at scrape time. */
export function registerTenantCacheMetrics(registry: client.Registry, cache: TenantCache): void {
  new client.Counter({
    name: 'parley_tenant_cache_events_total',
    help: 'Workspace config cache: reads served from this process (hit), read from PostgreSQL (miss), invalidations heard',
    labelNames: ['event'] as const,
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ event: 'hit' }, cache.stats.hits);
      this.inc({ event: 'miss' }, cache.stats.misses);
      this.inc({ event: 'invalidation' }, cache.stats.invalidations);
    },
  });
}
