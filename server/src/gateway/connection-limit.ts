import type { Pool } from 'pg';
import type { ChatLimitsConfig } from '../config';
import { consumeOrThrow, createLimiter } from '../http/rate-limit';

export interface ConnectionLimits {
  /** Checked first, before the key is even looked up: a flood from one address costs one upsert each. */
  perIp(ip: string): Promise<void>;
  /** Checked once the key names a workspace: one site's storm cannot starve the others. */
  perTenant(tenantId: string): Promise<void>;
}

/**
 * Budgets for widget handshakes (not for open sockets: a long-lived connection costs nothing
 * here), counted in PostgreSQL so every process shares them. A refused handshake reaches the
 * client as `connect_error` with `data.code = 'rate_limited'` and `details.retryAfterSec`.
 */
export function createConnectionLimits({ db, limits }: {
  db: Pool;
  limits: Pick<ChatLimitsConfig, 'connectionsPerIpPerMin' | 'connectionsPerTenantPerMin'>;
}): ConnectionLimits {
  const ipLimiter = createLimiter(db, { name: 'chat_conn_ip', points: limits.connectionsPerIpPerMin, durationSec: 60 });
  const tenantLimiter = createLimiter(db, { name: 'chat_conn_tenant', points: limits.connectionsPerTenantPerMin, durationSec: 60 });
  return {
    perIp: (ip) => consumeOrThrow(ipLimiter, ip),
    perTenant: (tenantId) => consumeOrThrow(tenantLimiter, tenantId),
  };
}
