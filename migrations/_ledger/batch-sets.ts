import { forEachOp, runOpAlone } from './batch';

/**
 * The batch, second form: the usual ops of a busy tenant run as a few set-based statements for
 * the whole batch instead of one function call each.
 *
 * Profiling the first form (one `parley_reserve` / `parley_settle` call per op) showed most of a
 * batch's time in PostgreSQL's per-statement work: executor start-up and shutdown, trigger and
 * constraint set-up, for ~15 statements a turn. A set-based statement pays that once for the
 * whole batch. What stays per row: CHECKs, foreign-key checks, row triggers.
 *
 * An op goes the set-based way only when the order of the batch cannot matter to it:
 *   - it is the batch's only op on its account (so no other op sees or changes what it does),
 *   - a reserve: its idempotency key appears once in the batch and in no existing hold, and the
 *     first live grant in burn order covers its whole maximum (the single function's fast path);
 *   - a settle: its hold is pending, on one grant, and the tenant has a usage account.
 * Such an op commutes with every other op of the batch, so running it first gives every caller
 * exactly the answer the ops in queue order would. Everything else (releases, a hot account's
 * several ops, refusals, replays, multi-grant holds) runs after, in queue order, through the very
 * functions its single call runs. `o_set` says which way an op went (for the tests).
 *
 * The lock order is the first form's: holds named by settle / release (ascending id), then every
 * account of the batch (ascending id), all taken before any op runs. Each statement after that
 * starts with a fresh snapshot (READ COMMITTED, VOLATILE function), so it sees the locked rows'
 * latest committed state; a grant is only ever changed under its account's lock.
 * A UNIQUE idempotency key that a concurrent transaction inserts between our check and our insert
 * fails the whole batch (23505); the batcher then runs its ops one by one.
 *
 * A function of its own name rather than a new body for `parley_ledger_batch`: a server still
 * running the previous release keeps calling the first form, whose answer has one column fewer,
 * while a newer one migrates the database under it.
 */
