import client from 'prom-client';

/**
 * One Prometheus registry per app instance (never prom-client's global one), so several apps in
 * one test process do not collide. Features register their own counters on `registry`.
 */
export interface Metrics {
  registry: client.Registry;
  httpDuration: client.Histogram<'method' | 'route' | 'status'>;
}

export function createMetrics({ collectDefault = true }: { collectDefault?: boolean } = {}): Metrics {
  const registry = new client.Registry();
  if (collectDefault) client.collectDefaultMetrics({ register: registry, prefix: 'parley_' });
  const httpDuration = new client.Histogram({
    name: 'parley_http_request_duration_seconds',
    help: 'HTTP request latency by route template',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  return { registry, httpDuration };
}
