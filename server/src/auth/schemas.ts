import { z } from 'zod';
import { roles } from '../tenancy/scope';

export const emailSchema = z.email().max(254).describe('Email address (case-insensitive)');
// Length over composition rules, as NIST SP 800-63B advises; 256 caps hashing work per request.
export const passwordSchema = z.string().min(10, 'At least 10 characters').max(256);

export const signupBody = z.object({
  email: emailSchema,
  password: passwordSchema,
  name: z.string().trim().max(100).default(''),
  workspaceName: z.string().trim().min(1).max(100),
});

export const loginBody = z.object({ email: emailSchema, password: z.string().min(1).max(256) });

export const switchWorkspaceBody = z.object({ tenantId: z.uuid() });

export const userView = z.object({ id: z.uuid(), email: z.string(), name: z.string() });

export const workspaceSummary = z.object({ id: z.uuid(), name: z.string(), role: z.enum(roles) });

export const meResponse = z.object({
  user: userView,
  workspaces: z.array(workspaceSummary),
  currentWorkspaceId: z.uuid().nullable(),
  csrfToken: z.string().describe('Send as X-CSRF-Token on every write made with the session cookie'),
});
