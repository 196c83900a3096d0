import { z } from 'zod';
import type { AppContext } from '../http/context';
import { defineRoute } from '../http/route';
import { ensureIdentitySecret } from './secret';

const secretView = z.object({
  secret: z.string().describe('Sign each logged-in user id with HMAC-SHA256 under this secret, on your server'),
  algorithm: z.literal('HMAC-SHA256'),
});

/** Admin-only: the secret lets its holder claim to be any of the site's users. */
export function identityRoutes({ deps, config }: AppContext) {
  const scope = (tenantId: string) => ({ db: deps.pool, masterKey: config.masterKey, tenantId });
  return [
    defineRoute({
      method: 'get', path: '/api/workspace/identity-secret', tag: 'workspace', auth: 'tenant', role: 'admin', secretKey: true,
      summary: 'The identity-verification secret for Parley("identify") (created on first read)',
      response: secretView,
      handler: async ({ tenant }) => ({ secret: await ensureIdentitySecret(scope(tenant!.tenantId)), algorithm: 'HMAC-SHA256' as const }),
    }),
    defineRoute({
      method: 'post', path: '/api/workspace/identity-secret/roll', tag: 'workspace', auth: 'tenant',
      summary: 'Replace the identity-verification secret; signatures made with the old one stop working',
      response: secretView,
      handler: async ({ tenant }) => ({ secret: await ensureIdentitySecret({ ...scope(tenant!.tenantId), roll: true }), algorithm: 'HMAC-SHA256' as const }),
    }),
  ];
}
