import type { Pool, PoolClient } from 'pg';

/**
 * The ledger's invariants, checked against the database as it is (tests after every ledger test;
 * `npm run ledger:verify` on a live database). Everything is read in one REPEATABLE READ snapshot,
 * so concurrent turns cannot produce false alarms.
 *
 * - a visitor's balance = the sum of its entries = the sum of the remaining amounts of its live
 *   grants. "Live" means not yet booked by the expiry job (remaining > 0): an expired grant the
 *   job has not reached yet still counts, because its credits are still in the balance (they
 *   are only excluded from `available`);
 * - reserved = the sum of the pending holds; reserved >= 0 and balance - reserved >= 0;
 * - every transaction's entries sum to zero, and so do every tenant's;
 * - each visitor entry's running balance is the running sum of the account's entries, and system
 *   accounts (whose balance is only ever the sum of their entries) carry none;
 * - a posted hold was charged exactly its settled amount by at most one usage transaction, and
 *   an unposted one was charged nothing;
 * - each grant's `held` is what the pending holds allocated from it, and holds allocate only
 *   from grants of their own account;
 * - every visitor has an account, every tenant with accounts has all its system accounts, and
 *   grants belong to visitor accounts.
 */
export interface Violation {
  invariant: string;
  tenantId: string;
  /** The rows involved: accountId, visitorId, transactionId, holdId, grantId... */
  ids: Record<string, string>;
  expected?: string;
  actual?: string;
}

type Row = Record<string, string | null>;

interface Check {
  sql: string;
  toViolations(row: Row): Violation[];
}

const filter = (column: string) => `($1::uuid IS NULL OR ${column} = $1::uuid)`;
const systemKinds = `ARRAY['sales', 'promotions', 'usage', 'expired', 'adjustments', 'uncollected']::ledger_account_kind[]`;

function differs(invariant: string, row: Row, ids: Record<string, string>, expected: string, actual: string): Violation[] {
  const e = row[expected];
  const a = row[actual];
  return e === a ? [] : [{ invariant, tenantId: row.tenant_id ?? '', ids, expected: `${expected} = ${e}`, actual: `${actual} = ${a}` }];
}

