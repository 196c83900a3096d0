/**
 * Helpers over an account's grants, used by the hot path and the multi-statement operations.
 * Every caller holds the account's row lock (see hot-path.ts for the lock order).
 */
export const createGrantHelpers = `
  -- (plpgsql rather than SQL functions here: PostgreSQL caches their plans; a non-inlined SQL
  -- function is planned again on every call, which the hot path would pay each turn.)
  CREATE FUNCTION parley_expired_remaining(p_account uuid, p_now timestamptz) RETURNS bigint
  LANGUAGE plpgsql STABLE AS $fn$
  BEGIN
    RETURN (SELECT coalesce(sum(remaining - held), 0) FROM grants
             WHERE account_id = p_account AND live AND expires_at <= p_now);
  END
  $fn$;

  -- Takes p_amount from the unheld credits of live grants in burn order: soonest expiry first,
  -- then lower priority, then oldest; grants that never expire last. (Negative adjustments.)
  CREATE FUNCTION parley_burn_free(p_account uuid, p_amount bigint, p_now timestamptz) RETURNS void
  LANGUAGE plpgsql AS $fn$
  DECLARE
    v_burned numeric;
  BEGIN
    WITH ordered AS (
      SELECT g.id, g.remaining - g.held AS free,
             sum(g.remaining - g.held) OVER (ORDER BY g.expires_at NULLS LAST, g.priority, g.issued_at, g.id ROWS UNBOUNDED PRECEDING) AS upto
        FROM grants g
       WHERE g.account_id = p_account AND g.live AND g.remaining > g.held AND (g.expires_at IS NULL OR g.expires_at > p_now)
    ), take AS (
      SELECT id, LEAST(free, p_amount - (upto - free)) AS n FROM ordered WHERE upto - free < p_amount
    ), burned AS (
      UPDATE grants g SET remaining = g.remaining - take.n FROM take WHERE g.id = take.id RETURNING take.n
    )
    SELECT coalesce(sum(n), 0) INTO v_burned FROM burned;
    IF v_burned <> p_amount THEN
      RAISE EXCEPTION 'ledger: free credits of account % cover % of %', p_account, v_burned, p_amount USING ERRCODE = 'LG003';
    END IF;
  END
  $fn$;

  -- Frees a finished hold's allocation, burning the first p_burn of it (in allocation order).
  CREATE FUNCTION parley_unhold(p_ids uuid[], p_amounts bigint[], p_burn bigint) RETURNS void
  LANGUAGE plpgsql AS $fn$
  DECLARE
    v_touched integer;
  BEGIN
    IF cardinality(p_ids) = 1 THEN
      -- The usual case: a hold on one grant.
      UPDATE grants SET held = held - p_amounts[1], remaining = remaining - LEAST(p_amounts[1], p_burn) WHERE id = p_ids[1];
      GET DIAGNOSTICS v_touched = ROW_COUNT;
    ELSE
      WITH a AS (
        SELECT x.grant_id, x.n, sum(x.n) OVER (ORDER BY x.ord) AS upto
          FROM unnest(p_ids, p_amounts) WITH ORDINALITY AS x(grant_id, n, ord)
      ), done AS (
        UPDATE grants g SET held = g.held - a.n, remaining = g.remaining - LEAST(a.n, GREATEST(p_burn - (a.upto - a.n), 0))
          FROM a WHERE g.id = a.grant_id RETURNING 1
      )
      SELECT count(*) INTO v_touched FROM done;
    END IF;
    IF v_touched <> cardinality(p_ids) THEN
      RAISE EXCEPTION 'ledger: a hold allocation names % grants, % found', cardinality(p_ids), v_touched USING ERRCODE = 'LG003';
    END IF;
  END
  $fn$;

`;

export const dropGrantHelpers = `
  DROP FUNCTION parley_unhold(uuid[], bigint[], bigint);
  DROP FUNCTION parley_burn_free(uuid, bigint, timestamptz);
  DROP FUNCTION parley_expired_remaining(uuid, timestamptz);
`;
