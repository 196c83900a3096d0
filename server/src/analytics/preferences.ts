import type { Pool } from 'pg';
import type { z } from 'zod';
import { notFound } from '../http/errors';
import { locales, type preferencesPatch, type preferencesView } from './conversation-schemas';
import { tenantTimeZone } from './range';

type Preferences = z.infer<typeof preferencesView>;

function fromSettings(settings: Record<string, unknown>): Preferences {
  const locale = settings.defaultLocale;
  return {
    timeZone: tenantTimeZone(settings),
    defaultLocale: (locales as readonly unknown[]).includes(locale) ? (locale as Preferences['defaultLocale']) : 'en',
  };
}

export async function readPreferences(db: Pool, tenantId: string): Promise<Preferences> {
  const { rows } = await db.query<{ settings: Record<string, unknown> }>('SELECT settings FROM tenants WHERE id = $1', [tenantId]);
  if (!rows[0]) throw notFound('workspace');
  return fromSettings(rows[0].settings);
}

/** A jsonb merge in one statement, so it cannot undo a concurrent change to other settings. */
export async function updatePreferences(db: Pool, tenantId: string, patch: z.infer<typeof preferencesPatch>): Promise<Preferences> {
  const { rows } = await db.query<{ settings: Record<string, unknown> }>(
    'UPDATE tenants SET settings = settings || $2::jsonb, updated_at = now() WHERE id = $1 RETURNING settings',
    [tenantId, JSON.stringify(patch)],
  );
  if (!rows[0]) throw notFound('workspace');
  return fromSettings(rows[0].settings);
}