export const createBatchSets = `
  CREATE FUNCTION parley_ledger_batch_sets(p_ops jsonb)
  RETURNS TABLE (o_outcome text, o_hold_id uuid, o_amount bigint, o_status text, o_available bigint,
                 o_charged bigint, o_balance bigint, o_reserved bigint, o_set boolean)
  LANGUAGE plpgsql
  -- As in the first form: generic plans for statements over the whole batch (see batch.ts).
  SET plan_cache_mode = force_generic_plan
  AS $fn$
  DECLARE
    v_op record;
    v_r record;
    v_accounts uuid[];
    v_solo_reserves bigint[];
    v_solo_settles bigint[];
    -- Answers of the set-based ops, by op position (ord).
    v_ords bigint[] := '{}';
    v_outcomes text[] := '{}';
    v_holds uuid[] := '{}';
    v_amounts bigint[] := '{}';
    v_charged bigint[] := '{}';
    v_balances bigint[] := '{}';
    v_reserved bigint[] := '{}';
    v_available bigint[] := '{}';
    v_i integer;
    v_expected integer;
    v_touched integer;
  BEGIN
    -- 1. The holds that settle / release name, ascending id (before any account).
    PERFORM 1 FROM holds h
      JOIN jsonb_to_recordset(p_ops) AS x(op text, tenant uuid, hold uuid)
        ON h.id = x.hold AND h.tenant_id = x.tenant AND x.op IN ('settle', 'release')
     ORDER BY h.id
       FOR NO KEY UPDATE OF h;

    -- 2. Each op's account, and the ops that are alone on theirs.
    WITH ops AS (
      -- Scalar subqueries, not joins: a generic plan would hash-join a whole table.
      SELECT x.op, x.ord,
             CASE WHEN x.op = 'reserve'
               THEN (SELECT va.id FROM ledger_accounts va WHERE va.tenant_id = x.tenant AND va.visitor_id = x.visitor)
               ELSE (SELECT h.account_id FROM holds h WHERE h.id = x.hold AND h.tenant_id = x.tenant) END AS account_id,
             count(*) OVER (PARTITION BY x.tenant, x.key) AS key_uses
        FROM ROWS FROM (jsonb_to_recordset(p_ops) AS (op text, tenant uuid, visitor uuid, hold uuid, key text))
             WITH ORDINALITY AS x(op, tenant, visitor, hold, key, ord)
    ), counted AS (
      SELECT ops.*, count(*) OVER (PARTITION BY account_id) AS on_account FROM ops
    )
    SELECT array_agg(DISTINCT account_id) FILTER (WHERE account_id IS NOT NULL),
           array_agg(ord) FILTER (WHERE op = 'reserve' AND account_id IS NOT NULL AND on_account = 1 AND key_uses = 1),
           array_agg(ord) FILTER (WHERE op = 'settle' AND account_id IS NOT NULL AND on_account = 1)
      INTO v_accounts, v_solo_reserves, v_solo_settles
      FROM counted;

    -- 3. Every account involved, ascending id.
    PERFORM 1 FROM ledger_accounts a WHERE a.id = ANY (v_accounts) ORDER BY a.id FOR NO KEY UPDATE;

    -- 4. Lone reserves that the first live grant covers, all at once.
    IF v_solo_reserves IS NOT NULL THEN
      WITH ops AS (
        SELECT x.* FROM ROWS FROM (jsonb_to_recordset(p_ops) AS (tenant uuid, visitor uuid, min bigint, max bigint,
                 expires timestamptz, key text, price jsonb, now timestamptz))
               WITH ORDINALITY AS x(tenant, visitor, min, max, expires, key, price, now, ord)
         WHERE x.ord = ANY (v_solo_reserves)
      ), chosen AS (
        SELECT o.*, a.id AS account_id, g.id AS grant_id
          FROM ops o
          JOIN ledger_accounts a ON a.tenant_id = o.tenant AND a.visitor_id = o.visitor
          CROSS JOIN LATERAL (
            SELECT g.id, g.remaining - g.held AS free FROM grants g
             WHERE g.account_id = a.id AND g.live AND g.remaining > g.held AND (g.expires_at IS NULL OR g.expires_at > o.now)
             ORDER BY g.expires_at NULLS LAST, g.priority, g.issued_at, g.id
             LIMIT 1
          ) g
         WHERE g.free >= o.max AND o.max >= o.min
           AND NOT EXISTS (SELECT 1 FROM holds h WHERE h.tenant_id = o.tenant AND h.idempotency_key = o.key)
      ), taken AS (
        UPDATE grants g SET held = g.held + c.max FROM chosen c WHERE g.id = c.grant_id RETURNING g.id
      ), acct AS (
        UPDATE ledger_accounts a SET reserved = a.reserved + c.max FROM chosen c WHERE a.id = c.account_id RETURNING a.id
      ), placed AS (
        INSERT INTO holds (tenant_id, account_id, amount, expires_at, idempotency_key, grant_ids, grant_amounts, price, created_at)
        SELECT c.tenant, c.account_id, c.max, c.expires, c.key, ARRAY[c.grant_id], ARRAY[c.max], c.price, c.now FROM chosen c
        RETURNING id, account_id
      )
      SELECT v_ords || coalesce(array_agg(c.ord), '{}'), v_outcomes || coalesce(array_agg('ok'::text), '{}'),
             v_holds || coalesce(array_agg(p.id), '{}'), v_amounts || coalesce(array_agg(c.max), '{}'),
             v_charged || coalesce(array_agg(NULL::bigint), '{}'), v_balances || coalesce(array_agg(NULL::bigint), '{}'),
             v_reserved || coalesce(array_agg(NULL::bigint), '{}'), v_available || coalesce(array_agg(NULL::bigint), '{}'),
             count(*), (SELECT count(*) FROM taken) + (SELECT count(*) FROM acct)
        INTO v_ords, v_outcomes, v_holds, v_amounts, v_charged, v_balances, v_reserved, v_available, v_expected, v_touched
        FROM chosen c JOIN placed p ON p.account_id = c.account_id;
      IF v_touched <> 2 * v_expected THEN
        RAISE EXCEPTION 'ledger: a batch reserve touched % rows for % holds', v_touched, v_expected USING ERRCODE = 'LG003';
      END IF;
    END IF;

    -- 5. Lone settles of pending one-grant holds, all at once: holds posted, accounts and grants
    --    charged, and per charge one usage transaction with its two entries.
    IF v_solo_settles IS NOT NULL THEN
      WITH ops AS (
        SELECT x.* FROM ROWS FROM (jsonb_to_recordset(p_ops) AS (tenant uuid, hold uuid, amount bigint, now timestamptz))
               WITH ORDINALITY AS x(tenant, hold, amount, now, ord)
         WHERE x.ord = ANY (v_solo_settles)
      ), chosen AS (
        SELECT o.ord, o.tenant, o.hold, o.now, h.account_id, h.amount AS held, LEAST(o.amount, h.amount) AS charged,
               h.grant_ids[1] AS grant_id, u.id AS usage_id
          FROM ops o
          JOIN holds h ON h.id = o.hold AND h.tenant_id = o.tenant AND h.status = 'pending' AND cardinality(h.grant_ids) = 1
          JOIN ledger_accounts u ON u.tenant_id = o.tenant AND u.kind = 'usage'
         WHERE o.amount >= 0
      ), posted AS (
        UPDATE holds h SET status = 'posted', settled_amount = c.charged, finished_at = c.now
          FROM chosen c WHERE h.id = c.hold RETURNING h.id
      ), acct AS (
        UPDATE ledger_accounts a SET balance = a.balance - c.charged, reserved = a.reserved - c.held
          FROM chosen c WHERE a.id = c.account_id RETURNING a.id, a.balance, a.reserved
      ), unheld AS (
        UPDATE grants g SET held = g.held - c.held, remaining = g.remaining - c.charged
          FROM chosen c WHERE g.id = c.grant_id RETURNING g.id
      ), opened AS (
        INSERT INTO ledger_transactions (tenant_id, kind, actor_type, actor_id, hold_id, created_at)
        SELECT c.tenant, 'usage', 'system', 'settle', c.hold, c.now FROM chosen c WHERE c.charged > 0
        RETURNING id, hold_id
      ), booked AS (
        INSERT INTO ledger_entries (tenant_id, transaction_id, account_id, amount, balance_after)
        SELECT c.tenant, t.id, e.account_id, e.amount, e.balance_after
          FROM chosen c
          JOIN opened t ON t.hold_id = c.hold
          JOIN acct a ON a.id = c.account_id
          CROSS JOIN LATERAL (VALUES (c.usage_id, c.charged, NULL::bigint), (c.account_id, -c.charged, a.balance)) AS e(account_id, amount, balance_after)
        RETURNING 1
      )
      SELECT v_ords || coalesce(array_agg(c.ord), '{}'), v_outcomes || coalesce(array_agg('ok'::text), '{}'),
             v_holds || coalesce(array_agg(NULL::uuid), '{}'), v_amounts || coalesce(array_agg(NULL::bigint), '{}'),
             v_charged || coalesce(array_agg(c.charged), '{}'), v_balances || coalesce(array_agg(a.balance), '{}'),
             v_reserved || coalesce(array_agg(a.reserved), '{}'), v_available || coalesce(array_agg(NULL::bigint), '{}'),
             count(*),
             (SELECT count(*) FROM posted) + (SELECT count(*) FROM unheld) - 2 * count(*)
               + (SELECT count(*) FROM booked) - 2 * (SELECT count(*) FROM opened)
        INTO v_ords, v_outcomes, v_holds, v_amounts, v_charged, v_balances, v_reserved, v_available, v_expected, v_touched
        FROM chosen c JOIN acct a ON a.id = c.account_id;
      IF v_touched <> 0 THEN
        RAISE EXCEPTION 'ledger: a batch settle of % holds touched the wrong number of rows', v_expected USING ERRCODE = 'LG003';
      END IF;
      -- What is available now, read after the charges (a fresh snapshot: this statement sees them).
      -- Unheld credits of expired grants stay in the balance until the expiry job books them.
      IF v_expected > 0 THEN
        SELECT array_agg(CASE WHEN s.ord = ANY (v_solo_settles) THEN
                 GREATEST(v_balances[s.i] - v_reserved[s.i] - coalesce((
                   SELECT sum(g.remaining - g.held) FROM grants g
                    WHERE g.account_id = h.account_id AND g.live AND g.expires_at <= x.now), 0), 0)
               ELSE v_available[s.i] END ORDER BY s.i)
          INTO v_available
          FROM unnest(v_ords) WITH ORDINALITY AS s(ord, i)
          LEFT JOIN ROWS FROM (jsonb_to_recordset(p_ops) AS (tenant uuid, hold uuid, now timestamptz))
               WITH ORDINALITY AS x(tenant, hold, now, ord) ON x.ord = s.ord
          LEFT JOIN holds h ON h.id = x.hold AND h.tenant_id = x.tenant;
      END IF;
    END IF;

    -- 6. Every op in queue order: the answers of steps 4 and 5, or the op's own function.
${forEachOp}      o_outcome := NULL; o_hold_id := NULL; o_amount := NULL; o_status := NULL; o_available := NULL;
      o_charged := NULL; o_balance := NULL; o_reserved := NULL; o_set := false;
      v_i := array_position(v_ords, v_op.ord);
      IF v_i IS NOT NULL THEN
        o_set := true;
        o_outcome := v_outcomes[v_i]; o_hold_id := v_holds[v_i]; o_amount := v_amounts[v_i];
        o_status := CASE WHEN v_op.op = 'reserve' THEN 'pending' END;
        o_charged := v_charged[v_i]; o_balance := v_balances[v_i]; o_reserved := v_reserved[v_i];
        o_available := v_available[v_i];
        RETURN NEXT;
        CONTINUE;
      END IF;
${runOpAlone}      RETURN NEXT;
    END LOOP;
  END
  $fn$;
`;

export const dropBatchSets = `
  DROP FUNCTION parley_ledger_batch_sets(jsonb);
`;
