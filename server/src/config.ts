import path from 'node:path';
import { z } from 'zod';

/**
 * The environment, validated once. Only `server/main.ts` (and the CLI scripts) call `loadConfig`
 * with `process.env`; everything else receives the typed `Config`.
 */
const booleanish = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no'])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_URL: z.url().optional(),
  DATABASE_URL: z.url().optional(),
  // Socket.IO fan-out between processes: the PostgreSQL adapter unless this names a Redis server.
  REDIS_URL: z.url().refine((u) => /^rediss?:\/\//.test(u), 'a redis:// or rediss:// URL').optional(),
  DATA_DIR: z.string().min(1).default('.data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SESSION_SECRET: z.string().min(32).optional(),
  SESSION_TTL_HOURS: z.coerce.number().int().min(1).max(24 * 90).default(24 * 7),
  MASTER_KEY: z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'a base64-encoded 32-byte key').optional(),
  TRUST_PROXY: booleanish.default(false),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(200).default(20),
  AUTH_RATE_LIMIT_PER_MIN: z.coerce.number().int().min(1).max(10_000).default(10),
  JOBS_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(5000),
  SEED_DEMO: booleanish.default(true),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
  // Platform-level AI credentials; tenants may bring their own (encrypted at rest).
  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_BASE_URL: z.url().optional(),
  ANTHROPIC_API_KEY: z.string().min(1).optional(),
  ANTHROPIC_BASE_URL: z.url().optional(),
  // The chat gateway's limits (operator-level; shared by every process through PostgreSQL).
  CHAT_VISITOR_MESSAGES_PER_MIN: z.coerce.number().int().min(1).max(100_000).default(20),
  CHAT_TENANT_MESSAGES_PER_MIN: z.coerce.number().int().min(1).max(1_000_000).default(1200),
  CHAT_MAX_CONCURRENT_TURNS: z.coerce.number().int().min(1).max(50).default(2),
  CHAT_NEW_VISITORS_PER_IP_PER_HOUR: z.coerce.number().int().min(1).max(1_000_000).default(30),
  CHAT_TURN_TIMEOUT_SEC: z.coerce.number().int().min(1).max(3600).default(300),
  CHAT_HOLD_GRACE_SEC: z.coerce.number().int().min(1).max(3600).default(60),
  // Widget connections (handshakes) per client address and per workspace, per minute: a budget, not
  // a cap on open sockets. Per address it is generous, for an office behind one NAT address.
  CHAT_CONNECTIONS_PER_IP_PER_MIN: z.coerce.number().int().min(1).max(10_000_000).default(600),
  CHAT_CONNECTIONS_PER_TENANT_PER_MIN: z.coerce.number().int().min(1).max(10_000_000).default(20_000),
  // Checkouts a widget may start (each opens a Stripe Checkout Session and a pending purchase).
  CHECKOUT_VISITOR_PER_MIN: z.coerce.number().int().min(1).max(100_000).default(5),
  CHECKOUT_TENANT_PER_MIN: z.coerce.number().int().min(1).max(1_000_000).default(300),
});

export type Env = z.input<typeof envSchema>;

export interface Config {
  env: 'development' | 'production' | 'test';
  production: boolean;
  host: string;
  port: number;
  publicUrl: string;
  databaseUrl?: string;
  /** Set: widget events cross processes through Redis; unset: through PostgreSQL NOTIFY. */
  redisUrl?: string;
  dataDir: string;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  sessionSecret?: string;
  sessionTtlMs: number;
  masterKey?: string;
  trustProxy: boolean;
  dbPoolMax: number;
  authRateLimitPerMin: number;
  jobsIntervalMs: number;
  seedDemo: boolean;
  shutdownGraceMs: number;
  openaiApiKey?: string;
  openaiBaseUrl?: string;
  anthropicApiKey?: string;
  anthropicBaseUrl?: string;
  chat: ChatLimitsConfig;
  checkout: CheckoutLimitsConfig;
}

export interface CheckoutLimitsConfig {
  visitorPerMin: number;
  tenantPerMin: number;
}

export interface ChatLimitsConfig {
  visitorMessagesPerMin: number;
  tenantMessagesPerMin: number;
  maxConcurrentTurns: number;
  newVisitorsPerIpPerHour: number;
  /** A turn longer than this is aborted (and charged for what was delivered). */
  turnTimeoutMs: number;
  /** A turn's hold expires this long after its timeout, so only a dead process ever lets one lapse. */
  holdGraceMs: number;
  connectionsPerIpPerMin: number;
  connectionsPerTenantPerMin: number;
}

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined>, cwd = process.cwd()): Config {
  // Empty strings in a shell or .env mean "not set", not "set to nothing".
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production' && !e.PUBLIC_URL) {
    throw new ConfigError('Invalid configuration:\n  PUBLIC_URL: required in production');
  }
  return {
    env: e.NODE_ENV,
    production: e.NODE_ENV === 'production',
    host: e.HOST,
    port: e.PORT,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    dataDir: path.resolve(cwd, e.DATA_DIR),
    logLevel: e.LOG_LEVEL,
    sessionSecret: e.SESSION_SECRET,
    sessionTtlMs: e.SESSION_TTL_HOURS * 3600_000,
    masterKey: e.MASTER_KEY,
    trustProxy: e.TRUST_PROXY,
    dbPoolMax: e.DB_POOL_MAX,
    authRateLimitPerMin: e.AUTH_RATE_LIMIT_PER_MIN,
    jobsIntervalMs: e.JOBS_INTERVAL_MS,
    seedDemo: e.SEED_DEMO,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    openaiApiKey: e.OPENAI_API_KEY,
    openaiBaseUrl: e.OPENAI_BASE_URL,
    anthropicApiKey: e.ANTHROPIC_API_KEY,
    anthropicBaseUrl: e.ANTHROPIC_BASE_URL,
    chat: {
      visitorMessagesPerMin: e.CHAT_VISITOR_MESSAGES_PER_MIN,
      tenantMessagesPerMin: e.CHAT_TENANT_MESSAGES_PER_MIN,
      maxConcurrentTurns: e.CHAT_MAX_CONCURRENT_TURNS,
      newVisitorsPerIpPerHour: e.CHAT_NEW_VISITORS_PER_IP_PER_HOUR,
      turnTimeoutMs: e.CHAT_TURN_TIMEOUT_SEC * 1000,
      holdGraceMs: e.CHAT_HOLD_GRACE_SEC * 1000,
      connectionsPerIpPerMin: e.CHAT_CONNECTIONS_PER_IP_PER_MIN,
      connectionsPerTenantPerMin: e.CHAT_CONNECTIONS_PER_TENANT_PER_MIN,
    },
    checkout: { visitorPerMin: e.CHECKOUT_VISITOR_PER_MIN, tenantPerMin: e.CHECKOUT_TENANT_PER_MIN },
  };
}
