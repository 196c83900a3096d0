/**
 * Constraints CHECKs cannot express, as triggers. Row-level guards use WHEN clauses so the common
 * update (a grant's remaining going down, a hold leaving `pending`) never calls a function.
 *
 * Deleting ledger history is refused. Removing a tenant's whole ledger on purpose (a legal erasure)
 * is done in a transaction that first runs `SET LOCAL parley.ledger_purge = 'on'`.
 */
export const createIntegrity = `
  CREATE FUNCTION parley_ledger_refuse() RETURNS trigger LANGUAGE plpgsql AS $fn$
  BEGIN
    IF TG_OP IN ('DELETE', 'TRUNCATE') AND current_setting('parley.ledger_purge', true) = 'on' THEN
      RETURN OLD;
    END IF;
    RAISE EXCEPTION 'ledger: % on % is not allowed (%)', TG_OP, TG_TABLE_NAME, TG_ARGV[0]
      USING ERRCODE = 'LG001';
  END
  $fn$;

  CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION parley_ledger_refuse('entries are append-only');
  CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION parley_ledger_refuse('entries are append-only');
  CREATE TRIGGER ledger_transactions_append_only BEFORE UPDATE OR DELETE ON ledger_transactions
    FOR EACH ROW EXECUTE FUNCTION parley_ledger_refuse('transactions are append-only');
  CREATE TRIGGER ledger_transactions_no_truncate BEFORE TRUNCATE ON ledger_transactions
    FOR EACH STATEMENT EXECUTE FUNCTION parley_ledger_refuse('transactions are append-only');

  -- A grant keeps its amount and expiry and only ever loses what it has left (so remaining <=
  -- amount holds from creation on); a hold moves once, from pending to posted or voided, with a
  -- fixed amount. (Deliberately small conditions: PostgreSQL rebuilds them on every statement
  -- that updates these rows, the hot path included.)
  CREATE TRIGGER grants_immutable_terms BEFORE UPDATE ON grants FOR EACH ROW
    WHEN (NEW.remaining > OLD.remaining OR NEW.amount <> OLD.amount OR NEW.expires_at IS DISTINCT FROM OLD.expires_at)
    EXECUTE FUNCTION parley_ledger_refuse('a grant only ever loses what it has left');
  CREATE TRIGGER grants_no_delete BEFORE DELETE ON grants
    FOR EACH ROW EXECUTE FUNCTION parley_ledger_refuse('grants are kept');
  CREATE TRIGGER holds_one_way BEFORE UPDATE ON holds FOR EACH ROW
    WHEN (OLD.status <> 'pending' OR NEW.amount <> OLD.amount)
    EXECUTE FUNCTION parley_ledger_refuse('a hold settles or voids once');
  CREATE TRIGGER holds_no_delete BEFORE DELETE ON holds
    FOR EACH ROW EXECUTE FUNCTION parley_ledger_refuse('holds are kept');

  -- Shapes checked once, when a row is created (updates are checked by the CHECKs above): a
  -- visitor account starts empty, a system account has no stored balance; a grant starts full;
  -- a hold is pending, positive, and allocated from at least one grant, as much as it holds.
  CREATE FUNCTION parley_new_account_shape() RETURNS trigger LANGUAGE plpgsql AS $fn$
  BEGIN
    IF (CASE WHEN NEW.kind = 'visitor'
          THEN NEW.visitor_id IS NOT NULL AND NEW.balance = 0 AND NEW.reserved = 0
          ELSE NEW.visitor_id IS NULL AND NEW.balance IS NULL AND NEW.reserved IS NULL END) IS NOT TRUE THEN
      RAISE EXCEPTION 'ledger: impossible new % account', NEW.kind USING ERRCODE = 'LG004';
    END IF;
    RETURN NEW;
  END
  $fn$;
  CREATE FUNCTION parley_new_grant_shape() RETURNS trigger LANGUAGE plpgsql AS $fn$
  BEGIN
    IF (NEW.amount > 0 AND NEW.remaining = NEW.amount AND NEW.held = 0) IS NOT TRUE THEN
      RAISE EXCEPTION 'ledger: a new grant must be positive and whole' USING ERRCODE = 'LG004';
    END IF;
    RETURN NEW;
  END
  $fn$;
  CREATE FUNCTION parley_new_hold_shape() RETURNS trigger LANGUAGE plpgsql AS $fn$
  DECLARE
    v_allocated numeric := 0;
    v_n bigint;
  BEGIN
    FOREACH v_n IN ARRAY NEW.grant_amounts LOOP
      v_allocated := v_allocated + v_n;
    END LOOP;
    IF (NEW.status = 'pending' AND NEW.amount > 0 AND NEW.settled_amount IS NULL AND NEW.finished_at IS NULL
        AND cardinality(NEW.grant_ids) > 0 AND cardinality(NEW.grant_ids) = cardinality(NEW.grant_amounts)
        AND v_allocated = NEW.amount) IS NOT TRUE THEN
      RAISE EXCEPTION 'ledger: a new hold must be pending, positive and allocated in full' USING ERRCODE = 'LG004';
    END IF;
    RETURN NEW;
  END
  $fn$;
  CREATE TRIGGER ledger_accounts_new_shape BEFORE INSERT ON ledger_accounts FOR EACH ROW EXECUTE FUNCTION parley_new_account_shape();
  CREATE TRIGGER grants_new_shape BEFORE INSERT ON grants FOR EACH ROW EXECUTE FUNCTION parley_new_grant_shape();
  CREATE TRIGGER holds_new_shape BEFORE INSERT ON holds FOR EACH ROW EXECUTE FUNCTION parley_new_hold_shape();

  -- Double entry: the entries of one transaction sum to zero, checked at commit.
  CREATE FUNCTION parley_check_transaction_balanced() RETURNS trigger LANGUAGE plpgsql AS $fn$
  DECLARE
    v_sum numeric;
  BEGIN
    SELECT sum(amount) INTO v_sum FROM ledger_entries WHERE transaction_id = NEW.transaction_id;
    IF v_sum <> 0 THEN
      RAISE EXCEPTION 'ledger: transaction % does not balance (its entries sum to %)', NEW.transaction_id, v_sum
        USING ERRCODE = 'LG002';
    END IF;
    RETURN NULL;
  END
  $fn$;
  CREATE CONSTRAINT TRIGGER ledger_entries_balanced AFTER INSERT ON ledger_entries
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION parley_check_transaction_balanced();

  -- Every visitor has exactly one account, whoever inserts the visitor; the tenant's system
  -- accounts are opened with its first visitor.
  CREATE FUNCTION parley_open_visitor_account() RETURNS trigger LANGUAGE plpgsql AS $fn$
  BEGIN
    IF NOT EXISTS (SELECT 1 FROM ledger_accounts WHERE tenant_id = NEW.tenant_id AND kind = 'uncollected') THEN
      INSERT INTO ledger_accounts (tenant_id, kind)
      SELECT NEW.tenant_id, k FROM unnest(ARRAY['sales', 'promotions', 'usage', 'expired', 'adjustments', 'uncollected']::ledger_account_kind[]) AS k
      ON CONFLICT (tenant_id, kind) WHERE kind <> 'visitor' DO NOTHING;
    END IF;
    INSERT INTO ledger_accounts (tenant_id, kind, visitor_id, balance, reserved, created_at)
    VALUES (NEW.tenant_id, 'visitor', NEW.id, 0, 0, NEW.created_at);
    RETURN NULL;
  END
  $fn$;
  CREATE TRIGGER visitors_open_account AFTER INSERT ON visitors
    FOR EACH ROW EXECUTE FUNCTION parley_open_visitor_account();
`;

export const dropIntegrity = `
  DROP TRIGGER visitors_open_account ON visitors;
  DROP FUNCTION parley_open_visitor_account();
  DROP TRIGGER ledger_entries_balanced ON ledger_entries;
  DROP FUNCTION parley_check_transaction_balanced();
  DROP TRIGGER holds_new_shape ON holds;
  DROP TRIGGER grants_new_shape ON grants;
  DROP TRIGGER ledger_accounts_new_shape ON ledger_accounts;
  DROP FUNCTION parley_new_hold_shape();
  DROP FUNCTION parley_new_grant_shape();
  DROP FUNCTION parley_new_account_shape();
  DROP TRIGGER holds_no_delete ON holds;
  DROP TRIGGER holds_one_way ON holds;
  DROP TRIGGER grants_no_delete ON grants;
  DROP TRIGGER grants_immutable_terms ON grants;
  DROP TRIGGER ledger_transactions_no_truncate ON ledger_transactions;
  DROP TRIGGER ledger_transactions_append_only ON ledger_transactions;
  DROP TRIGGER ledger_entries_no_truncate ON ledger_entries;
  DROP TRIGGER ledger_entries_append_only ON ledger_entries;
  DROP FUNCTION parley_ledger_refuse();
`;
