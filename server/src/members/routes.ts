import type { Request } from 'express';
import { UniqueConstraintError } from 'sequelize';
import { z } from 'zod';
import { meResponse } from '../auth/schemas';
import { describeUser } from '../auth/service';
import { hashPassword } from '../auth/passwords';
import { normaliseEmail } from '../auth/passport';
import type { AppContext } from '../http/context';
import { AppError } from '../http/errors';
import { createLimiter, rateLimit } from '../http/rate-limit';
import { defineRoute } from '../http/route';
import { acceptInvite, createInvite, findUsableInvite, inviteViewOf, listInvites, revokeInvite } from './invites';
import { changeMemberRole, removeMember } from './membership';
import {
  createInviteBody, createdInvite, invitePreview, inviteSignupBody, inviteTokenParams, inviteView, memberParams, memberRoleBody,
} from './schemas';

const idParams = z.object({ id: z.uuid() });

export function memberRoutes(ctx: AppContext) {
  const { deps, config } = ctx;
  const { pool: db, clock, models } = deps;
  const signupLimiter = createLimiter(deps.pool, { name: 'invite-signup', points: config.authRateLimitPerMin, durationSec: 60 });

  /** Puts the session in the invited workspace, as logging in does, with a fresh CSRF token. */
  const sessionFor = async (req: Request, userId: string, tenantId: string, fresh: boolean) => {
    if (fresh) await new Promise<void>((resolve, reject) => req.login({ id: userId }, (err) => (err ? reject(err) : resolve())));
    const me = await describeUser({ models, userId, currentTenantId: tenantId });
    req.session.tenantId = me.currentWorkspaceId ?? undefined;
    return { ...me, csrfToken: ctx.csrf.generateToken(req, fresh) };
  };

  return [
    defineRoute({
      method: 'get', path: '/api/workspace/invites', tag: 'members', auth: 'tenant',
      summary: 'Invites of the workspace (links are never shown again)',
      response: z.object({ data: z.array(inviteView) }),
      handler: async ({ tenant }) => ({ data: (await listInvites({ db, scope: tenant! })).map((r) => inviteViewOf(r, clock.now())) }),
    }),
    defineRoute({
      method: 'post', path: '/api/workspace/invites', tag: 'members', auth: 'tenant', status: 201,
      summary: 'Create an invite link with a role (only an owner may invite an owner)',
      body: createInviteBody, response: createdInvite,
      handler: async ({ tenant, body }) => {
        const { row, token } = await createInvite({ db, scope: tenant!, ...body, now: clock.now() });
        return { invite: inviteViewOf(row, clock.now()), url: `${config.publicUrl}/dashboard/invite/${token}` };
      },
    }),
    defineRoute({
      method: 'delete', path: '/api/workspace/invites/:id', tag: 'members', auth: 'tenant',
      summary: 'Revoke an invite that has not been used',
      params: idParams, response: inviteView,
      handler: async ({ tenant, params }) => inviteViewOf(await revokeInvite({ db, scope: tenant!, id: params.id, now: clock.now() }), clock.now()),
    }),
    defineRoute({
      method: 'patch', path: '/api/workspace/members/:userId', tag: 'members', auth: 'tenant',
      summary: "Change a member's role (owners only for anything involving the owner role)",
      params: memberParams, body: memberRoleBody, response: memberRoleBody,
      handler: async ({ tenant, params, body }) => ({
        role: await changeMemberRole({ db, scope: tenant!, userId: params.userId, role: body.role, now: clock.now() }),
      }),
    }),
    defineRoute({
      method: 'delete', path: '/api/workspace/members/:userId', tag: 'members', auth: 'tenant', status: 204,
      summary: 'Remove a member from the workspace (the last owner cannot be removed)',
      params: memberParams, response: z.undefined(),
      handler: async ({ tenant, params }) => removeMember({ db, scope: tenant!, userId: params.userId }),
    }),
    defineRoute({
      method: 'get', path: '/api/invites/:token', tag: 'members', auth: 'none',
      summary: 'What an invite link offers (for the accept page)',
      params: inviteTokenParams, response: invitePreview,
      handler: async ({ params }) => {
        const invite = await findUsableInvite(db, params.token, clock.now());
        return { workspaceName: invite.workspace_name, role: invite.role, email: invite.email, expiresAt: invite.expires_at.toISOString() };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/invites/:token/accept', tag: 'members', auth: 'user',
      summary: 'Join the workspace of an invite as the signed-in user; the session switches to it',
      params: inviteTokenParams, response: meResponse,
      handler: async ({ req, params, user }) => {
        const { tenantId } = await acceptInvite({ db, token: params.token, userId: user!.userId, now: clock.now() });
        return sessionFor(req, user!.userId, tenantId, false);
      },
    }),
    defineRoute({
      method: 'post', path: '/api/invites/:token/signup', tag: 'members', auth: 'none', status: 201,
      summary: 'Create an account through an invite (no workspace of its own) and log in',
      before: [rateLimit(signupLimiter, (req) => req.ip ?? 'unknown')],
      params: inviteTokenParams, body: inviteSignupBody, response: meResponse,
      handler: async ({ req, params, body }) => {
        // Checked before the account exists, so a dead link never leaves an orphan account behind.
        await findUsableInvite(db, params.token, clock.now());
        const passwordHash = await hashPassword(body.password);
        let userId: string;
        try {
          userId = (await models.User.create({ email: normaliseEmail(body.email), name: body.name, passwordHash })).id;
        } catch (err) {
          if (err instanceof UniqueConstraintError) throw new AppError('email_taken', 'An account with this email already exists; log in to accept');
          throw err;
        }
        try {
          const { tenantId } = await acceptInvite({ db, token: params.token, userId, now: clock.now() });
          return await sessionFor(req, userId, tenantId, true);
        } catch (err) {
          await models.User.destroy({ where: { id: userId } });
          throw err;
        }
      },
    }),
  ];
}
