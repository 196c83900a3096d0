import crypto from 'node:crypto';
import type { Pool } from 'pg';
import type { Role } from '../tenancy/scope';

/**
 * Reads the dashboard session from a socket handshake the way express-session does for HTTP:
 * the `parley.sid` cookie is `s:<id>.<HMAC-SHA256 of id, base64 without padding>`; the session
 * row is in `sessions` (connect-pg-simple). Then the membership decides the role, as for REST.
 */
export const sessionCookieName = 'parley.sid';

export function unsignSessionId(cookieHeader: string | undefined, secret: string): string | undefined {
  if (!cookieHeader) return undefined;
  const raw = cookieHeader.split(';').map((c) => c.trim()).find((c) => c.startsWith(`${sessionCookieName}=`))?.slice(sessionCookieName.length + 1);
  if (!raw) return undefined;
  let value: string;
  try {
    value = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  if (!value.startsWith('s:')) return undefined;
  const signed = value.slice(2);
  const dot = signed.lastIndexOf('.');
  if (dot < 1) return undefined;
  const id = signed.slice(0, dot);
  const expected = crypto.createHmac('sha256', secret).update(id).digest('base64').replace(/=+$/, '');
  const given = Buffer.from(signed.slice(dot + 1));
  const wanted = Buffer.from(expected);
  return given.length === wanted.length && crypto.timingSafeEqual(given, wanted) ? id : undefined;
}

export interface LiveIdentity {
  userId: string;
  tenantId: string;
  role: Role;
}

/** The signed-in member behind a session id, or undefined (expired, logged out, no workspace, removed). */
export async function identityOf(db: Pool, sessionId: string): Promise<LiveIdentity | undefined> {
  const { rows } = await db.query<{ user_id: string | null; tenant_id: string | null; role: Role | null }>(
    `SELECT s.sess -> 'passport' ->> 'user' AS user_id, s.sess ->> 'tenantId' AS tenant_id, m.role
       FROM sessions s
       LEFT JOIN memberships m ON m.user_id::text = s.sess -> 'passport' ->> 'user' AND m.tenant_id::text = s.sess ->> 'tenantId'
      WHERE s.sid = $1 AND s.expire > now()`,
    [sessionId],
  );
  const row = rows[0];
  if (!row?.user_id || !row.tenant_id || !row.role) return undefined;
  return { userId: row.user_id, tenantId: row.tenant_id, role: row.role };
}
