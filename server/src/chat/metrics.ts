import client from 'prom-client';

export type TurnOutcome = 'done' | 'stopped' | 'failed' | 'interrupted' | 'insufficient_credits' | 'rejected';

/** The chat gateway's Prometheus series, on the app's own registry (never prom-client's global). */
export interface ChatMetrics {
  turns: client.Counter<'outcome'>;
  tokens: client.Counter<'direction'>;
  creditsCharged: client.Counter;
  pendingHolds: client.Gauge;
  timeToFirstToken: client.Histogram<'provider'>;
  connectedSockets: client.Gauge;
}

/**
 * Reuses a series already on the registry: a test process may attach several gateways to one set
 * of deps, and prom-client refuses a second series with the same name.
 */
function reuse<T extends client.Metric>(registry: client.Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

export function createChatMetrics(registry: client.Registry): ChatMetrics {
  const registers = [registry];
  return {
    turns: reuse(registry, 'parley_chat_turns_total', () => new client.Counter({
      name: 'parley_chat_turns_total', help: 'Chat turns by how they ended', labelNames: ['outcome'] as const, registers,
    })),
    tokens: reuse(registry, 'parley_chat_tokens_total', () => new client.Counter({
      name: 'parley_chat_tokens_total', help: 'Tokens charged for, by direction (input/output)', labelNames: ['direction'] as const, registers,
    })),
    creditsCharged: reuse(registry, 'parley_chat_credits_charged_millicredits_total', () => new client.Counter({
      name: 'parley_chat_credits_charged_millicredits_total', help: 'Millicredits charged for chat turns', registers,
    })),
    pendingHolds: reuse(registry, 'parley_chat_pending_holds', () => new client.Gauge({
      name: 'parley_chat_pending_holds', help: "Holds placed by this process's turns and not yet settled or released", registers,
    })),
    timeToFirstToken: reuse(registry, 'parley_chat_time_to_first_token_seconds', () => new client.Histogram({
      name: 'parley_chat_time_to_first_token_seconds',
      help: 'From a message arriving to its first reply chunk leaving, by provider',
      labelNames: ['provider'] as const,
      buckets: [0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 20],
      registers,
    })),
    connectedSockets: reuse(registry, 'parley_chat_connected_sockets', () => new client.Gauge({
      name: 'parley_chat_connected_sockets', help: 'Widget sockets connected to this process', registers,
    })),
  };
}
