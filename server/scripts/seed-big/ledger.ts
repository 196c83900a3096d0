import { welcomeMillicredits } from './activity';

/**
 * The ledger behind the activity, set-based and double-entry like the live code writes it:
 * a welcome grant per visitor (promotions -> visitor), a grant per purchase (sales -> visitor),
 * a usage transaction per charged reply (visitor -> usage). Transaction ids are assigned here in
 * time order (OVERRIDING SYSTEM VALUE, then the identity is moved past them) so each visitor
 * entry's running balance can be computed in the same statement that inserts it. Grants keep
 * what is left after burning in the ledger's order (oldest first; none of these expire): they
 * are inserted whole, as the ledger requires, and burned down by one update.
 *
 * The ledger's kinds and sources are enum types; the temp tables hold text, hence the casts.
 * Parameters: $1 tenant.
 */
export const ledgerSteps: Array<{ name: string; sql: string }> = [
  {
    name: 'grants and purchases',
    sql: `
      CREATE TEMP TABLE sa AS
      SELECT a.visitor_id, a.id AS account_id FROM ledger_accounts a WHERE a.tenant_id = $1 AND a.kind::text = 'visitor';
      CREATE INDEX ON sa (visitor_id);
      CREATE TEMP TABLE sg AS
      SELECT gen_random_uuid() AS grant_id, v.id AS visitor_id, 'welcome'::text AS source, ${welcomeMillicredits}::bigint AS amount,
             v.created_at AS at, NULL::uuid AS purchase_id
        FROM sv v
      UNION ALL
      SELECT gen_random_uuid(), sp.visitor_id, 'purchase', sp.credits, sp.paid_at, sp.id FROM sp;
      CREATE TEMP TABLE spent AS SELECT visitor_id, sum(charged) AS total FROM sw WHERE charged IS NOT NULL GROUP BY visitor_id;
      -- A grant starts whole (the ledger checks it); what was spent from it is burned after.
      INSERT INTO grants (id, tenant_id, account_id, source, amount, remaining, expires_at, priority, external_ref, issued_at, created_at)
      SELECT g.grant_id, $1, sa.account_id, g.source::ledger_grant_source, g.amount, g.amount,
             NULL, 0, CASE WHEN g.purchase_id IS NOT NULL THEN 'demo_' || g.purchase_id END, g.at, g.at
        FROM sg g JOIN sa ON sa.visitor_id = g.visitor_id;
      UPDATE grants gr SET remaining = x.remaining
        FROM (SELECT g.grant_id, g.amount - LEAST(g.amount, GREATEST(0, coalesce(s.total, 0) - (g.upto - g.amount))) AS remaining
                FROM (SELECT sg.*, sum(amount) OVER (PARTITION BY visitor_id ORDER BY at, grant_id ROWS UNBOUNDED PRECEDING) AS upto FROM sg) g
                LEFT JOIN spent s ON s.visitor_id = g.visitor_id) x
       WHERE gr.id = x.grant_id AND gr.tenant_id = $1 AND x.remaining < gr.amount;
      INSERT INTO purchases (id, tenant_id, visitor_id, pack_id, pack_name, credits, amount_minor, currency, provider, status, return_url,
                             payment_ref, grant_id, paid_at, created_at, updated_at)
      SELECT sp.id, $1, sp.visitor_id, sp.pack_id, sp.name, sp.credits, sp.amount_minor, sp.currency, 'demo', 'paid', 'https://big.example.com/',
             'demo_' || sp.id, sg.grant_id, sp.paid_at, sp.paid_at - interval '1 minute', sp.paid_at
        FROM sp JOIN sg ON sg.purchase_id = sp.id ORDER BY sp.paid_at;`,
  },
  {
    name: 'ledger transactions and entries',
    sql: `
      CREATE TEMP TABLE smv AS
      SELECT sa.account_id, m.* FROM (
        SELECT visitor_id, 'grant'::text AS kind, amount, at, grant_id, CASE source WHEN 'welcome' THEN 'promotions' ELSE 'sales' END AS counter
          FROM sg
        UNION ALL
        SELECT visitor_id, 'usage', -charged, at + interval '6 seconds', NULL, 'usage' FROM sw WHERE charged > 0
      ) m JOIN sa ON sa.visitor_id = m.visitor_id;
      CREATE TEMP TABLE stx AS
      SELECT smv.*, (SELECT coalesce(max(id), 0) FROM ledger_transactions) + row_number() OVER (ORDER BY at, account_id) AS tx_id FROM smv;
      INSERT INTO ledger_transactions (id, tenant_id, kind, actor_type, actor_id, grant_id, metadata, created_at)
      OVERRIDING SYSTEM VALUE
      SELECT tx_id, $1, kind::ledger_transaction_kind, 'system', CASE kind WHEN 'usage' THEN 'settle' ELSE 'seed-big' END, grant_id, '{"seed": true}'::jsonb, at
        FROM stx ORDER BY tx_id;
      SELECT setval(pg_get_serial_sequence('ledger_transactions', 'id'), (SELECT max(id) FROM ledger_transactions));
      INSERT INTO ledger_entries (tenant_id, transaction_id, account_id, amount, balance_after)
      SELECT $1, e.tx_id, e.account_id, e.amount, e.balance_after FROM (
        SELECT tx_id, account_id, amount, sum(amount) OVER (PARTITION BY account_id ORDER BY tx_id ROWS UNBOUNDED PRECEDING) AS balance_after, 0 AS side
          FROM stx
        UNION ALL
        SELECT stx.tx_id, sys.id, -stx.amount, NULL, 1 FROM stx JOIN ledger_accounts sys ON sys.tenant_id = $1 AND sys.kind::text = stx.counter
      ) e ORDER BY e.tx_id, e.side;
      UPDATE ledger_accounts a SET balance = x.balance, reserved = 0
        FROM (SELECT account_id, sum(amount) AS balance FROM stx GROUP BY account_id) x
       WHERE a.id = x.account_id AND a.tenant_id = $1;`,
  },
];
