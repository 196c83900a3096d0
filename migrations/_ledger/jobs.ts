/**
 * Background work as SQL functions, safe when several server processes run them at once: each
 * takes only rows it can lock now (SKIP LOCKED) and leaves the rest to the next run.
 */
export const createJobs = `
  -- Books the unheld credits of one account's expired grants into the tenant's expired account.
  -- Credits a pending hold has allocated stay (the turn began before the expiry and may still
  -- spend them); what the hold does not spend expires on a later run, once it is settled or released.
  CREATE FUNCTION parley_expire_account(p_account uuid, p_now timestamptz) RETURNS bigint
  LANGUAGE plpgsql AS $fn$
  DECLARE
    v_tenant uuid;
    v_amount bigint;
    v_balance bigint;
    v_expired_account uuid;
    v_tx bigint;
  BEGIN
    SELECT a.tenant_id INTO v_tenant FROM ledger_accounts a WHERE a.id = p_account AND a.kind = 'visitor' FOR NO KEY UPDATE;
    IF v_tenant IS NULL THEN RETURN 0; END IF;
    WITH due AS (
      SELECT g.id, g.remaining - g.held AS n FROM grants g
       WHERE g.account_id = p_account AND g.live AND g.remaining > g.held AND g.expires_at <= p_now
    ), expired AS (
      UPDATE grants g SET remaining = g.held FROM due WHERE g.id = due.id RETURNING due.n
    )
    SELECT coalesce(sum(n), 0) INTO v_amount FROM expired;
    IF v_amount = 0 THEN RETURN 0; END IF;

    SELECT a.id INTO STRICT v_expired_account FROM ledger_accounts a WHERE a.tenant_id = v_tenant AND a.kind = 'expired';
    INSERT INTO ledger_transactions (tenant_id, kind, actor_type, actor_id, created_at)
    VALUES (v_tenant, 'expiry', 'system', 'expiry', p_now) RETURNING id INTO v_tx;
    UPDATE ledger_accounts a SET balance = a.balance - v_amount WHERE a.id = p_account RETURNING a.balance INTO v_balance;
    INSERT INTO ledger_entries (tenant_id, transaction_id, account_id, amount, balance_after)
    VALUES (v_tenant, v_tx, p_account, -v_amount, v_balance), (v_tenant, v_tx, v_expired_account, v_amount, NULL);
    RETURN v_amount;
  END
  $fn$;

  -- Up to p_limit accounts with something to expire, locked in id order (the ledger's lock
  -- order); accounts busy in a turn or in another process's batch wait for the next run.
  CREATE FUNCTION parley_expire_grants(p_now timestamptz, p_limit integer, OUT o_accounts integer, OUT o_amount bigint)
  LANGUAGE plpgsql AS $fn$
  DECLARE
    v_ids uuid[];
    v_id uuid;
  BEGIN
    o_accounts := 0;
    o_amount := 0;
    SELECT array_agg(locked.id ORDER BY locked.id) INTO v_ids FROM (
      SELECT a.id FROM ledger_accounts a
       WHERE a.id IN (SELECT g.account_id FROM grants g WHERE g.live AND g.expires_at <= p_now AND g.remaining > g.held)
       ORDER BY a.id LIMIT p_limit
       FOR NO KEY UPDATE SKIP LOCKED
    ) locked;
    IF v_ids IS NULL THEN RETURN; END IF;
    FOREACH v_id IN ARRAY v_ids LOOP
      o_amount := o_amount + parley_expire_account(v_id, p_now);
      o_accounts := o_accounts + 1;
    END LOOP;
  END
  $fn$;

  -- Voids up to p_limit pending holds past their expiry (a server died mid-turn) and frees what
  -- they held. Holds are locked first, then each account (ascending id) and its grants.
  CREATE FUNCTION parley_sweep_holds(p_now timestamptz, p_limit integer) RETURNS integer
  LANGUAGE plpgsql AS $fn$
  DECLARE
    v_holds uuid[];
    v_accounts uuid[];
    v_amounts bigint[];
    v_hold holds%ROWTYPE;
  BEGIN
    WITH due AS (
      SELECT h.id FROM holds h WHERE h.status = 'pending' AND h.expires_at <= p_now
       ORDER BY h.expires_at LIMIT p_limit FOR NO KEY UPDATE SKIP LOCKED
    ), voided AS (
      UPDATE holds h SET status = 'voided', finished_at = p_now FROM due WHERE h.id = due.id
      RETURNING h.id, h.account_id, h.amount
    )
    SELECT array_agg(id ORDER BY account_id, id), array_agg(account_id ORDER BY account_id, id), array_agg(amount ORDER BY account_id, id)
      INTO v_holds, v_accounts, v_amounts FROM voided;
    IF v_holds IS NULL THEN RETURN 0; END IF;
    FOR i IN 1 .. cardinality(v_holds) LOOP
      UPDATE ledger_accounts SET reserved = reserved - v_amounts[i] WHERE id = v_accounts[i];
      SELECT * INTO STRICT v_hold FROM holds WHERE id = v_holds[i];
      PERFORM parley_unhold(v_hold.grant_ids, v_hold.grant_amounts, 0);
    END LOOP;
    RETURN cardinality(v_holds);
  END
  $fn$;
`;

export const dropJobs = `
  DROP FUNCTION parley_sweep_holds(timestamptz, integer);
  DROP FUNCTION parley_expire_grants(timestamptz, integer);
  DROP FUNCTION parley_expire_account(uuid, timestamptz);
`;