const checks: Check[] = [
  {
    sql: `SELECT a.tenant_id, a.id AS account_id, a.visitor_id, a.balance::text, a.reserved::text,
                 coalesce(e.total, 0)::text AS entries_sum, coalesce(g.total, 0)::text AS grants_remaining,
                 coalesce(h.total, 0)::text AS pending_holds
            FROM ledger_accounts a
            LEFT JOIN (SELECT account_id, sum(amount) AS total FROM ledger_entries WHERE ${filter('tenant_id')} GROUP BY account_id) e ON e.account_id = a.id
            LEFT JOIN (SELECT account_id, sum(remaining) AS total FROM grants WHERE ${filter('tenant_id')} GROUP BY account_id) g ON g.account_id = a.id
            LEFT JOIN (SELECT account_id, sum(amount) AS total FROM holds WHERE status = 'pending' AND ${filter('tenant_id')} GROUP BY account_id) h ON h.account_id = a.id
           WHERE a.kind = 'visitor' AND ${filter('a.tenant_id')}
             AND (a.balance <> coalesce(e.total, 0) OR a.balance <> coalesce(g.total, 0) OR a.reserved <> coalesce(h.total, 0)
                  OR a.reserved < 0 OR a.balance - a.reserved < 0)`,
    toViolations: (row) => {
      const ids = { accountId: row.account_id!, visitorId: row.visitor_id! };
      const negative = Number(row.reserved) < 0 || Number(row.balance) - Number(row.reserved) < 0;
      return [
        ...differs('balance_equals_sum_of_entries', row, ids, 'entries_sum', 'balance'),
        ...differs('balance_equals_live_grants', row, ids, 'grants_remaining', 'balance'),
        ...differs('reserved_equals_pending_holds', row, ids, 'pending_holds', 'reserved'),
        ...(negative
          ? [{ invariant: 'available_not_negative', tenantId: row.tenant_id!, ids, expected: 'reserved >= 0 and balance - reserved >= 0', actual: `balance = ${row.balance}, reserved = ${row.reserved}` }]
          : []),
      ];
    },
  },
  {
    sql: `SELECT tenant_id, transaction_id::text, sum(amount)::text AS total FROM ledger_entries
           WHERE ${filter('tenant_id')} GROUP BY tenant_id, transaction_id HAVING sum(amount) <> 0`,
    toViolations: (row) => [{ invariant: 'transaction_sums_to_zero', tenantId: row.tenant_id!, ids: { transactionId: row.transaction_id! }, expected: '0', actual: row.total! }],
  },
  {
    sql: `SELECT tenant_id, sum(amount)::text AS total FROM ledger_entries WHERE ${filter('tenant_id')} GROUP BY tenant_id HAVING sum(amount) <> 0`,
    toViolations: (row) => [{ invariant: 'tenant_sums_to_zero', tenantId: row.tenant_id!, ids: {}, expected: '0', actual: row.total! }],
  },
  {
    sql: `SELECT tenant_id, account_id, id::text AS entry_id, kind, balance_after::text, running::text FROM (
            SELECT e.tenant_id, e.account_id, e.id, a.kind, e.balance_after,
                   sum(e.amount) OVER (PARTITION BY e.account_id ORDER BY e.id) AS running
              FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id
             WHERE ${filter('e.tenant_id')}) x
           WHERE (kind = 'visitor' AND balance_after IS DISTINCT FROM running) OR (kind <> 'visitor' AND balance_after IS NOT NULL)`,
    toViolations: (row) => [{
      invariant: row.kind === 'visitor' ? 'running_balance_matches_entries' : 'system_entries_have_no_running_balance',
      tenantId: row.tenant_id!, ids: { accountId: row.account_id!, entryId: row.entry_id! },
      expected: row.kind === 'visitor' ? row.running! : 'null', actual: row.balance_after ?? 'null',
    }],
  },
  {
    sql: `SELECT h.tenant_id, h.id AS hold_id, h.status, coalesce(h.settled_amount, 0)::text AS settled,
                 coalesce(sum(-e.amount), 0)::text AS charged, count(DISTINCT t.id)::text AS transactions
            FROM holds h
            LEFT JOIN ledger_transactions t ON t.hold_id = h.id
            LEFT JOIN ledger_entries e ON e.transaction_id = t.id AND e.account_id = h.account_id
           WHERE ${filter('h.tenant_id')}
           GROUP BY h.tenant_id, h.id, h.status, h.settled_amount
          HAVING count(DISTINCT t.id) > 1 OR coalesce(sum(-e.amount), 0) <> coalesce(h.settled_amount, 0)`,
    toViolations: (row) => [{
      invariant: 'hold_charged_its_settled_amount', tenantId: row.tenant_id!, ids: { holdId: row.hold_id! },
      expected: `${row.status} hold charged ${row.settled} by at most one transaction`, actual: `charged ${row.charged} by ${row.transactions}`,
    }],
  },
  {
    sql: `SELECT g.tenant_id, g.id AS grant_id, g.held::text, coalesce(x.total, 0)::text AS allocated FROM grants g
            LEFT JOIN (
              SELECT a.grant_id, sum(a.n) AS total FROM holds h CROSS JOIN LATERAL unnest(h.grant_ids, h.grant_amounts) AS a(grant_id, n)
               WHERE h.status = 'pending' AND ${filter('h.tenant_id')} GROUP BY a.grant_id
            ) x ON x.grant_id = g.id
           WHERE ${filter('g.tenant_id')} AND g.held <> coalesce(x.total, 0)`,
    toViolations: (row) => [{ invariant: 'grant_held_equals_allocations', tenantId: row.tenant_id!, ids: { grantId: row.grant_id! }, expected: row.allocated!, actual: row.held! }],
  },
  {
    sql: `SELECT h.tenant_id, h.id AS hold_id, a.grant_id FROM holds h
            CROSS JOIN LATERAL unnest(h.grant_ids) AS a(grant_id)
            LEFT JOIN grants g ON g.id = a.grant_id
           WHERE (g.id IS NULL OR g.account_id <> h.account_id) AND ${filter('h.tenant_id')}`,
    toViolations: (row) => [{ invariant: 'hold_allocates_own_grants', tenantId: row.tenant_id!, ids: { holdId: row.hold_id!, grantId: row.grant_id! } }],
  },
  {
    sql: `SELECT v.tenant_id, v.id AS visitor_id FROM visitors v
            LEFT JOIN ledger_accounts a ON a.visitor_id = v.id AND a.tenant_id = v.tenant_id
           WHERE a.id IS NULL AND ${filter('v.tenant_id')}`,
    toViolations: (row) => [{ invariant: 'visitor_has_account', tenantId: row.tenant_id!, ids: { visitorId: row.visitor_id! } }],
  },
  {
    sql: `SELECT x.tenant_id, k.kind FROM (SELECT DISTINCT tenant_id FROM ledger_accounts WHERE ${filter('tenant_id')}) x
           CROSS JOIN unnest(${systemKinds}) AS k(kind)
           WHERE NOT EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.tenant_id = x.tenant_id AND a.kind = k.kind)`,
    toViolations: (row) => [{ invariant: 'tenant_has_system_accounts', tenantId: row.tenant_id!, ids: {}, expected: `a ${row.kind} account`, actual: 'none' }],
  },
  {
    sql: `SELECT g.tenant_id, g.id AS grant_id, a.kind FROM grants g JOIN ledger_accounts a ON a.id = g.account_id
           WHERE (a.kind <> 'visitor' OR g.remaining < 0 OR g.remaining > g.amount OR g.held < 0 OR g.held > g.remaining) AND ${filter('g.tenant_id')}`,
    toViolations: (row) => [{ invariant: 'grant_shape', tenantId: row.tenant_id!, ids: { grantId: row.grant_id! }, expected: 'a visitor grant with 0 <= held <= remaining <= amount', actual: `on a ${row.kind} account` }],
  },
];

async function inSnapshot<T>(db: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await db.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    return await fn(client);
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release();
  }
}

/** Every violation of the ledger's invariants, for one tenant or all; empty when all is well. */
export async function verifyLedger({ db, tenantId }: { db: Pool; tenantId?: string }): Promise<Violation[]> {
  return inSnapshot(db, async (client) => {
    const violations: Violation[] = [];
    for (const check of checks) {
      const { rows } = await client.query<Row>(check.sql, [tenantId ?? null]);
      for (const row of rows) violations.push(...check.toViolations(row));
    }
    return violations;
  });
}

export function formatViolation(v: Violation): string {
  const ids = Object.entries(v.ids).map(([k, id]) => `${k}=${id}`).join(' ');
  const detail = v.expected || v.actual ? ` expected ${v.expected ?? '?'}, got ${v.actual ?? '?'}` : '';
  return `${v.invariant}: tenant=${v.tenantId}${ids ? ` ${ids}` : ''}${detail}`;
}
