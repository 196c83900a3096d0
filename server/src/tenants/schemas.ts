import { z } from 'zod';
import { roles } from '../tenancy/scope';

/**
 * An origin as browsers send it: scheme, host, optional port, no path. `https://*.example.com`
 * allows every subdomain. Localhost origins are allowed outside production regardless.
 */
export const originSchema = z
  .string()
  .trim()
  .max(255)
  .regex(/^https?:\/\/(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*(:\d{1,5})?$/i, 'An origin like https://example.com (no path)')
  .transform((o) => o.toLowerCase());

export const workspaceView = z.object({
  id: z.uuid(),
  name: z.string(),
  allowedOrigins: z.array(z.string()),
  role: z.enum(roles),
  createdAt: z.iso.datetime(),
});

export const updateWorkspaceBody = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    allowedOrigins: z.array(originSchema).max(50).optional(),
  })
  .strict();

export const createWorkspaceBody = z.object({ name: z.string().trim().min(1).max(100) });

export const memberView = z.object({
  userId: z.uuid(),
  email: z.string(),
  name: z.string(),
  role: z.enum(roles),
  joinedAt: z.iso.datetime(),
});
