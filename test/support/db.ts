import crypto from 'node:crypto';
import { Client } from 'pg';

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run tests through jest (its globalSetup starts PostgreSQL)`);
  return value;
}

function urlFor(database: string): string {
  const url = new URL(env('PARLEY_TEST_ADMIN_URL'));
  url.pathname = `/${database}`;
  return url.toString();
}

async function withAdmin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: env('PARLEY_TEST_ADMIN_URL') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** This worker's database, cloned from the migrated template the first time it is asked for. */
export async function workerDatabaseUrl(): Promise<string> {
  const name = `parley_test_${env('PARLEY_TEST_RUN')}_w${process.env.JEST_WORKER_ID ?? '0'}`;
  await withAdmin(async (client) => {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${name} TEMPLATE ${env('PARLEY_TEST_TEMPLATE')}`);
  });
  return urlFor(name);
}

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A database of its own for a test that needs an empty or freshly migrated one. */
export async function scratchDatabase({ migrated }: { migrated: boolean }): Promise<ScratchDatabase> {
  const name = `parley_test_${env('PARLEY_TEST_RUN')}_s${crypto.randomBytes(4).toString('hex')}`;
  await withAdmin((client) => client.query(`CREATE DATABASE ${name}${migrated ? ` TEMPLATE ${env('PARLEY_TEST_TEMPLATE')}` : ''}`));
  return {
    url: urlFor(name),
    drop: () => withAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}
