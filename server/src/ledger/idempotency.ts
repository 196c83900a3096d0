import crypto from 'node:crypto';
import { AppError } from '../http/errors';

/** JSON with sorted keys, so the same request always hashes the same whatever its key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** What an idempotency key is bound to: the operation and everything it was asked to do. */
export function fingerprint(operation: string, request: unknown): string {
  return crypto.createHash('sha256').update(`${operation}\n${canonical(request)}`).digest('hex');
}

/** Stripe's rule: the same key with a different request is a client bug, answered 409. */
export function assertSameRequest(stored: string | null, given: string): void {
  if (stored !== null && stored !== given) {
    throw new AppError('idempotency_conflict', 'This Idempotency-Key was already used for a different request');
  }
}
