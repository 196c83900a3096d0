import crypto from 'node:crypto';

/**
 * The demo checkout page's capability: an HMAC over the tenant and purchase ids, with a key derived
 * (HKDF, info "demo-checkout") from the session secret. Whoever holds the URL can pay or cancel
 * that one demo purchase, as whoever holds a Stripe Checkout URL can; nobody can mint one for
 * another purchase.
 */
export function deriveDemoKey(sessionSecret: string): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', sessionSecret, Buffer.alloc(0), 'demo-checkout', 32));
}

const mac = (key: Buffer, tenantId: string, purchaseId: string): Buffer =>
  crypto.createHmac('sha256', key).update(`demo-checkout.v1.${tenantId}.${purchaseId}`).digest();

export function signDemoToken({ key, tenantId, purchaseId }: { key: Buffer; tenantId: string; purchaseId: string }): string {
  return `${tenantId}.${mac(key, tenantId, purchaseId).toString('base64url')}`;
}

/** The tenant the token was made for, when it is genuine for this purchase. */
export function verifyDemoToken({ key, token, purchaseId }: { key: Buffer; token: string; purchaseId: string }): string | undefined {
  const [tenantId, signature, ...rest] = token.split('.');
  if (!tenantId || !signature || rest.length > 0 || !/^[0-9a-f-]{36}$/.test(tenantId)) return undefined;
  const given = Buffer.from(signature, 'base64url');
  const expected = mac(key, tenantId, purchaseId);
  return given.length === expected.length && crypto.timingSafeEqual(given, expected) ? tenantId : undefined;
}
