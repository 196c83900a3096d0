import type { MigrationFn } from 'umzug';
import type { QueryInterface } from 'sequelize';
import { runSql } from './_sql';
import { createBatch, dropBatch } from './_ledger/batch';

/**
 * Group commit for the ledger's hot path: one SQL function that runs many reserve / settle /
 * release calls in one transaction, in order (see `_ledger/batch.ts` and server/src/ledger/batcher.ts).
 */
export const up: MigrationFn<QueryInterface> = async ({ context }) => {
  await runSql(context, createBatch);
};

export const down: MigrationFn<QueryInterface> = async ({ context }) => {
  await runSql(context, dropBatch);
};
