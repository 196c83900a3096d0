/**
 * Set-based SQL for the activity: visitors, conversations, turns, purchases. Each statement
 * builds a temp table from generate_series and random() (seeded, so a run is repeatable), and
 * the final statements copy them into the real tables in bulk.
 *
 * The money follows the product's rules: every visitor gets 2 welcome credits; a turn is charged
 * only while its running cost fits what the visitor was granted by then; the turn that first
 * does not fit is refused with insufficient_credits, and about a third of those visitors buy a
 * pack a few minutes later (almost half of them buy again a few turns on). So balances never go below
 * zero and the funnel and conversion figures come out of the data, not a formula.
 *
 * Parameters: $1 tenant, $2 now, $3 days, $4 visitors, $5 turns (half the messages).
 */
export const welcomeMillicredits = 2000;

export const activitySteps: Array<{ name: string; sql: string }> = [
  {
    name: 'visitors',
    sql: `
      CREATE TEMP TABLE sv AS
      SELECT i, gen_random_uuid() AS id,
             $2::timestamptz - make_interval(days => $3) + (make_interval(days => $3) - interval '3 hours') * ((i - 1 + random()) / $4) AS created_at,
             random() AS chat_r, random() AS buy_r, random() AS repeat_r, random() AS pack_r
        FROM generate_series(1, $4::int) i;
      CREATE UNIQUE INDEX ON sv (id);
      ANALYZE sv;
      INSERT INTO visitors (id, tenant_id, external_user_id, email, name, created_at, last_seen_at)
      SELECT id, $1, CASE WHEN i % 4 = 0 THEN 'user-' || i END, CASE WHEN i % 4 = 0 THEN 'user' || i || '@example.com' END,
             CASE WHEN i % 4 = 0 THEN 'User ' || i END, created_at, created_at
        FROM sv ORDER BY created_at;`,
  },
  {
    name: 'conversations and turns',
    sql: `
      CREATE TEMP TABLE sc AS
      SELECT * FROM (
        SELECT gen_random_uuid() AS id, v.id AS visitor_id,
               v.created_at + interval '1 minute' + (j - 1) * interval '3 days' * random() AS created_at,
               floor(random() * 100)::int AS pick, 1 + floor(random() * 7)::int AS turns
          FROM sv v, generate_series(1, 1 + floor(random() * 3)::int) j
         WHERE v.chat_r < 0.72) c
       -- Conversations that would start in the future are not had (rather than piled up at the end).
       WHERE c.created_at < $2::timestamptz - interval '1 hour';
      CREATE TEMP TABLE st AS
      SELECT c.id AS conversation_id, c.visitor_id, p.persona_id, p.model_id, t AS n,
             c.created_at + (t - 1) * interval '45 seconds' + random() * interval '20 seconds' AS at,
             (60 + floor(random() * 300) + t * 90)::int AS input_tokens, (40 + floor(random() * 350))::int AS output_tokens,
             p.fee, p.in_rate, p.out_rate
        FROM sc c JOIN seed_personas p ON c.pick < p.up_to AND c.pick >= p.from_pick, generate_series(1, c.turns) t
       ORDER BY random() LIMIT $5;
      CREATE TEMP TABLE sw AS
      SELECT st.*, gen_random_uuid() AS user_id, gen_random_uuid() AS reply_id,
             fee + ceil(input_tokens * in_rate / 1000.0)::bigint + ceil(output_tokens * out_rate / 1000.0)::bigint AS cost
        FROM st;
      ALTER TABLE sw ADD COLUMN cum bigint;
      UPDATE sw SET cum = x.cum FROM (
        SELECT reply_id, sum(cost) OVER (PARTITION BY visitor_id ORDER BY at, reply_id ROWS UNBOUNDED PRECEDING) AS cum FROM sw) x
       WHERE x.reply_id = sw.reply_id;
      CREATE INDEX ON sw (visitor_id, at);
      ANALYZE sw;`,
  },
  {
    name: 'purchases',
    sql: `
      CREATE TEMP TABLE sp AS
      SELECT gen_random_uuid() AS id, w.visitor_id, 1 AS nth, w.at + interval '2 minutes' + random() * interval '5 minutes' AS paid_at,
             k.pack_id, k.name, k.credits, k.amount_minor, k.currency
        FROM (SELECT DISTINCT ON (visitor_id) visitor_id, at FROM sw WHERE cum > ${welcomeMillicredits} ORDER BY visitor_id, at) w
        JOIN sv v ON v.id = w.visitor_id
        JOIN seed_packs k ON v.pack_r < k.up_to AND v.pack_r >= k.from_r
       WHERE v.buy_r < 0.35;
      ANALYZE sp;
      INSERT INTO sp
      SELECT gen_random_uuid(), x.visitor_id, 2, x.at + interval '3 minutes' + random() * interval '10 minutes',
             s.pack_id, s.name, s.credits, s.amount_minor, s.currency
        FROM (SELECT sw.visitor_id, sw.at, s.id AS first_id, row_number() OVER (PARTITION BY sw.visitor_id ORDER BY sw.at) AS k
                FROM sw JOIN sp s ON s.visitor_id = sw.visitor_id WHERE sw.at > s.paid_at) x
        JOIN sp s ON s.id = x.first_id JOIN sv v ON v.id = x.visitor_id
       -- Repeat buyers top up again a few turns after the first pack, before they run dry.
       WHERE x.k = 3 AND v.repeat_r < 0.45;
      DELETE FROM sp WHERE paid_at > $2::timestamptz - interval '1 minute';
      CREATE INDEX ON sp (visitor_id, paid_at);
      ANALYZE sp;
      ALTER TABLE sw ADD COLUMN charged bigint;
      UPDATE sw SET charged = CASE WHEN sw.cum <= ${welcomeMillicredits} + coalesce(
          (SELECT sum(sp.credits) FROM sp WHERE sp.visitor_id = sw.visitor_id AND sp.paid_at <= sw.at), 0) THEN sw.cost ELSE NULL END;`,
  },
  {
    name: 'chat tables',
    sql: `
      INSERT INTO chat_conversations (id, tenant_id, visitor_id, persona_id, title, created_at, updated_at)
      SELECT c.id, $1, c.visitor_id, min(sw.persona_id::text)::uuid, 'Seeded conversation', min(sw.at), max(sw.at)
        FROM sc c JOIN sw ON sw.conversation_id = c.id GROUP BY c.id, c.visitor_id ORDER BY min(sw.at);
      INSERT INTO chat_messages (id, tenant_id, conversation_id, visitor_id, role, client_message_id, text, status, created_at, updated_at)
      SELECT user_id, $1, conversation_id, visitor_id, 'user', 'seed-' || user_id, 'A seeded question, number ' || n, 'done', at, at
        FROM sw ORDER BY at;
      INSERT INTO chat_messages (id, tenant_id, conversation_id, visitor_id, role, reply_to, text, status, seq, persona_id, model_id,
                                 provider, provider_model, price, input_tokens, output_tokens, usage_reported, charged, error_code,
                                 created_at, updated_at, finished_at)
      SELECT sw.reply_id, $1, sw.conversation_id, sw.visitor_id, 'assistant', sw.user_id,
             CASE WHEN sw.charged IS NULL THEN '' ELSE 'A seeded answer.' END,
             CASE WHEN sw.charged IS NULL THEN 'failed' ELSE 'done' END, CASE WHEN sw.charged IS NULL THEN 0 ELSE 1 END,
             sw.persona_id, sw.model_id, p.provider, p.provider_model,
             jsonb_build_object('messageFee', sw.fee, 'inputPer1k', sw.in_rate, 'outputPer1k', sw.out_rate),
             CASE WHEN sw.charged IS NOT NULL THEN sw.input_tokens END, CASE WHEN sw.charged IS NOT NULL THEN sw.output_tokens END,
             CASE WHEN sw.charged IS NOT NULL THEN true END, coalesce(sw.charged, 0),
             CASE WHEN sw.charged IS NULL THEN 'insufficient_credits' END,
             sw.at + interval '1 second', sw.at + interval '6 seconds', sw.at + interval '6 seconds'
        FROM sw JOIN seed_personas p ON p.persona_id = sw.persona_id ORDER BY sw.at;
      UPDATE visitors v SET last_seen_at = x.last FROM (SELECT visitor_id, max(at) AS last FROM sw GROUP BY visitor_id) x
       WHERE v.id = x.visitor_id AND v.tenant_id = $1;`,
  },
];
