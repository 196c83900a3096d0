/**
 * The turn's hot path as SQL functions: reserve, settle and release each cost one round trip.
 * On a busy account the row lock is held from the statement that takes it until commit, so each
 * function takes the account lock as late as it can.
 *
 * A hold allocates its credits from named grants (holds.grant_ids / grant_amounts, grants.held):
 * settling burns exactly those, releasing frees them, expiry never takes them. So a turn that
 * started before a grant expired is paid from that grant, and a turn that starts after cannot be.
 *
 * Lock order, everywhere in the ledger: holds, then accounts (ascending id when several), then
 * grants. A grant is only ever changed by a transaction holding its account's lock.
 * `p_now` is the application's clock: expiry is judged against it, never against now().
 */
export const createHotPath = `
  -- Unheld credits of grants past their expiry: still in the balance until the expiry job books
  -- them, never spendable.
  -- Reserves LEAST(p_max, available) when available >= p_min, available being the unheld credits
  -- of live grants, allocated in burn order. Outcomes: ok, insufficient, not_found, key_conflict.
  CREATE FUNCTION parley_reserve(p_tenant uuid, p_visitor uuid, p_min bigint, p_max bigint,
    p_expires_at timestamptz, p_key text, p_price jsonb, p_now timestamptz,
    OUT o_outcome text, OUT o_hold_id uuid, OUT o_amount bigint, OUT o_status text, OUT o_available bigint)
  LANGUAGE plpgsql AS $fn$
  DECLARE
    v_account uuid;
    v_first uuid;
    v_first_free bigint;
    v_ids uuid[];
    v_amounts bigint[];
  BEGIN
    -- Idempotency costs nothing up front: the hold's UNIQUE key decides. A retry (same key) gets
    -- the hold its first attempt placed, whatever the balance is now; our tentative allocation is
    -- undone ('key_conflict' when the key names another visitor's hold).
    -- From here the account is locked: this visitor's other turns wait until we commit.
    SELECT a.id INTO v_account FROM ledger_accounts a WHERE a.tenant_id = p_tenant AND a.visitor_id = p_visitor FOR NO KEY UPDATE;
    IF v_account IS NULL THEN o_outcome := 'not_found'; RETURN; END IF;

    -- Usually the first live grant in burn order covers the whole hold: one row, one update.
    SELECT g.id, g.remaining - g.held INTO v_first, v_first_free
      FROM grants g
     WHERE g.account_id = v_account AND g.live AND g.remaining > g.held AND (g.expires_at IS NULL OR g.expires_at > p_now)
     ORDER BY g.expires_at NULLS LAST, g.priority, g.issued_at, g.id
     LIMIT 1;
    IF coalesce(v_first_free >= p_max, false) THEN
      -- Grant, account and hold in one statement (the account is already locked).
      v_ids := ARRAY[v_first];
      v_amounts := ARRAY[p_max];
      o_amount := p_max;
      WITH taken AS (
        UPDATE grants SET held = held + p_max WHERE id = v_first RETURNING id
      ), acct AS (
        UPDATE ledger_accounts SET reserved = reserved + p_max WHERE id = v_account RETURNING id
      )
      INSERT INTO holds (tenant_id, account_id, amount, expires_at, idempotency_key, grant_ids, grant_amounts, price, created_at)
      SELECT p_tenant, acct.id, p_max, p_expires_at, p_key, v_ids, v_amounts, p_price, p_now FROM taken, acct
      ON CONFLICT (tenant_id, idempotency_key) DO NOTHING
      RETURNING id INTO o_hold_id;
    ELSE
      WITH ordered AS (
        SELECT g.id, g.remaining - g.held AS free,
               sum(g.remaining - g.held) OVER (ORDER BY g.expires_at NULLS LAST, g.priority, g.issued_at, g.id ROWS UNBOUNDED PRECEDING) AS upto,
               sum(g.remaining - g.held) OVER () AS total
          FROM grants g
         WHERE g.account_id = v_account AND g.live AND g.remaining > g.held AND (g.expires_at IS NULL OR g.expires_at > p_now)
      ), take AS (
        SELECT id, upto, LEAST(free, LEAST(p_max, total) - (upto - free)) AS n
          FROM ordered WHERE total >= p_min AND upto - free < LEAST(p_max, total)
      ), allocated AS (
        UPDATE grants g SET held = g.held + take.n FROM take WHERE g.id = take.id RETURNING take.id, take.n, take.upto
      )
      SELECT array_agg(id ORDER BY upto), array_agg(n ORDER BY upto), coalesce(sum(n), 0),
             (SELECT coalesce(max(total), 0) FROM ordered)
        INTO v_ids, v_amounts, o_amount, o_available FROM allocated;

      IF o_amount = 0 THEN
        -- An attempt with the same key may have committed while this one waited for the lock.
        SELECT CASE WHEN a.visitor_id = p_visitor THEN 'ok' ELSE 'key_conflict' END, h.id, h.amount, h.status
        INTO o_outcome, o_hold_id, o_amount, o_status
        FROM holds h JOIN ledger_accounts a ON a.id = h.account_id WHERE h.tenant_id = p_tenant AND h.idempotency_key = p_key;
        IF o_hold_id IS NOT NULL THEN o_available := NULL; RETURN; END IF;
        o_outcome := 'insufficient';
        RETURN;
      END IF;
      o_available := NULL; -- only a refusal reports what is available
      UPDATE ledger_accounts SET reserved = reserved + o_amount WHERE id = v_account;
      INSERT INTO holds (tenant_id, account_id, amount, expires_at, idempotency_key, grant_ids, grant_amounts, price, created_at)
      VALUES (p_tenant, v_account, o_amount, p_expires_at, p_key, v_ids, v_amounts, p_price, p_now)
      ON CONFLICT (tenant_id, idempotency_key) DO NOTHING
      RETURNING id INTO o_hold_id;
    END IF;

    IF o_hold_id IS NOT NULL THEN
      o_outcome := 'ok';
      o_status := 'pending';
      RETURN;
    END IF;
    -- The same key won meanwhile (on another account, or ours before we locked): undo, answer with theirs.
    UPDATE ledger_accounts SET reserved = reserved - o_amount WHERE id = v_account;
    UPDATE grants g SET held = g.held - x.n FROM unnest(v_ids, v_amounts) AS x(grant_id, n) WHERE g.id = x.grant_id;
    SELECT CASE WHEN a.visitor_id = p_visitor THEN 'ok' ELSE 'key_conflict' END, h.id, h.amount, h.status
        INTO o_outcome, o_hold_id, o_amount, o_status
        FROM holds h JOIN ledger_accounts a ON a.id = h.account_id WHERE h.tenant_id = p_tenant AND h.idempotency_key = p_key;
    o_available := NULL;
  END
  $fn$;

  -- Charges LEAST(p_amount, hold amount) and frees the hold. Outcomes: ok, replayed (already
  -- posted: o_charged is the first charge, balances are current), voided, not_found.
  CREATE FUNCTION parley_settle(p_tenant uuid, p_hold uuid, p_amount bigint, p_now timestamptz,
    OUT o_outcome text, OUT o_charged bigint, OUT o_balance bigint, OUT o_reserved bigint, OUT o_available bigint)
  LANGUAGE plpgsql AS $fn$
  DECLARE
    v_account uuid;
    v_held bigint;
    v_ids uuid[];
    v_amounts bigint[];
    v_status text;
    v_usage uuid;
    v_tx bigint;
    v_touched bigint;
  BEGIN
    -- Before the account lock: mark the hold posted, open the usage transaction and book its
    -- usage leg (when there is a charge). Only the visitor's side needs the lock.
    WITH posted AS (
      UPDATE holds h SET status = 'posted', settled_amount = LEAST(p_amount, h.amount), finished_at = p_now
       WHERE h.id = p_hold AND h.tenant_id = p_tenant AND h.status = 'pending'
      RETURNING h.account_id, h.amount, h.settled_amount, h.grant_ids, h.grant_amounts
    ), opened AS (
      INSERT INTO ledger_transactions (tenant_id, kind, actor_type, actor_id, hold_id, created_at)
      SELECT p_tenant, 'usage', 'system', 'settle', p_hold, p_now FROM posted WHERE posted.settled_amount > 0
      RETURNING id
    ), used AS (
      INSERT INTO ledger_entries (tenant_id, transaction_id, account_id, amount, balance_after)
      SELECT p_tenant, opened.id, a.id, posted.settled_amount, NULL
        FROM opened, posted, ledger_accounts a WHERE a.tenant_id = p_tenant AND a.kind = 'usage'
      RETURNING account_id
    )
    SELECT posted.account_id, posted.amount, posted.settled_amount, posted.grant_ids, posted.grant_amounts,
           (SELECT id FROM opened), (SELECT account_id FROM used)
      INTO v_account, v_held, o_charged, v_ids, v_amounts, v_tx, v_usage FROM posted;
    IF o_charged > 0 AND v_usage IS NULL THEN
      RAISE EXCEPTION 'ledger: tenant % has no usage account', p_tenant USING ERRCODE = 'LG003';
    END IF;

    IF v_account IS NULL THEN
      SELECT h.status, h.settled_amount, h.account_id INTO v_status, o_charged, v_account
        FROM holds h WHERE h.id = p_hold AND h.tenant_id = p_tenant;
      IF v_status IS NULL THEN o_outcome := 'not_found'; RETURN; END IF;
      IF v_status = 'voided' THEN o_outcome := 'voided'; o_charged := NULL; RETURN; END IF;
      o_outcome := 'replayed';
      SELECT a.balance, a.reserved INTO o_balance, o_reserved FROM ledger_accounts a WHERE a.id = v_account;
    ELSE
      IF cardinality(v_ids) = 1 THEN
        -- The usual hold, on one grant: account, grant and the visitor's entry in one statement.
        -- The grant update reads the account's result, so the account is locked first (the
        -- ledger's order).
        WITH acct AS (
          UPDATE ledger_accounts a SET balance = a.balance - o_charged, reserved = a.reserved - v_held
           WHERE a.id = v_account RETURNING a.balance, a.reserved
        ), unheld AS (
          UPDATE grants g SET held = g.held - v_held, remaining = g.remaining - o_charged
            FROM acct WHERE g.id = v_ids[1] RETURNING g.id
        ), booked AS (
          INSERT INTO ledger_entries (tenant_id, transaction_id, account_id, amount, balance_after)
          SELECT p_tenant, v_tx, v_account, -o_charged, acct.balance FROM acct WHERE o_charged > 0
        )
        SELECT acct.balance, acct.reserved, (SELECT count(*) FROM unheld) INTO o_balance, o_reserved, v_touched FROM acct;
        IF v_touched <> 1 THEN
          RAISE EXCEPTION 'ledger: the grant of hold % is missing', p_hold USING ERRCODE = 'LG003';
        END IF;
      ELSE
        UPDATE ledger_accounts a SET balance = a.balance - o_charged, reserved = a.reserved - v_held
         WHERE a.id = v_account RETURNING a.balance, a.reserved INTO o_balance, o_reserved;
        PERFORM parley_unhold(v_ids, v_amounts, o_charged);
        IF o_charged > 0 THEN
          INSERT INTO ledger_entries (tenant_id, transaction_id, account_id, amount, balance_after)
          VALUES (p_tenant, v_tx, v_account, -o_charged, o_balance);
        END IF;
      END IF;
      o_outcome := 'ok';
    END IF;
    o_available := GREATEST(o_balance - o_reserved - parley_expired_remaining(v_account, p_now), 0);
  END
  $fn$;

  -- Voids a pending hold. Outcomes: ok, replayed (already voided), posted, not_found.
  CREATE FUNCTION parley_release(p_tenant uuid, p_hold uuid, p_now timestamptz,
    OUT o_outcome text, OUT o_balance bigint, OUT o_reserved bigint, OUT o_available bigint)
  LANGUAGE plpgsql AS $fn$
  DECLARE
    v_account uuid;
    v_held bigint;
    v_ids uuid[];
    v_amounts bigint[];
    v_status text;
  BEGIN
    UPDATE holds h SET status = 'voided', finished_at = p_now
     WHERE h.id = p_hold AND h.tenant_id = p_tenant AND h.status = 'pending'
    RETURNING h.account_id, h.amount, h.grant_ids, h.grant_amounts INTO v_account, v_held, v_ids, v_amounts;

    IF v_account IS NULL THEN
      SELECT h.status, h.account_id INTO v_status, v_account FROM holds h WHERE h.id = p_hold AND h.tenant_id = p_tenant;
      IF v_status IS NULL THEN o_outcome := 'not_found'; RETURN; END IF;
      o_outcome := CASE v_status WHEN 'voided' THEN 'replayed' ELSE v_status END;
      SELECT a.balance, a.reserved INTO o_balance, o_reserved FROM ledger_accounts a WHERE a.id = v_account;
    ELSE
      UPDATE ledger_accounts a SET reserved = a.reserved - v_held
       WHERE a.id = v_account RETURNING a.balance, a.reserved INTO o_balance, o_reserved;
      PERFORM parley_unhold(v_ids, v_amounts, 0);
      o_outcome := 'ok';
    END IF;
    o_available := GREATEST(o_balance - o_reserved - parley_expired_remaining(v_account, p_now), 0);
  END
  $fn$;
`;

export const dropHotPath = `
  DROP FUNCTION parley_release(uuid, uuid, timestamptz);
  DROP FUNCTION parley_settle(uuid, uuid, bigint, timestamptz);
  DROP FUNCTION parley_reserve(uuid, uuid, bigint, bigint, timestamptz, text, jsonb, timestamptz);
`;
