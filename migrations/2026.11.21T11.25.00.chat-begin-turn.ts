import type { MigrationFn } from 'umzug';
import type { QueryInterface } from 'sequelize';
import { runSql } from './_sql';

/**
 * The start of a chat turn as one SQL function: one round trip, one transaction. Under a
 * per-visitor advisory lock (held to the end of the transaction, so it serialises a visitor's sends
 * across every server process): a client message id already stored answers `duplicate` with the
 * original ids; a visitor at the limit of concurrent replies gets `too_many_turns`; otherwise the
 * conversation is created (or checked to be the visitor's), the visitor's message and an empty
 * `streaming` reply are inserted, and the ledger's own `parley_reserve` places the hold (key
 * `turn:<reply id>`). Without credits for a minimal reply the reply is stored `failed`
 * (`insufficient_credits`) in the same transaction, so a reply never exists without its hold.
 * Each statement of a plpgsql function sees rows committed before it started, so a duplicate that
 * waited on the lock finds the row the first call committed; the UNIQUE (visitor_id,
 * client_message_id) constraint stays the last word.
 */
export const up: MigrationFn<QueryInterface> = async ({ context }) => {
  await runSql(context, `
    CREATE FUNCTION parley_chat_begin_turn(
      p_tenant uuid, p_visitor uuid, p_client_id text, p_conversation uuid, p_persona uuid, p_title text, p_text text,
      p_model uuid, p_provider text, p_provider_model text, p_price jsonb, p_max_active integer, p_now timestamptz,
      p_min bigint, p_max bigint, p_hold_expires_at timestamptz,
      OUT o_outcome text, OUT o_conversation_id uuid, OUT o_user_id uuid, OUT o_assistant_id uuid,
      OUT o_hold_id uuid, OUT o_hold_amount bigint, OUT o_available bigint)
    LANGUAGE plpgsql AS $fn$
    DECLARE
      v_active integer;
      v_hold record;
    BEGIN
      -- A hold is a reservation, not a movement of money: if PostgreSQL itself crashes before this
      -- commit reaches the disk, the turn cannot settle and the visitor pays nothing. Not waiting
      -- for the disk here keeps an fsync out of every reply's time to first token.
      PERFORM set_config('synchronous_commit', 'off', true);
      PERFORM pg_advisory_xact_lock(hashtextextended('chat-turn:' || p_visitor::text, 7));

      SELECT u.conversation_id, u.id, a.id INTO o_conversation_id, o_user_id, o_assistant_id
        FROM chat_messages u JOIN chat_messages a ON a.reply_to = u.id
       WHERE u.visitor_id = p_visitor AND u.client_message_id = p_client_id;
      IF o_user_id IS NOT NULL THEN o_outcome := 'duplicate'; RETURN; END IF;

      SELECT count(*) INTO v_active FROM chat_messages
       WHERE visitor_id = p_visitor AND status = 'streaming' AND role = 'assistant';
      IF v_active >= p_max_active THEN o_outcome := 'too_many_turns'; RETURN; END IF;

      IF p_conversation IS NULL THEN
        INSERT INTO chat_conversations (tenant_id, visitor_id, persona_id, title, created_at, updated_at)
        VALUES (p_tenant, p_visitor, p_persona, p_title, p_now, p_now)
        RETURNING id INTO o_conversation_id;
      ELSE
        UPDATE chat_conversations SET updated_at = p_now
         WHERE id = p_conversation AND tenant_id = p_tenant AND visitor_id = p_visitor
        RETURNING id INTO o_conversation_id;
        IF o_conversation_id IS NULL THEN o_outcome := 'not_found'; RETURN; END IF;
      END IF;

      INSERT INTO chat_messages (tenant_id, conversation_id, visitor_id, role, client_message_id, text, status, created_at, updated_at)
      VALUES (p_tenant, o_conversation_id, p_visitor, 'user', p_client_id, p_text, 'done', p_now, p_now)
      ON CONFLICT (visitor_id, client_message_id) DO NOTHING
      RETURNING id INTO o_user_id;
      IF o_user_id IS NULL THEN
        -- Unreachable under the lock; raising rolls back the conversation made above.
        RAISE EXCEPTION 'chat: client message id % of visitor % taken concurrently', p_client_id, p_visitor USING ERRCODE = '40001';
      END IF;

      INSERT INTO chat_messages (tenant_id, conversation_id, visitor_id, role, reply_to, status, persona_id, model_id,
                                 provider, provider_model, price, created_at, updated_at)
      VALUES (p_tenant, o_conversation_id, p_visitor, 'assistant', o_user_id, 'streaming', p_persona, p_model,
              p_provider, p_provider_model, p_price, p_now, p_now)
      RETURNING id INTO o_assistant_id;

      -- A free model (nothing to charge) needs no hold.
      IF p_max = 0 THEN o_outcome := 'ok'; RETURN; END IF;
      SELECT * INTO v_hold FROM parley_reserve(p_tenant, p_visitor, p_min, p_max, p_hold_expires_at,
                                               'turn:' || o_assistant_id::text, p_price, p_now);
      IF v_hold.o_outcome = 'ok' THEN
        o_hold_id := v_hold.o_hold_id;
        o_hold_amount := v_hold.o_amount;
        o_outcome := 'ok';
      ELSIF v_hold.o_outcome = 'insufficient' THEN
        UPDATE chat_messages SET status = 'failed', error_code = 'insufficient_credits', charged = 0, finished_at = p_now
         WHERE id = o_assistant_id;
        o_available := v_hold.o_available;
        o_outcome := 'insufficient';
      ELSE
        -- not_found (no ledger account) or key_conflict: impossible for a fresh reply id; roll back.
        RAISE EXCEPTION 'chat: reserve answered % for reply %', v_hold.o_outcome, o_assistant_id;
      END IF;
    END
    $fn$;
  `);
};

export const down: MigrationFn<QueryInterface> = async ({ context }) => {
  await runSql(context, `
    DROP FUNCTION parley_chat_begin_turn(uuid, uuid, text, uuid, uuid, text, text, uuid, text, text, jsonb, integer, timestamptz, bigint, bigint, timestamptz);
  `);
};
