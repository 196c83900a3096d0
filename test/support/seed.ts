import crypto from 'node:crypto';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import type { Deps } from '../../server/src/deps';
import { signUp } from '../../server/src/auth/service';
import { hashPassword } from '../../server/src/auth/passwords';
import type { Role } from '../../server/src/tenancy/scope';
import type { ParleyApp } from '../../server/src/app';

export interface SeededTenant {
  tenantId: string;
  userId: string;
  email: string;
  password: string;
}

const uniqueEmail = (label: string) => `${label}-${crypto.randomBytes(5).toString('hex')}@example.test`;

/** A workspace with its owner, made through the same service sign-up uses. */
export async function seedTenant(deps: Pick<Deps, 'models'>, label = 'owner'): Promise<SeededTenant> {
  const email = uniqueEmail(label);
  const password = `pw-${crypto.randomBytes(8).toString('hex')}`;
  const { user, tenant } = await signUp({ models: deps.models, input: { email, password, name: label, workspaceName: `${label} workspace` } });
  return { tenantId: tenant.id, userId: user.id, email, password };
}

/** Another user with `role` in an existing workspace. */
export async function seedMember(deps: Pick<Deps, 'models'>, tenantId: string, role: Role): Promise<SeededTenant> {
  const email = uniqueEmail(role);
  const password = `pw-${crypto.randomBytes(8).toString('hex')}`;
  const user = await deps.models.User.create({ email, name: role, passwordHash: await hashPassword(password) });
  await deps.models.Membership.create({ tenantId, userId: user.id, role });
  return { tenantId, userId: user.id, email, password };
}

export interface LoggedInAgent {
  agent: TestAgent;
  csrfToken: string;
  /** Sends the CSRF header, as the dashboard does on every write. */
  write(method: 'post' | 'patch' | 'put' | 'delete', path: string, body?: object): request.Test;
}

/** A cookie-keeping Supertest agent logged in as `who`, with its CSRF token at hand. */
export async function loginAgent(app: ParleyApp | string, who: { email: string; password: string }, tenantId?: string): Promise<LoggedInAgent> {
  const agent = request.agent(app);
  const login = await agent.post('/api/auth/login').send({ email: who.email, password: who.password }).expect(200);
  let csrfToken = (login.body as { csrfToken: string }).csrfToken;
  if (tenantId) {
    const switched = await agent.post('/api/auth/workspace').set('x-csrf-token', csrfToken).send({ tenantId }).expect(200);
    csrfToken = (switched.body as { csrfToken: string }).csrfToken;
  }
  return {
    agent,
    csrfToken,
    write: (method, path, body) => agent[method](path).set('x-csrf-token', csrfToken).send(body ?? {}),
  };
}
