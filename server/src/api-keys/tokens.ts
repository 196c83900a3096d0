import crypto from 'node:crypto';
import type { ApiKeyKind } from './api-key.model';

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Base62 from rejection sampling, so every character is equally likely. */
function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of crypto.randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += alphabet[byte % 62];
    }
  }
  return out;
}

export const keyPrefixes: Record<ApiKeyKind, string> = { publishable: 'pk_', secret: 'sk_' };

/** pk_ + 24 chars (~143 bits), sk_ + 40 chars (~238 bits). */
export function generateToken(kind: ApiKeyKind): string {
  return keyPrefixes[kind] + randomBase62(kind === 'secret' ? 40 : 24);
}

export const hashToken = (token: string): string => crypto.createHash('sha256').update(token).digest('hex');

/** What may be shown again later: the whole publishable key, or the first 8 characters of a secret one. */
export const displayPrefix = (kind: ApiKeyKind, token: string): string => (kind === 'secret' ? token.slice(0, 11) : token);

export const looksLikeToken = (kind: ApiKeyKind, token: string): boolean =>
  token.startsWith(keyPrefixes[kind]) && /^[a-z]{2}_[A-Za-z0-9]{16,64}$/.test(token);
