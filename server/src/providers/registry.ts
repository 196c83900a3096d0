import { createHash } from 'node:crypto';
import { createAnthropicProvider } from './anthropic';
import { createDemoProvider, type DemoProviderOptions } from './demo';
import { createOpenAIProvider } from './openai';
import type { SdkProviderOptions } from './shared';
import { ProviderError, type ChatProvider } from './types';

export type ProviderName = ChatProvider['name'];
export type SdkProviderName = Exclude<ProviderName, 'demo'>;

export interface ProviderCredentials {
  apiKey: string;
  baseURL?: string;
}

export interface ProviderRegistryOptions {
  /** Parley's own keys (from the environment); tenants' keys, when given, take precedence. */
  platform?: Partial<Record<SdkProviderName, ProviderCredentials>>;
  /** Timeouts and retries for every SDK client. */
  sdk?: Omit<SdkProviderOptions, 'apiKey' | 'baseURL'>;
  demo?: DemoProviderOptions;
  /** Most SDK clients kept; the least recently used goes first. Default 500. */
  maxCachedClients?: number;
}

export interface ResolveProviderOptions {
  name: ProviderName;
  /** The tenant's own key, already decrypted. */
  tenant?: Partial<Record<SdkProviderName, ProviderCredentials>>;
}

export interface ProviderRegistry {
  /** The provider to stream from; throws `ProviderError('unavailable')` when it has no key. */
  resolve(options: ResolveProviderOptions): ChatProvider;
  /** Names that `resolve` would succeed for, given these tenant keys. */
  available(tenant?: ResolveProviderOptions['tenant']): ProviderName[];
}

const SDK_FACTORIES: Record<SdkProviderName, (options: SdkProviderOptions) => ChatProvider> = {
  openai: createOpenAIProvider,
  anthropic: createAnthropicProvider,
};

export function createProviderRegistry(options: ProviderRegistryOptions = {}): ProviderRegistry {
  const demo = createDemoProvider(options.demo);
  const maxCachedClients = options.maxCachedClients ?? 500;
  // A client holds a connection pool and parsed config: building one per turn would waste both.
  const clients = new Map<string, ChatProvider>();

  // Credentials are taken whole, never mixed: a tenant's baseURL must never receive the platform key.
  const credentialsFor = (name: SdkProviderName, tenant: ResolveProviderOptions['tenant']): ProviderCredentials | undefined =>
    tenant?.[name] ?? options.platform?.[name];

  const clientFor = (name: SdkProviderName, credentials: ProviderCredentials): ChatProvider => {
    const key = cacheKey(name, credentials);
    const cached = clients.get(key);
    if (cached) {
      // Re-inserting moves the entry to the end: Map order then doubles as LRU order.
      clients.delete(key);
      clients.set(key, cached);
      return cached;
    }
    const created = SDK_FACTORIES[name]({ ...options.sdk, ...credentials });
    clients.set(key, created);
    if (clients.size > maxCachedClients) {
      const oldest = clients.keys().next().value;
      if (oldest !== undefined) clients.delete(oldest);
    }
    return created;
  };

  return {
    resolve({ name, tenant }) {
      if (name === 'demo') return demo;
      const credentials = credentialsFor(name, tenant);
      if (!credentials || credentials.apiKey.length === 0) {
        throw new ProviderError('unavailable', `No ${name} API key is configured`, true);
      }
      return clientFor(name, credentials);
    },
    available(tenant) {
      const names: ProviderName[] = ['demo'];
      for (const name of Object.keys(SDK_FACTORIES) as SdkProviderName[]) {
        if (credentialsFor(name, tenant)?.apiKey) names.push(name);
      }
      return names;
    },
  };
}

/** Hashed, so the cache keys stay short and never show a secret if they are ever logged. */
function cacheKey(name: SdkProviderName, { apiKey, baseURL }: ProviderCredentials): string {
  const keyHash = createHash('sha256').update(apiKey).digest('base64url');
  return `${name}\u0000${baseURL ?? ''}\u0000${keyHash}`;
}
