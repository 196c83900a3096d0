import crypto from 'node:crypto';

/**
 * AES-256-GCM for tenant secrets at rest (provider keys, Stripe keys). The sealed form is
 * `v1.<iv>.<tag>.<ciphertext>` (base64url): a version prefix so the scheme can change later,
 * a random 12-byte IV per seal (never reused under one key), and the 16-byte auth tag that makes
 * any tampering fail to open rather than decrypt to garbage.
 */
const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

/** The master key from config: base64 of exactly 32 bytes. */
export function masterKeyBytes(masterKey: string | undefined): Buffer {
  if (!masterKey) throw new SecretBoxError('No master key is configured (MASTER_KEY)');
  const key = Buffer.from(masterKey, 'base64');
  if (key.length !== 32) throw new SecretBoxError('The master key must be 32 bytes, base64-encoded');
  return key;
}

export interface SealOptions {
  key: Buffer;
  plaintext: string;
  /**
   * Bound into the tag but not stored: a value sealed for one tenant and purpose cannot be copied
   * into another tenant's row and still open.
   */
  context?: string;
}

export function seal({ key, plaintext, context = '' }: SealOptions): string {
  const iv = crypto.randomBytes(IV_BYTES);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, iv.toString('base64url'), tag.toString('base64url'), ciphertext.toString('base64url')].join('.');
}

export interface OpenOptions {
  key: Buffer;
  sealed: string;
  context?: string;
}

export function open({ key, sealed, context = '' }: OpenOptions): string {
  const [version, ivText, tagText, bodyText, ...rest] = sealed.split('.');
  if (version !== VERSION || ivText === undefined || tagText === undefined || bodyText === undefined || rest.length > 0) {
    throw new SecretBoxError('Not a sealed secret of a known version');
  }
  const iv = Buffer.from(ivText, 'base64url');
  const tag = Buffer.from(tagText, 'base64url');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SecretBoxError('Malformed sealed secret');
  try {
    const decipher = crypto.createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(Buffer.from(bodyText, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretBoxError('The sealed secret does not open with this key (wrong key, context or tampered)');
  }
}
