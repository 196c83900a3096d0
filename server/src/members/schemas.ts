import { z } from 'zod';
import { emailSchema, passwordSchema } from '../auth/schemas';
import { roles } from '../tenancy/scope';

export const inviteStatus = ['pending', 'accepted', 'revoked', 'expired'] as const;

export const inviteView = z.object({
  id: z.uuid(),
  role: z.enum(roles),
  email: z.string().nullable().describe('Only this account may accept, when set'),
  status: z.enum(inviteStatus),
  createdAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  acceptedAt: z.iso.datetime().nullable(),
});

export const createInviteBody = z
  .object({
    role: z.enum(roles),
    email: emailSchema.transform((e) => e.trim().toLowerCase()).nullable().default(null),
    expiresInDays: z.number().int().min(1).max(30).default(7),
  })
  .strict();

export const createdInvite = z.object({
  invite: inviteView,
  url: z.string().describe('The link to send; it is shown only in this response'),
});

export const inviteTokenParams = z.object({ token: z.string().regex(/^inv_[A-Za-z0-9]{20,64}$/, 'An invite token') });

export const invitePreview = z.object({
  workspaceName: z.string(),
  role: z.enum(roles),
  email: z.string().nullable(),
  expiresAt: z.iso.datetime(),
});

export const inviteSignupBody = z.object({
  email: emailSchema,
  password: passwordSchema,
  name: z.string().trim().max(100).default(''),
});

export const memberParams = z.object({ userId: z.uuid() });
export const memberRoleBody = z.object({ role: z.enum(roles) }).strict();
