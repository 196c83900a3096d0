import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { io, type Socket } from 'socket.io-client';
import { createApp } from '../../server/src/app';
import type { Config } from '../../server/src/config';
import type { Deps } from '../../server/src/deps';
import { attachGateway, type Gateway, type GatewayOptions } from '../../server/src/gateway/attach';
import { createProviderRegistry } from '../../server/src/providers/registry';
import type { ClientToServerEvents, ServerToClientEvents } from '../../server/src/wire/chat';
import { startFakeAnthropic } from '../fakes/fake-anthropic';
import { startFakeOpenAI } from '../fakes/fake-openai';
import type { FakeServer } from '../fakes/fake-server';
import { closeDeps, createTestDeps, testConfig } from './app';
import type { TestClock } from './clock';
import { seedTenant } from './seed';

export type WidgetClient = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A real server on port 0: the app, the gateway, and both fake providers behind the real SDKs. */
export interface ChatServer {
  url: string;
  config: Config;
  deps: Deps & { clock: TestClock };
  gateway: Gateway;
  openai: FakeServer;
  anthropic: FakeServer;
  close(): Promise<void>;
}

export async function startChatServer(options: { config?: Partial<Config>; gateway?: GatewayOptions } = {}): Promise<ChatServer> {
  // A 1 ms retry-after keeps the SDKs' retries (before the first token) from slowing the suite.
  const openai = await startFakeOpenAI({ behaviour: { retryAfterMs: 1 } });
  const anthropic = await startFakeAnthropic({ behaviour: { retryAfterMs: 1 } });
  const deps = await createTestDeps();
  const config = testConfig({
    openaiApiKey: 'sk-test-openai', openaiBaseUrl: openai.url, anthropicApiKey: 'sk-ant-test', anthropicBaseUrl: anthropic.url,
    ...options.config,
  });
  const providers = createProviderRegistry({
    platform: { openai: { apiKey: 'sk-test-openai', baseURL: openai.url }, anthropic: { apiKey: 'sk-ant-test', baseURL: anthropic.url } },
    sdk: { maxRetries: 1, idleTimeoutMs: 2000, timeoutMs: 5000 },
    demo: { firstTokenMs: 0, chunkIntervalMs: 1 },
  });
  const server = http.createServer(createApp(config, deps));
  const gateway = attachGateway(server, config, deps, { providers, ...options.gateway });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url, config, deps, gateway, openai, anthropic,
    async close() {
      await gateway.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([openai.close(), anthropic.close()]);
      await closeDeps(deps);
    },
  };
}

export const siteOrigin = 'https://shop.example';

export interface ChatTenant {
  tenantId: string;
  key: string;
  personaId: string;
  modelId: string;
  price: { messageFee: number; inputPer1k: number; outputPer1k: number };
}

/** A tenant with a publishable key, an allowed origin, one priced model and a persona using it. */
export async function seedChatTenant(deps: Pick<Deps, 'models'>, options: {
  provider?: 'openai' | 'anthropic' | 'demo';
  price?: Partial<ChatTenant['price']>;
  welcomeCredits?: number;
  systemPrompt?: string;
  maxOutputTokens?: number;
} = {}): Promise<ChatTenant> {
  const { tenantId } = await seedTenant(deps, 'chat');
  const price = { messageFee: 100, inputPer1k: 300, outputPer1k: 1200, ...options.price };
  await deps.models.Tenant.update(
    { allowedOrigins: [siteOrigin, 'https://*.example.org'], settings: { chat: { welcomeCredits: options.welcomeCredits ?? 50_000, welcomeExpiryDays: 30 } } },
    { where: { id: tenantId } },
  );
  const key = await deps.models.ApiKey.findOne({ where: { tenantId, kind: 'publishable' } });
  const provider = options.provider ?? 'openai';
  const model = await deps.models.CatalogueModel.create({
    tenantId, provider, providerModelId: provider === 'anthropic' ? 'claude-test' : 'gpt-test', displayName: `${provider} test model`, ...price,
  });
  const persona = await deps.models.Persona.create({
    tenantId, name: 'Helper', avatarUrl: null, greeting: 'Hello!', systemPrompt: options.systemPrompt ?? 'You are a helpful assistant.',
    modelId: model.id, temperature: 0.5, maxOutputTokens: options.maxOutputTokens ?? 500,
  });
  return { tenantId, key: key!.publicToken!, personaId: persona.id, modelId: model.id, price };
}

export type SessionData = Parameters<ServerToClientEvents['session']>[0];

