import { z } from 'zod';
import type { AppContext } from '../http/context';
import { notFound } from '../http/errors';
import { defineRoute } from '../http/route';
import { deleteProviderKey, listProviderKeys, sdkProviders, setProviderKey } from './service';
import { connectionCodes, testProviderConnection } from './test-connection';

const keyView = z.object({
  provider: z.enum(sdkProviders),
  hint: z.string().describe('The last characters of the key; the key itself is never sent back'),
  baseUrl: z.string().nullable(),
  updatedAt: z.iso.datetime(),
});

const providerParams = z.object({ provider: z.enum(sdkProviders) });

export function providerKeyRoutes({ deps, config }: AppContext) {
  const { pool, clock, logger } = deps;
  return [
    defineRoute({
      method: 'get', path: '/api/provider-keys', tag: 'provider-keys', auth: 'tenant',
      summary: "The workspace's own AI provider keys, masked",
      response: z.object({ data: z.array(keyView) }),
      handler: async ({ tenant }) => ({ data: await listProviderKeys({ db: pool, tenantId: tenant!.tenantId }) }),
    }),
    defineRoute({
      // One key per provider and workspace: the provider goes in the body, as there is no record id to name.
      method: 'put', path: '/api/provider-keys', tag: 'provider-keys', auth: 'tenant',
      summary: 'Set (or replace) an AI provider key; it is encrypted at rest and never shown again',
      body: z.object({
        provider: z.enum(sdkProviders),
        apiKey: z.string().trim().min(8, 'At least 8 characters: paste the whole key').max(500),
        baseUrl: z.url({ protocol: /^https?$/, error: 'A URL starting with http:// or https://' }).max(500).nullable().default(null)
          .describe('An OpenAI- or Anthropic-compatible endpoint; the official API when null'),
      }).strict(),
      response: keyView,
      handler: async ({ tenant, body }) =>
        setProviderKey({
          db: pool, masterKey: config.masterKey, tenantId: tenant!.tenantId, provider: body.provider,
          apiKey: body.apiKey, baseUrl: body.baseUrl, now: clock.now(),
        }),
    }),
    defineRoute({
      method: 'delete', path: '/api/provider-keys/:provider', tag: 'provider-keys', auth: 'tenant', status: 204,
      summary: "Remove a provider key; the platform's key (if any) is used again",
      params: providerParams,
      response: z.undefined(),
      handler: async ({ tenant, params }) => {
        if (!(await deleteProviderKey({ db: pool, tenantId: tenant!.tenantId, provider: params.provider }))) throw notFound('provider key');
      },
    }),
    defineRoute({
      method: 'post', path: '/api/provider-keys/:provider/test', tag: 'provider-keys', auth: 'tenant',
      summary: 'Check the stored key: list the models with it (a free call; 5 s timeout). The key is never sent back',
      params: providerParams,
      body: z.object({}).strict(),
      response: z.object({
        ok: z.boolean(),
        code: z.enum(connectionCodes).describe('`ok`, or why not: `invalid_key` (401/403), `rate_limited` (429), `unreachable`, `provider_error` (another status), `unreadable` (cannot be decrypted)'),
        message: z.string(),
        status: z.number().int().nullable().describe("The provider's HTTP status, when it answered with an error"),
      }),
      handler: ({ tenant, params }) =>
        testProviderConnection({ db: pool, logger, masterKey: config.masterKey, tenantId: tenant!.tenantId, provider: params.provider }),
    }),
  ];
}
