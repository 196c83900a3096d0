import { z } from 'zod';

/**
 * Packs at the dashboard edge. Credits are millicredits (1 credit = 1,000); prices are integer
 * minor units (cents) with an ISO 4217 currency, as Stripe takes them. Never a float.
 */
const currency = z
  .string()
  .trim()
  .regex(/^[A-Za-z]{3}$/, 'An ISO 4217 currency code like USD')
  .transform((c) => c.toUpperCase());

export const packFields = {
  name: z.string().trim().min(1).max(100),
  credits: z.number().int().min(1).max(1_000_000_000_000).describe('Millicredits the pack grants (1 credit = 1,000)'),
  amountMinor: z.number().int().min(1).max(99_999_999).describe('Price in minor units of the currency (cents)'),
  currency,
  badge: z.string().trim().min(1).max(40).nullable().describe('A label such as "Best value"; null for none'),
  sortOrder: z.number().int().min(-1_000_000).max(1_000_000).describe('Lower first'),
  active: z.boolean().describe('Only active packs are offered to visitors'),
};

export const createPackBody = z
  .object({
    ...packFields,
    badge: packFields.badge.default(null),
    sortOrder: packFields.sortOrder.default(0),
    active: packFields.active.default(true),
  })
  .strict();
export type CreatePackInput = z.output<typeof createPackBody>;

export const updatePackBody = z
  .object(packFields)
  .partial()
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'Change at least one field');
export type UpdatePackInput = z.output<typeof updatePackBody>;

export const packView = z.object({
  id: z.uuid(),
  name: z.string(),
  credits: z.number().int(),
  amountMinor: z.number().int(),
  currency: z.string(),
  badge: z.string().nullable(),
  sortOrder: z.number().int(),
  active: z.boolean(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type PackAdminView = z.infer<typeof packView>;
