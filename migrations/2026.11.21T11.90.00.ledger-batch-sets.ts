import type { MigrationFn } from 'umzug';
import type { QueryInterface } from 'sequelize';
import { runSql } from './_sql';
import { createBatchSets, dropBatchSets } from './_ledger/batch-sets';

/**
 * The batch's second form: the usual ops of a batch as set-based statements for the whole batch
 * (see `_ledger/batch-sets.ts`). The first form stays for servers of the previous release.
 */
export const up: MigrationFn<QueryInterface> = async ({ context }) => {
  await runSql(context, createBatchSets);
};

export const down: MigrationFn<QueryInterface> = async ({ context }) => {
  await runSql(context, dropBatchSets);
};
