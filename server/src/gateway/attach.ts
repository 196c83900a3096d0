import type { Server as HttpServer } from 'node:http';
import { Pool } from 'pg';
import { Server } from 'socket.io';
import { ActiveTurns } from '../chat/active-turns';
import { ChunkScheduler } from '../chat/coalescer';
import { EarlyStarts } from '../chat/early-start';
import { createChatMetrics } from '../chat/metrics';
import { createTextPersister } from '../chat/persister';
import { interruptedTurnsJob } from '../chat/recover-turns';
import { createChatLimiters, type ChatRuntime, type VisitorEmitter } from '../chat/runtime';
import type { Config } from '../config';
import type { Deps } from '../deps';
import type { Job } from '../jobs/runner';
import { createProviderRegistry, type ProviderRegistry } from '../providers/registry';
import { widgetNamespace } from '../wire/chat';
import type { FanOut } from './adapter';
import { handshakeMiddleware } from './handshake';
import { onConnection } from './handlers';
import { visitorRoom, type GatewayServer } from './types';
import { deriveVisitorTokenKey } from './visitor-token';

export interface GatewayOptions {
  /** Defaults to one built from config (platform keys, the demo provider). */
  providers?: ProviderRegistry;
  /** Least gap between two chunks of one reply. Default 30 ms. */
  coalesceMs?: number;
  /** Replies streaming at once beyond which that gap stretches in proportion. Default 100 (~3,300 emits/s at most). */
  coalesceBusyAt?: number;
  /** How often streaming text is written to the database. Default 250 ms. */
  persistIntervalMs?: number;
  /**
   * The Socket.IO adapter that carries widget events to other server processes (see `createFanOut`);
   * the gateway owns it from here and closes it. Without one, events stay in this process.
   */
  fanOut?: FanOut;
}

export interface Gateway {
  io: GatewayServer;
  runtime: ChatRuntime;
  /** Background jobs of the chat feature, for the jobs runner. */
  jobs: Job[];
  /** Stops taking connections, lets replies in flight finish (up to the shutdown grace), then aborts the rest. */
  close(): Promise<void>;
}

/** Socket.IO refuses larger packets outright (the connection closes): a hard cap on what one client can make us parse. */
export const maxPayloadBytes = 1_000_000;

export function platformProviders(config: Config): ProviderRegistry {
  // An OpenAI-compatible server (Ollama, vLLM, LM Studio) may need no key; the SDK insists on one.
  const openai = config.openaiApiKey || config.openaiBaseUrl
    ? { apiKey: config.openaiApiKey ?? 'not-needed', baseURL: config.openaiBaseUrl }
    : undefined;
  const anthropic = config.anthropicApiKey || config.anthropicBaseUrl
    ? { apiKey: config.anthropicApiKey ?? 'not-needed', baseURL: config.anthropicBaseUrl }
    : undefined;
  return createProviderRegistry({ platform: { ...(openai ? { openai } : {}), ...(anthropic ? { anthropic } : {}) } });
}

/**
 * The widget gateway on an existing HTTP server: the `/widget` namespace, its handshake and
 * events, and the chat runtime behind them. Kept out of `createApp` so building the app stays free
 * of side effects; `boot.ts` (and the tests) call this once the HTTP server exists.
 */
export function attachGateway(httpServer: HttpServer, config: Config, deps: Deps, options: GatewayOptions = {}): Gateway {
  const io: GatewayServer = new Server(httpServer, {
    serveClient: false,
    maxHttpBufferSize: maxPayloadBytes,
    // Which origins may embed is per tenant and known only after the handshake names its key, so the
    // transport answers any origin (no cookies are involved) and the namespace middleware decides.
    cors: { origin: true, credentials: false },
    ...(options.fanOut ? { adapter: options.fanOut.adapter } : {}),
  });
  // Only the widget namespace exists: a client on the main one gets nothing to talk to.
  io.use((_socket, next) => next(new Error('Connect to the /widget namespace')));
  const nsp = io.of(widgetNamespace);
  const emit: VisitorEmitter = (visitorId, event, ...args) => {
    nsp.to(visitorRoom(visitorId)).emit(event, ...args);
  };
  // A few connections of the same database that do not wait for the disk on commit, for the
  // hot-path writes that may be lost in a PostgreSQL crash without harm (see ChatRuntime.relaxedDb).
  const relaxedDb = new Pool({ ...deps.pool.options, max: 6, options: '-c synchronous_commit=off' });
  relaxedDb.on('error', (err) => deps.logger.warn({ err }, 'idle PostgreSQL client error (chat)'));
  const persister = createTextPersister({ db: relaxedDb, logger: deps.logger, intervalMs: options.persistIntervalMs ?? 250 });
  const runtime: ChatRuntime = {
    db: deps.pool,
    relaxedDb,
    logger: deps.logger,
    clock: deps.clock,
    masterKey: config.masterKey,
    limits: config.chat,
    limiters: createChatLimiters({ db: relaxedDb, limits: config.chat }),
    metrics: createChatMetrics(deps.metrics.registry),
    persister,
    providers: options.providers ?? platformProviders(config),
    activeTurns: new ActiveTurns(),
    emit,
    stopElsewhere: (turn) => nsp.serverSideEmit('turn:stop', turn),
    chunks: new ChunkScheduler({ baseMs: options.coalesceMs ?? 30, busyAt: options.coalesceBusyAt ?? 100 }),
    earlyStarts: new EarlyStarts(),
    tenantCache: deps.tenantCache,
  };
  nsp.on('turn:stop', ({ messageId, visitorId }) => {
    runtime.activeTurns.stop({ messageId, visitorId, reason: 'visitor' });
  });

  const tokenKey = deriveVisitorTokenKey(config.sessionSecret ?? 'dev-only-session-secret-change-me');
  nsp.use(handshakeMiddleware({ config, deps, rt: runtime, tokenKey }));
  nsp.on('connection', onConnection({ rt: runtime, logger: deps.logger.child({ feature: 'gateway' }), deps, config, tokenKey }));

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      // Sockets go first: widgets reconnect elsewhere and `sync`; replies keep streaming into the database.
      nsp.disconnectSockets(true);
      await runtime.activeTurns.drain(config.shutdownGraceMs);
      await persister.close();
      runtime.chunks.stop();
      await relaxedDb.end();
      // Not io.close(): that would also close the HTTP server, which belongs to its owner.
      io.engine.close();
      // Last: replies that finished in the grace period have pushed their final events through it.
      await options.fanOut?.close();
    })());
  return { io, runtime, jobs: [interruptedTurnsJob(config.chat)], close };
}
