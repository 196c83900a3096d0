import { createProviderRegistry } from '../../server/src/providers/registry';
import { ProviderError } from '../../server/src/providers/types';
import { startFakeAnthropic } from '../fakes/fake-anthropic';
import { startFakeOpenAI } from '../fakes/fake-openai';
import { runStream } from './helpers';

describe('provider registry', () => {
  it('always offers the demo provider, and only the providers that have a key', () => {
    const registry = createProviderRegistry({ platform: { openai: { apiKey: 'sk-platform' } } });
    expect(registry.resolve({ name: 'demo' }).name).toBe('demo');
    expect(registry.available()).toEqual(['demo', 'openai']);
    expect(registry.available({ anthropic: { apiKey: 'sk-ant-tenant' } })).toEqual(['demo', 'openai', 'anthropic']);
  });

  it('refuses a provider with no key as unavailable, before any token', () => {
    const registry = createProviderRegistry();
    let thrown: unknown;
    try {
      registry.resolve({ name: 'anthropic' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ProviderError);
    expect(thrown).toMatchObject({ kind: 'unavailable', beforeFirstToken: true });
  });

  it('caches one client per provider, key and base URL', () => {
    const registry = createProviderRegistry({ platform: { openai: { apiKey: 'sk-platform' } } });
    const first = registry.resolve({ name: 'openai' });
    expect(registry.resolve({ name: 'openai' })).toBe(first);
    const tenantA = registry.resolve({ name: 'openai', tenant: { openai: { apiKey: 'sk-a' } } });
    expect(tenantA).not.toBe(first);
    expect(registry.resolve({ name: 'openai', tenant: { openai: { apiKey: 'sk-a' } } })).toBe(tenantA);
    const tenantAElsewhere = registry.resolve({ name: 'openai', tenant: { openai: { apiKey: 'sk-a', baseURL: 'http://127.0.0.1:1/v1' } } });
    expect(tenantAElsewhere).not.toBe(tenantA);
  });

  it('evicts the least recently used client beyond the cap', () => {
    const registry = createProviderRegistry({ maxCachedClients: 2 });
    const tenant = (apiKey: string) => ({ openai: { apiKey } });
    const a = registry.resolve({ name: 'openai', tenant: tenant('a') });
    registry.resolve({ name: 'openai', tenant: tenant('b') });
    expect(registry.resolve({ name: 'openai', tenant: tenant('a') })).toBe(a); // a is now the most recent
    registry.resolve({ name: 'openai', tenant: tenant('c') }); // evicts b
    expect(registry.resolve({ name: 'openai', tenant: tenant('a') })).toBe(a);
  });

  it('streams with the tenant key when given, and the platform key otherwise', async () => {
    const openai = await startFakeOpenAI();
    const anthropic = await startFakeAnthropic();
    try {
      const registry = createProviderRegistry({
        platform: { openai: { apiKey: 'sk-platform', baseURL: openai.url }, anthropic: { apiKey: 'sk-ant-platform', baseURL: anthropic.url } },
        sdk: { maxRetries: 0 },
      });
      await runStream(registry.resolve({ name: 'openai' }));
      await runStream(registry.resolve({ name: 'openai', tenant: { openai: { apiKey: 'sk-tenant', baseURL: openai.url } } }));
      const viaAnthropic = await runStream(registry.resolve({ name: 'anthropic' }));
      expect(openai.requests.map((r) => r.headers.authorization)).toEqual(['Bearer sk-platform', 'Bearer sk-tenant']);
      expect(viaAnthropic.text).toBe(anthropic.requests[0]?.replyText);
    } finally {
      await openai.close();
      await anthropic.close();
    }
  });

  it('never sends the platform key to a tenant base URL', async () => {
    const tenantServer = await startFakeOpenAI();
    try {
      const registry = createProviderRegistry({ platform: { openai: { apiKey: 'sk-platform' } }, sdk: { maxRetries: 0 } });
      // A tenant entry with a URL but no key must not borrow the platform key.
      const tenant = { openai: { apiKey: '', baseURL: tenantServer.url } };
      expect(() => registry.resolve({ name: 'openai', tenant })).toThrow(ProviderError);
      expect(registry.available(tenant)).toEqual(['demo']);
      await runStream(registry.resolve({ name: 'openai', tenant: { openai: { apiKey: 'sk-tenant', baseURL: tenantServer.url } } }));
      expect(tenantServer.requests.map((r) => r.headers.authorization)).toEqual(['Bearer sk-tenant']);
    } finally {
      await tenantServer.close();
    }
  });
});
