import { z } from 'zod';
import type { AppContext } from '../http/context';
import { defineRoute } from '../http/route';
import { createApiKey, keyView, listApiKeys, revokeApiKey, rollApiKey } from './service';

const keyViewSchema = z.object({
  id: z.uuid(),
  kind: z.enum(['publishable', 'secret']),
  name: z.string(),
  prefix: z.string().describe('The whole key for publishable keys; the first characters of a secret key'),
  status: z.enum(['active', 'expiring', 'expired', 'revoked']),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().nullable(),
  expiresAt: z.iso.datetime().nullable(),
  revokedAt: z.iso.datetime().nullable(),
});

const createdKey = z.object({
  key: keyViewSchema,
  token: z.string().describe('The full key. For secret keys this is the only time it is shown.'),
});

const idParams = z.object({ id: z.uuid() });

export function apiKeyRoutes({ deps }: AppContext) {
  const { models, clock } = deps;
  return [
    defineRoute({
      method: 'get', path: '/api/keys', tag: 'api-keys', auth: 'tenant',
      summary: 'List API keys (secret keys by prefix only)',
      response: z.object({ data: z.array(keyViewSchema) }),
      handler: async ({ tenant }) => ({ data: (await listApiKeys({ models, scope: tenant! })).map((k) => keyView(k, clock.now())) }),
    }),
    defineRoute({
      method: 'post', path: '/api/keys', tag: 'api-keys', auth: 'tenant', status: 201,
      summary: 'Create a publishable (pk_) or secret (sk_) key',
      body: z.object({ kind: z.enum(['publishable', 'secret']), name: z.string().trim().max(100).default('') }),
      response: createdKey,
      handler: async ({ tenant, body }) => {
        const { key, token } = await createApiKey({ models, scope: tenant!, kind: body.kind, name: body.name });
        return { key: keyView(key, clock.now()), token };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/keys/:id/roll', tag: 'api-keys', auth: 'tenant', status: 201,
      summary: 'Replace a key with a new one; the old one stops now or after a grace period',
      params: idParams,
      body: z.object({ graceHours: z.number().int().min(0).max(168).default(0) }),
      response: createdKey.extend({ previous: keyViewSchema }),
      handler: async ({ tenant, params, body }) => {
        const rolled = await rollApiKey({ models, scope: tenant!, id: params.id, clock, graceHours: body.graceHours });
        return { key: keyView(rolled.key, clock.now()), token: rolled.token, previous: keyView(rolled.previous, clock.now()) };
      },
    }),
    defineRoute({
      method: 'delete', path: '/api/keys/:id', tag: 'api-keys', auth: 'tenant',
      summary: 'Revoke a key at once (revoking twice is harmless)',
      params: idParams,
      response: keyViewSchema,
      handler: async ({ tenant, params }) => keyView(await revokeApiKey({ models, scope: tenant!, id: params.id, clock }), clock.now()),
    }),
  ];
}
