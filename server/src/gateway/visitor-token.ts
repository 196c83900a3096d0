import crypto from 'node:crypto';
import { z } from 'zod';

/**
 * Visitor tokens: `v1.<base64url JSON payload>.<base64url HMAC-SHA256>`, signed with a key derived
 * from the session secret (HKDF, info "visitor-token") so the session secret itself never signs
 * anything a browser holds. A token names one tenant and one visitor; it proves "the server gave
 * this browser this visitor", nothing more, so it carries no expiry: revoking happens by blocking
 * the visitor.
 */
const VERSION = 'v1';

const payloadSchema = z.object({ t: z.uuid(), v: z.uuid(), iat: z.number().int() }).strict();

export interface VisitorClaims {
  tenantId: string;
  visitorId: string;
}

export function deriveVisitorTokenKey(sessionSecret: string): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', sessionSecret, Buffer.alloc(0), 'visitor-token', 32));
}

function sign(key: Buffer, body: string): Buffer {
  return crypto.createHmac('sha256', key).update(`${VERSION}.${body}`).digest();
}

export function issueVisitorToken({ key, tenantId, visitorId, now }: VisitorClaims & { key: Buffer; now: Date }): string {
  const body = Buffer.from(JSON.stringify({ t: tenantId, v: visitorId, iat: Math.floor(now.getTime() / 1000) })).toString('base64url');
  return `${VERSION}.${body}.${sign(key, body).toString('base64url')}`;
}

/** The claims of a well-formed, correctly signed token, or undefined. */
export function verifyVisitorToken({ key, token }: { key: Buffer; token: string }): VisitorClaims | undefined {
  const [version, body, signature, ...rest] = token.split('.');
  if (version !== VERSION || !body || !signature || rest.length > 0) return undefined;
  const given = Buffer.from(signature, 'base64url');
  const expected = sign(key, body);
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return undefined;
  try {
    const parsed = payloadSchema.safeParse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
    return parsed.success ? { tenantId: parsed.data.t, visitorId: parsed.data.v } : undefined;
  } catch {
    return undefined;
  }
}