/** A widget as the browser would open it; resolves once `session` has arrived. */
export async function connectWidget(server: Pick<ChatServer, 'url'>, options: {
  key: string;
  visitorToken?: string;
  origin?: string;
}): Promise<{ socket: WidgetClient; session: SessionData }> {
  const socket: WidgetClient = io(`${server.url}/widget`, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    auth: { key: options.key, ...(options.visitorToken ? { visitorToken: options.visitorToken } : {}) },
    extraHeaders: { origin: options.origin ?? siteOrigin },
  });
  const session = await new Promise<SessionData>((resolve, reject) => {
    socket.once('session', resolve);
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
  return { socket, session };
}

/** The `connect_error` a refused handshake ends with. */
export function connectError(server: Pick<ChatServer, 'url'>, options: { key: string; origin?: string; visitorToken?: string }): Promise<Error & { data?: { code: string } }> {
  const socket: WidgetClient = io(`${server.url}/widget`, {
    transports: ['websocket'], forceNew: true, reconnection: false,
    auth: { key: options.key, ...(options.visitorToken ? { visitorToken: options.visitorToken } : {}) },
    ...(options.origin === undefined ? {} : { extraHeaders: { origin: options.origin } }),
  });
  return new Promise((resolve, reject) => {
    socket.once('connect_error', (err) => {
      socket.close();
      resolve(err as Error & { data?: { code: string } });
    });
    socket.once('session', () => {
      socket.close();
      reject(new Error('connected, but a connect_error was expected'));
    });
  });
}

type EndData = Parameters<ServerToClientEvents['message:end']>[0];
type ChunkData = Parameters<ServerToClientEvents['message:chunk']>[0];
type BalanceData = Parameters<ServerToClientEvents['balance']>[0];

/** Everything a widget hears, recorded from the moment it is attached. */
export class WidgetRecorder {
  readonly chunks: ChunkData[] = [];
  readonly ends: EndData[] = [];
  readonly balances: BalanceData[] = [];
  readonly starts: Array<Parameters<ServerToClientEvents['message:start']>[0]> = [];
  /** Every event, in arrival order. */
  readonly order: object[] = [];
  private waiters: Array<() => void> = [];

  constructor(readonly socket: WidgetClient) {
    socket.on('message:start', (d) => this.push(d, () => this.starts.push(d)));
    socket.on('message:chunk', (d) => this.push(d, () => this.chunks.push(d)));
    socket.on('message:end', (d) => this.push(d, () => this.ends.push(d)));
    socket.on('balance', (d) => this.push(d, () => this.balances.push(d)));
  }

  private push(data: object, record: () => void): void {
    this.order.push(data);
    record();
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Resolves when `test` holds, checking after every event. */
  until<T>(test: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for widget events')), timeoutMs);
      const check = () => {
        const value = test();
        if (value) {
          clearTimeout(timer);
          resolve(value);
        } else {
          this.waiters.push(check);
        }
      };
      check();
    });
  }

  end(messageId: string): Promise<EndData> {
    return this.until(() => this.ends.find((e) => e.messageId === messageId));
  }

  /** The end and the first balance push after it. */
  async ended(messageId: string): Promise<{ end: EndData; balance: BalanceData }> {
    const end = await this.end(messageId);
    const after = this.order.indexOf(end);
    const balance = await this.until(() => this.order.slice(after).find((e): e is BalanceData => this.balances.includes(e as BalanceData)));
    return { end, balance };
  }

  textOf(messageId: string): string {
    return this.chunks.filter((c) => c.messageId === messageId).map((c) => c.text).join('');
  }

  seqsOf(messageId: string): number[] {
    return this.chunks.filter((c) => c.messageId === messageId).map((c) => c.seq);
  }
}

let counter = 0;
/** A fresh client message id. */
export const clientId = (label = 'msg'): string => `${label}-${Date.now().toString(36)}-${(counter += 1)}`;

type SendAck = Parameters<Parameters<ClientToServerEvents['message:send']>[1]>[0];

export function send(socket: WidgetClient, payload: Parameters<ClientToServerEvents['message:send']>[0]): Promise<SendAck> {
  return socket.timeout(10_000).emitWithAck('message:send', payload);
}

type AckOf<E extends keyof ClientToServerEvents> = Parameters<Parameters<ClientToServerEvents[E]>[1]>[0];

/** Emits a client event and resolves with its ack, typed from the wire contract. */
export function call<E extends keyof ClientToServerEvents>(socket: WidgetClient, event: E, payload: Parameters<ClientToServerEvents[E]>[0]): Promise<AckOf<E>> {
  const timed = socket.timeout(10_000) as unknown as { emitWithAck(event: string, payload: unknown): Promise<AckOf<E>> };
  return timed.emitWithAck(event, payload);
}
