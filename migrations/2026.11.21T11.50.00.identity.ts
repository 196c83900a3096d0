import type { MigrationFn } from 'umzug';
import type { QueryInterface } from 'sequelize';
import { runSql } from './_sql';

/**
 * Each workspace's identity-verification secret (sealed with the master key). Sites sign their
 * logged-in user's id with it (HMAC-SHA256) so `Parley('identify')` cannot be forged. It is its own
 * secret, not an API key, because API secret keys are kept only as hashes and could not verify an HMAC.
 */
export const up: MigrationFn<QueryInterface> = async ({ context }) => {
  await runSql(context, 'ALTER TABLE tenants ADD COLUMN identity_secret_sealed text');
};

export const down: MigrationFn<QueryInterface> = async ({ context }) => {
  await runSql(context, 'ALTER TABLE tenants DROP COLUMN identity_secret_sealed');
};
