import { Passport } from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import type { Models } from '../db/models';
import { verifyPassword } from './passwords';

export interface SessionUser {
  id: string;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    // Passport's `req.user`: only the id lives in the session; rows are loaded where needed.
    interface User {
      id: string;
    }
  }
}

declare module 'express-session' {
  interface SessionData {
    /** The workspace the dashboard is looking at; switched with POST /api/auth/workspace. */
    tenantId?: string;
  }
}

export type PassportInstance = InstanceType<typeof Passport>;

export const normaliseEmail = (email: string): string => email.trim().toLowerCase();

/** A Passport instance per app (not the module's shared default), with the local strategy. */
export function createPassport(models: Models): PassportInstance {
  const passport = new Passport();
  passport.use(
    new LocalStrategy({ usernameField: 'email', passwordField: 'password', session: true }, (email, password, done) => {
      models.User.scope('withPassword')
        .findOne({ where: { email: normaliseEmail(email) } })
        .then(async (user) => {
          const ok = await verifyPassword(user?.passwordHash, password);
          done(null, ok && user ? { id: user.id } : false);
        })
        .catch(done);
    }),
  );
  passport.serializeUser<string>((user, done) => done(null, user.id));
  passport.deserializeUser<string>((id, done) => done(null, { id }));
  return passport;
}
