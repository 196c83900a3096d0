import { z } from 'zod';
import type { Request } from 'express';
import { AppError } from '../http/errors';
import type { Balance, StatementLine } from './balance';
import { maxMovement } from './db';
import type { Posting } from './types';

/** Wire shapes of the ledger, shared by the secret-key API and the dashboard. */

export const millicredits = (what: string) => z.number().int().describe(`${what}, in millicredits (1 credit = 1,000)`);
export const positiveAmount = z.number().int().min(1).max(maxMovement).describe('Millicredits (1 credit = 1,000), at least 1');

export const balanceView = z.object({
  balance: millicredits('The ledger balance (includes expired credits not yet booked by the expiry job)'),
  reserved: millicredits('Held for replies in progress'),
  available: millicredits('What can be spent now'),
  nextExpiry: z.object({ at: z.iso.datetime(), amount: millicredits('Expiring then') }).nullable(),
});

export const balanceJson = (b: Balance) => ({
  balance: b.balance,
  reserved: b.reserved,
  available: b.available,
  nextExpiry: b.nextExpiry ? { at: b.nextExpiry.at.toISOString(), amount: b.nextExpiry.amount } : null,
});

export const statementLineView = z.object({
  id: z.string().describe('Entry id; pass the last one of a page as `cursor` for the next'),
  transactionId: z.string(),
  kind: z.enum(['grant', 'usage', 'expiry', 'adjustment', 'transfer', 'clawback']),
  amount: millicredits('Signed movement'),
  balanceAfter: millicredits('Running balance after this line'),
  reason: z.string().nullable(),
  actor: z.object({ type: z.string(), id: z.string() }),
  holdId: z.uuid().nullable(),
  grantId: z.uuid().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  createdAt: z.iso.datetime(),
});

export const statementView = z.object({ data: z.array(statementLineView), nextCursor: z.string().nullable() });

export const statementJson = (page: { data: StatementLine[]; nextCursor: string | null }) => ({
  data: page.data.map((l) => ({ ...l, createdAt: l.createdAt.toISOString() })),
  nextCursor: page.nextCursor,
});

export const statementQuery = z.object({
  cursor: z.string().regex(/^\d{1,19}$/, 'a nextCursor value').optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const postingView = z.object({
  transactionId: z.string(),
  visitorId: z.uuid(),
  amount: millicredits('Signed movement of the visitor balance'),
  balanceAfter: millicredits('The visitor balance right after'),
  grantId: z.uuid().nullable(),
  createdAt: z.iso.datetime(),
});

export const postingJson = (p: Posting) => ({
  transactionId: p.transactionId,
  visitorId: p.visitorId,
  amount: p.amount,
  balanceAfter: p.balanceAfter,
  grantId: p.grantId,
  createdAt: p.createdAt.toISOString(),
});

/** Small flat metadata only: it is stored on every transaction and shown in statements. */
export const metadataSchema = z
  .record(z.string().max(40), z.union([z.string().max(500), z.number(), z.boolean(), z.null()]))
  .refine((m) => Object.keys(m).length <= 20, 'at most 20 keys');

const keyPattern = /^[\x21-\x7e]{1,255}$/;

export const idempotencyHeader = (required: boolean) => {
  const key = z.string().regex(keyPattern, '1 to 255 printable ASCII characters').describe(
    'Retrying with the same key and body returns the first response; the same key with another body is 409 idempotency_conflict',
  );
  return z.object({ 'idempotency-key': required ? key : key.optional() });
};

/** Express does not validate headers for us; this reads and checks the Idempotency-Key one. */
export function idempotencyKeyOf(req: Request, required: boolean): string | undefined {
  const value = req.get('idempotency-key');
  if (value === undefined && !required) return undefined;
  if (value === undefined || !keyPattern.test(value)) {
    throw new AppError('validation_failed', required ? 'An Idempotency-Key header is required' : 'Invalid Idempotency-Key header', {
      fields: [{ in: 'header', path: 'Idempotency-Key', message: '1 to 255 printable ASCII characters' }],
    });
  }
  return value;
}
