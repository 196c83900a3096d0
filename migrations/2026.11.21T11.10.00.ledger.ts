import type { MigrationFn } from 'umzug';
import type { QueryInterface } from 'sequelize';
import { runSql } from './_sql';
import { createTables, dropTables } from './_ledger/tables';
import { createIntegrity, dropIntegrity } from './_ledger/integrity';
import { createGrantHelpers, dropGrantHelpers } from './_ledger/grant-helpers';
import { createHotPath, dropHotPath } from './_ledger/hot-path';
import { createJobs, dropJobs } from './_ledger/jobs';

/**
 * The credit ledger: visitors, double-entry accounts, grants, holds, the model catalogue, the
 * triggers that keep them honest and the SQL functions of the hot path and the jobs.
 * The SQL lives beside this file in `_ledger/` (ignored by the migration glob) to stay readable.
 */
export const up: MigrationFn<QueryInterface> = async ({ context }) => {
  await runSql(context, [createTables, createIntegrity, createGrantHelpers, createHotPath, createJobs].join('\n'));
};

export const down: MigrationFn<QueryInterface> = async ({ context }) => {
  await runSql(context, [dropJobs, dropHotPath, dropGrantHelpers, dropIntegrity, dropTables].join('\n'));
};
