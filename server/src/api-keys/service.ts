import { Op, type Transaction } from 'sequelize';
import type { Models } from '../db/models';
import type { Clock } from '../deps';
import { AppError } from '../http/errors';
import { findOwned, tenantWhere, type TenantScope } from '../tenancy/scope';
import type { ApiKey, ApiKeyKind } from './api-key.model';
import { displayPrefix, generateToken, hashToken, looksLikeToken } from './tokens';

export type KeyStatus = 'active' | 'expiring' | 'expired' | 'revoked';

export function keyStatus(key: ApiKey, now: Date): KeyStatus {
  if (key.revokedAt) return 'revoked';
  if (key.expiresAt) return key.expiresAt <= now ? 'expired' : 'expiring';
  return 'active';
}

export function keyView(key: ApiKey, now: Date) {
  return {
    id: key.id,
    kind: key.kind,
    name: key.name,
    prefix: key.prefix,
    status: keyStatus(key, now),
    createdAt: key.createdAt.toISOString(),
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    expiresAt: key.expiresAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
  };
}

interface CreateKeyOptions {
  models: Models;
  scope: Pick<TenantScope, 'tenantId' | 'actor'>;
  kind: ApiKeyKind;
  name?: string;
  transaction?: Transaction;
}

/** Creates a key and returns the only copy of its token that will ever exist for a secret key. */
export async function createApiKey({ models, scope, kind, name = '', transaction }: CreateKeyOptions) {
  const token = generateToken(kind);
  const key = await models.ApiKey.create(
    {
      tenantId: scope.tenantId,
      kind,
      name,
      prefix: displayPrefix(kind, token),
      tokenHash: hashToken(token),
      publicToken: kind === 'publishable' ? token : null,
      createdBy: scope.actor.type === 'user' ? scope.actor.id : null,
    },
    { transaction },
  );
  return { key, token };
}

export async function listApiKeys({ models, scope }: { models: Models; scope: TenantScope }) {
  return models.ApiKey.findAll({ where: tenantWhere(scope), order: [['createdAt', 'DESC']] });
}

export async function revokeApiKey(options: { models: Models; scope: TenantScope; id: string; clock: Clock }) {
  const key = await findOwned(options.models.ApiKey, options.scope, options.id, { what: 'API key' });
  if (!key.revokedAt) await key.update({ revokedAt: options.clock.now() });
  return key;
}

/**
 * Rolling issues a replacement with the same kind and name; the old key stops at once, or after a
 * grace period so a deploy can switch over without downtime (as Stripe's roll does).
 */
export async function rollApiKey(options: { models: Models; scope: TenantScope; id: string; clock: Clock; graceHours: number }) {
  const { models, scope, clock } = options;
  return models.ApiKey.sequelize!.transaction(async (transaction) => {
    const old = await findOwned(models.ApiKey, scope, options.id, { what: 'API key', transaction, lock: transaction.LOCK.UPDATE });
    if (keyStatus(old, clock.now()) === 'revoked' || keyStatus(old, clock.now()) === 'expired') {
      throw new AppError('conflict', 'This key is already revoked or expired; create a new one instead');
    }
    const created = await createApiKey({ models, scope, kind: old.kind, name: old.name, transaction });
    const now = clock.now();
    if (options.graceHours === 0) await old.update({ revokedAt: now }, { transaction });
    else await old.update({ expiresAt: new Date(now.getTime() + options.graceHours * 3600_000) }, { transaction });
    return { ...created, previous: old };
  });
}

/** Finds the live key behind a token, or undefined (unknown, revoked or expired all look the same). */
export async function findLiveKey(options: { models: Models; kind: ApiKeyKind; token: string; clock: Clock }) {
  const { models, kind, token, clock } = options;
  if (!looksLikeToken(kind, token)) return undefined;
  const key = await models.ApiKey.findOne({
    where: {
      tokenHash: hashToken(token),
      kind,
      revokedAt: null,
      [Op.or]: [{ expiresAt: null }, { expiresAt: { [Op.gt]: clock.now() } }],
    },
  });
  return key ?? undefined;
}
