import crypto from 'node:crypto';
import type { Pool } from 'pg';
import { masterKeyBytes, open, seal } from '../crypto/secret-box';

const context = (tenantId: string) => `identity-secret:${tenantId}`;

interface SecretOptions {
  db: Pool;
  masterKey: string | undefined;
  tenantId: string;
}

/** The workspace's identity secret, or undefined when none was ever created. */
export async function loadIdentitySecret({ db, masterKey, tenantId }: SecretOptions): Promise<string | undefined> {
  const { rows } = await db.query<{ sealed: string | null }>('SELECT identity_secret_sealed AS sealed FROM tenants WHERE id = $1', [tenantId]);
  const sealed = rows[0]?.sealed;
  return sealed ? open({ key: masterKeyBytes(masterKey), sealed, context: context(tenantId) }) : undefined;
}

/**
 * Creates the secret on first use (two callers at once agree on one: the UPDATE only writes where
 * none exists), or replaces it when `roll` is set.
 */
export async function ensureIdentitySecret(o: SecretOptions & { roll?: boolean }): Promise<string> {
  const fresh = `ids_${crypto.randomBytes(32).toString('base64url')}`;
  const sealed = seal({ key: masterKeyBytes(o.masterKey), plaintext: fresh, context: context(o.tenantId) });
  await o.db.query(
    `UPDATE tenants SET identity_secret_sealed = $2 WHERE id = $1 ${o.roll ? '' : 'AND identity_secret_sealed IS NULL'}`,
    [o.tenantId, sealed],
  );
  return (await loadIdentitySecret(o))!;
}

export const signUserId = (secret: string, userId: string): string => crypto.createHmac('sha256', secret).update(userId).digest('hex');

export function signatureMatches(secret: string, userId: string, signature: string): boolean {
  const expected = Buffer.from(signUserId(secret, userId), 'hex');
  const given = Buffer.from(signature, 'hex');
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}
