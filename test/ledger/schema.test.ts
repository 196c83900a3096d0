import type { PoolClient } from 'pg';
import type { Deps } from '../../server/src/deps';
import { release, reserve } from '../../server/src/ledger/hot-path';
import { verifyLedger } from '../../server/src/ledger/verify';
import { closeDeps, createTestDeps } from '../support/app';
import { scratchDatabase } from '../support/db';
import type { TestClock } from '../support/clock';
import { credits, expectLedgerInvariants, fundedVisitor, key, ledgerTenant } from '../support/ledger';

/** The database itself refuses corruption, whatever code (ours or not) writes to it. */
let deps: Deps & { clock: TestClock };
let tenantId: string;

beforeAll(async () => {
  deps = await createTestDeps();
  tenantId = await ledgerTenant(deps);
});
afterAll(() => closeDeps(deps));
afterEach(() => expectLedgerInvariants(deps.pool, tenantId));

async function inRolledBack<T>(fn: (c: PoolClient) => Promise<T>): Promise<T> {
  const client = await deps.pool.connect();
  try {
    await client.query('BEGIN');
    return await fn(client);
  } finally {
    await client.query('ROLLBACK');
    client.release();
  }
}

it('opens an account with every visitor, however the visitor is inserted', async () => {
  const { rows } = await deps.pool.query<{ id: string }>('INSERT INTO visitors (tenant_id) VALUES ($1) RETURNING id', [tenantId]);
  const account = await deps.pool.query('SELECT balance, reserved FROM ledger_accounts WHERE visitor_id = $1', [rows[0]!.id]);
  expect(account.rows).toEqual([{ balance: '0', reserved: '0' }]);
});

it('refuses to update or delete entries and transactions', async () => {
  const v = await fundedVisitor(deps, tenantId, credits(1));
  for (const sql of [
    'UPDATE ledger_entries SET amount = amount * 2 WHERE account_id = $1',
    'DELETE FROM ledger_entries WHERE account_id = $1',
    'DELETE FROM ledger_transactions WHERE id IN (SELECT transaction_id FROM ledger_entries WHERE account_id = $1)',
  ]) {
    await expect(deps.pool.query(sql, [v.accountId])).rejects.toMatchObject({ code: 'LG001' });
  }
  await expect(deps.pool.query('TRUNCATE ledger_entries CASCADE')).rejects.toMatchObject({ code: 'LG001' });
});

it('refuses a transaction whose entries do not sum to zero, at commit', async () => {
  const v = await fundedVisitor(deps, tenantId);
  const client = await deps.pool.connect();
  try {
    await client.query('BEGIN');
    const tx = await client.query<{ id: string }>(
      "INSERT INTO ledger_transactions (tenant_id, kind, actor_type, actor_id, created_at) VALUES ($1, 'grant', 'system', 't', now()) RETURNING id",
      [tenantId],
    );
    await client.query(
      'INSERT INTO ledger_entries (tenant_id, transaction_id, account_id, amount, balance_after) VALUES ($1, $2, $3, 5, 5)',
      [tenantId, tx.rows[0]!.id, v.accountId],
    );
    await expect(client.query('COMMIT')).rejects.toMatchObject({ code: 'LG002' });
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release();
  }
});

it('keeps available >= 0, a grant within its amount, and a hold moving only once', async () => {
  const v = await fundedVisitor(deps, tenantId, credits(1));
  const r = await reserve({
    db: deps.pool, tenantId, visitorId: v.id, min: 1, max: credits(1), expiresAt: new Date(deps.clock.now().getTime() + 60_000),
    idempotencyKey: key(), price: {}, now: deps.clock.now(),
  });
  if (!r.ok) throw new Error('no hold');
  await inRolledBack(async (c) => {
    await expect(c.query('UPDATE ledger_accounts SET reserved = reserved + 1 WHERE id = $1', [v.accountId])).rejects.toMatchObject({ code: '23514' });
  });
  await inRolledBack(async (c) => {
    await expect(c.query('UPDATE grants SET remaining = remaining + 1 WHERE account_id = $1', [v.accountId])).rejects.toMatchObject({ code: 'LG001' });
  });
  await inRolledBack(async (c) => {
    await expect(c.query("UPDATE holds SET amount = 1 WHERE id = $1", [r.hold.id])).rejects.toMatchObject({ code: 'LG001' });
  });
  await release({ db: deps.pool, tenantId, holdId: r.hold.id, now: deps.clock.now() });
  await inRolledBack(async (c) => {
    await expect(c.query("UPDATE holds SET status = 'pending', finished_at = NULL WHERE id = $1", [r.hold.id])).rejects.toMatchObject({ code: 'LG001' });
  });
});

it('the checker reports corruption with the ids involved', async () => {
  // Corruption needs a database of its own: the triggers are bypassed as only a superuser could.
  const scratch = await scratchDatabase({ migrated: true });
  const own = await createTestDeps({ databaseUrl: scratch.url });
  try {
    const tenant = await ledgerTenant(own);
    const v = await fundedVisitor(own, tenant, credits(3));
    const client = await own.pool.connect();
    try {
      await client.query("SET session_replication_role = 'replica'");
      await client.query('UPDATE ledger_accounts SET balance = balance + 7 WHERE id = $1', [v.accountId]);
      await client.query('UPDATE ledger_entries SET amount = amount + 1 WHERE account_id = $1', [v.accountId]);
    } finally {
      client.release(true);
    }
    const violations = await verifyLedger({ db: own.pool, tenantId: tenant });
    expect(violations.map((x) => x.invariant).sort()).toEqual([
      'balance_equals_live_grants',
      'balance_equals_sum_of_entries',
      'running_balance_matches_entries',
      'tenant_sums_to_zero',
      'transaction_sums_to_zero',
    ]);
    expect(violations.find((x) => x.invariant === 'balance_equals_live_grants')).toMatchObject({
      tenantId: tenant, ids: { accountId: v.accountId, visitorId: v.id }, expected: `grants_remaining = ${credits(3)}`, actual: `balance = ${credits(3) + 7}`,
    });
  } finally {
    await closeDeps(own);
    await scratch.drop();
  }
});
