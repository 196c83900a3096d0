import type { Request, Response, RequestHandler } from 'express';
import { z } from 'zod';
import type { Role, TenantScope } from '../tenancy/scope';

/**
 * A route is declared once, with its zod schemas; the same declaration mounts it on Express,
 * validates its input, documents it in OpenAPI and lists it for the cross-tenant matrix test.
 */
export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * - `none`: anyone.
 * - `user`: a logged-in dashboard user; no workspace needed.
 * - `tenant`: a workspace member (session), or the tenant's secret key when `secretKey` is set.
 */
export type RouteAuth = 'none' | 'user' | 'tenant';

type ZObject = z.ZodObject<z.ZodRawShape>;
type Infer<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface UserPrincipal {
  userId: string;
}

export interface RouteContext<P, Q, B> {
  req: Request;
  res: Response;
  params: P;
  query: Q;
  body: B;
  /** Set for `user` and `tenant` routes reached through a session. */
  user: UserPrincipal | undefined;
  /** Set for `tenant` routes: the one value every tenant-owned query is built from. */
  tenant: TenantScope | undefined;
}

export interface RouteSpec<
  P extends ZObject | undefined = undefined,
  Q extends ZObject | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
  R extends z.ZodType | undefined = z.ZodType,
> {
  method: HttpMethod;
  path: string;
  summary: string;
  tag: string;
  auth: RouteAuth;
  /** Least role needed; defaults to `analyst` for reads and `admin` for writes. */
  role?: Role;
  /** Whether `Authorization: Bearer sk_...` is accepted (tenant routes only). */
  secretKey?: boolean;
  params?: P;
  query?: Q;
  body?: B;
  /** Extra request headers worth documenting (e.g. Idempotency-Key). */
  headers?: ZObject;
  /** Undefined means the handler writes the response itself (text, redirects, files). */
  response?: R;
  status?: number;
  /** Non-JSON responses, documented by content type. */
  produces?: string;
  /** Middleware run before validation (rate limits, raw body parsers). */
  before?: RequestHandler[];
  handler: (ctx: RouteContext<Infer<P>, Infer<Q>, Infer<B>>) => Promise<Infer<R> | void> | Infer<R> | void;
}

/** The erased form the registry stores; `defineRoute` keeps the handler's types at the call site. */
export type AnyRoute = RouteSpec<ZObject | undefined, ZObject | undefined, z.ZodType | undefined, z.ZodType | undefined>;

export function defineRoute<
  P extends ZObject | undefined = undefined,
  Q extends ZObject | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
  R extends z.ZodType | undefined = z.ZodType,
>(spec: RouteSpec<P, Q, B, R>): AnyRoute {
  return spec as unknown as AnyRoute;
}

export const isWrite = (method: HttpMethod): boolean => method !== 'get';

export function requiredRole(route: AnyRoute): Role {
  return route.role ?? (isWrite(route.method) ? 'admin' : 'analyst');
}
