import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { createLimiter } from '../http/rate-limit';
import type { ChatLimitsConfig } from '../config';
import type { Clock } from '../deps';
import type { ProviderRegistry } from '../providers/registry';
import type { TenantCache } from '../tenant-cache/cache';
import type { ServerToClientEvents } from '../wire/chat';
import type { ActiveTurns } from './active-turns';
import type { ChunkScheduler } from './coalescer';
import type { EarlyStarts } from './early-start';
import { blockFor, blockLimiter, limiterPerBudget, type MessageLimiter } from './block-limiter';
import type { ChatMetrics } from './metrics';
import type { TextPersister } from './persister';

/** Sends an event to every open widget of one visitor (all tabs, all processes). */
export type VisitorEmitter = <E extends keyof ServerToClientEvents>(
  visitorId: string,
  event: E,
  ...args: Parameters<ServerToClientEvents[E]>
) => void;

export interface ChatLimiters {
  /** Messages per visitor per minute, at the given budget (the workspace's own limit or the operator's). */
  visitorMessages: (perMinute: number) => MessageLimiter;
  tenantMessages: (perMinute: number) => MessageLimiter;
  /** New anonymous visitors per address and tenant: each gets welcome credits, so this is what stops farming. */
  newVisitors: RateLimiterAbstract;
}

export function createChatLimiters({ db, limits }: { db: Pool; limits: ChatLimitsConfig }): ChatLimiters {
  return {
    visitorMessages: limiterPerBudget((points) => blockLimiter({
      shared: createLimiter(db, { name: 'chat_visitor', points, durationSec: 60 }),
      block: blockFor(points),
    })),
    // A busy tenant's counter would otherwise be one row every one of its turns locks in turn.
    tenantMessages: limiterPerBudget((points) => blockLimiter({
      shared: createLimiter(db, { name: 'chat_tenant', points, durationSec: 60 }),
      block: blockFor(points),
    })),
    newVisitors: createLimiter(db, { name: 'chat_new_visitor', points: limits.newVisitorsPerIpPerHour, durationSec: 3600 }),
  };
}

/** Everything the chat use cases work with; built once per gateway by `attachGateway`. */
export interface ChatRuntime {
  db: Pool;
  /**
   * The same database with `synchronous_commit = off`, for writes a PostgreSQL crash may lose
   * without harm (rate-limit counters, streaming text, a reply's final status, which the recovery
   * job rebuilds from its hold): their commits do not wait for the disk on the hot path.
   */
  relaxedDb: Pool;
  logger: Logger;
  clock: Clock;
  masterKey: string | undefined;
  limits: ChatLimitsConfig;
  limiters: ChatLimiters;
  metrics: ChatMetrics;
  persister: TextPersister;
  providers: ProviderRegistry;
  activeTurns: ActiveTurns;
  emit: VisitorEmitter;
  /** Asks the other server processes to stop a turn one of them streams. */
  stopElsewhere: (turn: { tenantId: string; visitorId: string; messageId: string }) => void;
  /** Paces the chunks of every reply this process streams. */
  chunks: ChunkScheduler;
  /** When a provider call may start before its hold is confirmed (see early-start.ts). */
  earlyStarts: EarlyStarts;
  /** Turn contexts (persona, model, prices) cached per process; absent: read per turn. */
  tenantCache?: TenantCache;
}
