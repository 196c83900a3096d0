/** PL/pgSQL: a loop over the batch's ops in queue order, each in `v_op` with its position `ord`. */
export const forEachOp = `    FOR v_op IN
      SELECT x.* FROM ROWS FROM (jsonb_to_recordset(p_ops) AS (op text, tenant uuid, visitor uuid, min bigint,
               max bigint, expires timestamptz, key text, price jsonb, hold uuid, amount bigint, now timestamptz))
             WITH ORDINALITY AS x(op, tenant, visitor, min, max, expires, key, price, hold, amount, now, ord)
       ORDER BY x.ord
    LOOP
`;

/**
 * PL/pgSQL: runs the batch op in `v_op` through its own single-op function and sets the OUT
 * columns from its answer (shared by both forms of the batch).
 */
export const runOpAlone = `      CASE v_op.op
        WHEN 'reserve' THEN
          SELECT * INTO STRICT v_r FROM parley_reserve(v_op.tenant, v_op.visitor, v_op.min, v_op.max, v_op.expires,
                                                        v_op.key, v_op.price, v_op.now);
          o_outcome := v_r.o_outcome; o_hold_id := v_r.o_hold_id; o_amount := v_r.o_amount;
          o_status := v_r.o_status; o_available := v_r.o_available;
        WHEN 'settle' THEN
          SELECT * INTO STRICT v_r FROM parley_settle(v_op.tenant, v_op.hold, v_op.amount, v_op.now);
          o_outcome := v_r.o_outcome; o_charged := v_r.o_charged; o_balance := v_r.o_balance;
          o_reserved := v_r.o_reserved; o_available := v_r.o_available;
        WHEN 'release' THEN
          SELECT * INTO STRICT v_r FROM parley_release(v_op.tenant, v_op.hold, v_op.now);
          o_outcome := v_r.o_outcome; o_balance := v_r.o_balance; o_reserved := v_r.o_reserved;
          o_available := v_r.o_available;
        ELSE
          RAISE EXCEPTION 'ledger: unknown batch op %', v_op.op USING ERRCODE = '22023';
      END CASE;
`;

/**
 * Group commit for the hot path: `parley_ledger_batch(ops)` runs many reserve / settle / release
 * calls in one transaction (one round trip, one WAL flush) and answers one row per op, in order.
 * Each op is the very function its single call runs (parley_reserve / settle / release), so it
 * sees the effects of the ops before it exactly as if they had been called one after another.
 *
 * Locks are all taken up front in the ledger's order: the holds named by settle / release
 * (ascending id), then every account the batch touches (ascending id). After that the ops only
 * take locks the transaction already has (grants are reached through locked accounts), so a batch
 * cannot deadlock with another batch, a single call, the sweeper, expiry, transfer or adjust.
 * The one wait left is a UNIQUE idempotency key that another open transaction has just inserted;
 * PostgreSQL detects the (rare, reversed duplicate keys) cycle and the caller runs the ops alone.
 *
 * ops: a JSON array of
 *   {"op":"reserve","tenant","visitor","min","max","expires","key","price","now"}
 *   {"op":"settle","tenant","hold","amount","now"}
 *   {"op":"release","tenant","hold","now"}
 * The row's columns are the union of the single functions' OUT parameters (null where unused).
 *
 * The batcher now calls the second form, `parley_ledger_batch_sets` (batch-sets.ts); this one stays
 * for servers of the previous release during a rolling upgrade.
 */

export const createBatch = `
  CREATE FUNCTION parley_ledger_batch(p_ops jsonb)
  RETURNS TABLE (o_outcome text, o_hold_id uuid, o_amount bigint, o_status text, o_available bigint,
                 o_charged bigint, o_balance bigint, o_reserved bigint)
  LANGUAGE plpgsql
  -- The lock queries below take the whole batch as a parameter. Left to choose, PostgreSQL plans
  -- them afresh on every call (a custom plan, ~0.5 ms each, more than running them); the generic
  -- plan is the same nested loop over the primary keys. Applies to the ops' own statements too.
  SET plan_cache_mode = force_generic_plan
  AS $fn$
  DECLARE
    v_op record;
    v_r record;
  BEGIN
    -- 1. The holds that settle / release name, ascending id (as a single settle or the sweeper
    --    would lock them: before any account).
    PERFORM 1 FROM holds h
      JOIN jsonb_to_recordset(p_ops) AS x(op text, tenant uuid, hold uuid)
        ON h.id = x.hold AND h.tenant_id = x.tenant AND x.op IN ('settle', 'release')
     ORDER BY h.id
       FOR NO KEY UPDATE OF h;

    -- 2. Every account involved, ascending id: the reserves' visitors and the holds' owners.
    PERFORM 1 FROM ledger_accounts a
     WHERE a.id IN (
       SELECT va.id FROM jsonb_to_recordset(p_ops) AS x(op text, tenant uuid, visitor uuid)
         JOIN ledger_accounts va ON va.tenant_id = x.tenant AND va.visitor_id = x.visitor
        WHERE x.op = 'reserve'
       UNION
       SELECT h.account_id FROM jsonb_to_recordset(p_ops) AS x(op text, tenant uuid, hold uuid)
         JOIN holds h ON h.id = x.hold AND h.tenant_id = x.tenant
        WHERE x.op IN ('settle', 'release')
     )
     ORDER BY a.id
       FOR NO KEY UPDATE;

    -- 3. The ops, in order, each exactly as its single call.
${forEachOp}      o_outcome := NULL; o_hold_id := NULL; o_amount := NULL; o_status := NULL; o_available := NULL;
      o_charged := NULL; o_balance := NULL; o_reserved := NULL;
${runOpAlone}      RETURN NEXT;
    END LOOP;
  END
  $fn$;
`;

export const dropBatch = `
  DROP FUNCTION parley_ledger_batch(jsonb);
`;
