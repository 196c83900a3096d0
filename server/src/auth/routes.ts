import type { Request, Response } from 'express';
import type { PassportInstance } from './passport';
import { z } from 'zod';
import { AppError } from '../http/errors';
import type { AppContext } from '../http/context';
import { createLimiter, rateLimit } from '../http/rate-limit';
import { defineRoute } from '../http/route';
import { loginBody, meResponse, signupBody, switchWorkspaceBody } from './schemas';
import { describeUser, signUp } from './service';

function checkPassword(passport: PassportInstance, req: Request, res: Response): Promise<Express.User | false> {
  return new Promise((resolve, reject) => {
    passport.authenticate('local', { session: false }, (err: unknown, user: Express.User | false) =>
      err ? reject(err) : resolve(user),
    )(req, res, reject);
  });
}

/** Logs in with a fresh session id (no fixation), picks a workspace and issues the CSRF token. */
async function startSession(ctx: AppContext, req: Request, userId: string, tenantId?: string) {
  await new Promise<void>((resolve, reject) => req.login({ id: userId }, (err) => (err ? reject(err) : resolve())));
  const me = await describeUser({ models: ctx.deps.models, userId, currentTenantId: tenantId });
  req.session.tenantId = me.currentWorkspaceId ?? undefined;
  return { ...me, csrfToken: ctx.csrf.generateToken(req, true) };
}

const clientIp = (req: Request): string => req.ip ?? 'unknown';
const bodyEmail = (req: Request): string => String((req.body as { email?: unknown })?.email ?? '').toLowerCase().slice(0, 254);

export function authRoutes(ctx: AppContext) {
  const { deps, config } = ctx;
  const perMinute = { points: config.authRateLimitPerMin, durationSec: 60 };
  const loginLimiter = createLimiter(deps.pool, { name: 'login', ...perMinute });
  // Per address as well: one address walking through many emails (credential stuffing) is stopped
  // at a few times one email's budget, without locking out an office behind one NAT for one typo.
  const loginAddressLimiter = createLimiter(deps.pool, { name: 'login_ip', points: config.authRateLimitPerMin * 5, durationSec: 60 });
  const signupLimiter = createLimiter(deps.pool, { name: 'signup', ...perMinute });
  return [
    defineRoute({
      method: 'post', path: '/api/auth/signup', tag: 'auth', auth: 'none', status: 201,
      summary: 'Create an account, its first workspace (you are its owner) and log in',
      before: [rateLimit(signupLimiter, clientIp)],
      body: signupBody, response: meResponse,
      handler: async ({ req, body }) => {
        const { user, tenant } = await signUp({ models: deps.models, input: body });
        return startSession(ctx, req, user.id, tenant.id);
      },
    }),
    defineRoute({
      method: 'post', path: '/api/auth/login', tag: 'auth', auth: 'none',
      summary: 'Log in with email and password',
      before: [rateLimit(loginAddressLimiter, clientIp), rateLimit(loginLimiter, (req) => `${clientIp(req)}:${bodyEmail(req)}`)],
      body: loginBody, response: meResponse,
      handler: async ({ req, res }) => {
        const user = await checkPassword(ctx.passport, req, res);
        if (!user) throw new AppError('invalid_credentials', 'Wrong email or password');
        return startSession(ctx, req, user.id, req.session.tenantId);
      },
    }),
    defineRoute({
      method: 'post', path: '/api/auth/logout', tag: 'auth', auth: 'user', status: 204,
      summary: 'Log out and end the session',
      response: z.undefined(),
      handler: async ({ req }) => {
        await new Promise<void>((resolve, reject) => req.logout((err) => (err ? reject(err) : resolve())));
        await new Promise<void>((resolve, reject) => req.session.destroy((err) => (err ? reject(err) : resolve())));
      },
    }),
    defineRoute({
      method: 'get', path: '/api/auth/me', tag: 'auth', auth: 'user',
      summary: 'The signed-in user, their workspaces and a CSRF token',
      response: meResponse,
      handler: async ({ req, user }) => {
        const me = await describeUser({ models: deps.models, userId: user!.userId, currentTenantId: req.session.tenantId });
        req.session.tenantId = me.currentWorkspaceId ?? undefined;
        return { ...me, csrfToken: ctx.csrf.generateToken(req, false) };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/auth/workspace', tag: 'auth', auth: 'user',
      summary: 'Switch the session to another workspace you are a member of',
      body: switchWorkspaceBody, response: meResponse,
      handler: async ({ req, body, user }) => {
        const me = await describeUser({ models: deps.models, userId: user!.userId, currentTenantId: body.tenantId });
        if (me.currentWorkspaceId !== body.tenantId) throw new AppError('not_found', 'No such workspace');
        req.session.tenantId = body.tenantId;
        return { ...me, csrfToken: ctx.csrf.generateToken(req, false) };
      },
    }),
  ];
}
