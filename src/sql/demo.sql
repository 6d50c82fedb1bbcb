
/* src/sql/demo.sql — deterministic demo data (SPEC §4, demo data) */

/*
 * The generators (src/demo.c).  Each is a pure function of its arguments:
 * lead number idx of a (seed, start_at, days) demo is the same whatever else
 * is generated.  demo_leads and demo_events are IMMUTABLE; demo_lifecycle
 * reads the default scoring model, so it is STABLE.  None is STRICT: a NULL
 * argument is an error (22004), not an empty result.
 */
CREATE FUNCTION @extschema@.demo_check_args(leads integer, seed integer,
                                            start_at timestamptz, days integer)
    RETURNS timestamptz
    AS 'MODULE_PATHNAME', 'lq_demo_check_args'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.demo_check_args(integer, integer, timestamptz, integer) IS
    'internal: checks the arguments of generate_demo and returns the end of the demo period, start_at + days * 24 hours';

CREATE FUNCTION @extschema@.demo_leads(leads integer, seed integer,
                                       start_at timestamptz, days integer)
    RETURNS TABLE (idx integer, external_id text, created_at timestamptz, email text,
                   company text, job_title text, industry text, country text,
                   company_size integer, attributes jsonb, source_channel text,
                   source_campaign text, owner text)
    AS 'MODULE_PATHNAME', 'lq_demo_leads'
    LANGUAGE C IMMUTABLE PARALLEL SAFE ROWS 10000;
COMMENT ON FUNCTION @extschema@.demo_leads(integer, integer, timestamptz, integer) IS
    'internal: the demo leads 1 .. leads of generate_demo, in order (phase 1)';

CREATE FUNCTION @extschema@.demo_events(idx integer, seed integer,
                                        start_at timestamptz, days integer)
    RETURNS TABLE (event_type text, occurred_at timestamptz, channel text,
                   campaign text, properties jsonb)
    AS 'MODULE_PATHNAME', 'lq_demo_events'
    LANGUAGE C IMMUTABLE PARALLEL SAFE ROWS 25;
COMMENT ON FUNCTION @extschema@.demo_events(integer, integer, timestamptz, integer) IS
    'internal: the events of demo lead number idx of generate_demo, in time order (phase 2)';

CREATE FUNCTION @extschema@.demo_lifecycle(idx integer, seed integer,
                                           start_at timestamptz, days integer,
                                           fit float8, mql_at timestamptz,
                                           reasons text[], recyclable boolean[])
    RETURNS TABLE (step integer, from_stage text, to_stage text, changed_at timestamptz,
                   actor text, reason text, score float8, recycle_count integer,
                   amount numeric, closed_at timestamptz, status text)
    AS 'MODULE_PATHNAME', 'lq_demo_lifecycle'
    LANGUAGE C STABLE PARALLEL SAFE ROWS 3;
COMMENT ON FUNCTION @extschema@.demo_lifecycle(integer, integer, timestamptz, integer, float8, timestamptz, text[], boolean[]) IS
    'internal: the stage moves of demo lead number idx of generate_demo (phase 3), given its fit score and its MQL moment by the rules (mql_crossing); a move into opportunity carries the opportunity''s amount, closing time and status';

/*
 * demo_group: phases 1 to 3 of generate_demo for the demo leads of
 * lead_rel, which is leadqual.lead, or on Citus one of its shards on the
 * node that holds it (with the shards that go with it): the same three
 * statements over the colocated relations, run where the rows are, so no
 * query on a shard starts a distributed one.  On one node lead_ids and
 * idxs are NULL: every lead 1 .. leads, their lead_ids the identity's.  On
 * a shard, lead number idxs[i] is lead lead_ids[i] (generate_demo took the
 * ids and claimed the external_ids on the coordinator), and the new rows
 * take their ids from next_event_id(), next_history_id() and
 * next_opportunity_id() (a range per node, citus/node_sequence.c).  Live
 * scoring is off while it runs: the SET below holds on the node it runs
 * on, where the shards' triggers fire (Citus does not carry the caller's
 * settings to the workers); phase 4 scores.  Returns the leads created.
 *   1. leads    demo_leads → lead, in number order;
 *   2. events   demo_events per lead, in lead and time order;
 *   3. lifecycle  each lead's MQL moment by the rules (mql_crossing over its
 *               events, with its fit_score), then demo_lifecycle per lead →
 *               stage_history, opportunity and the lead's stage columns.
 */
CREATE FUNCTION @extschema@.demo_group(lead_rel pg_catalog.regclass, lead_ids bigint[], idxs integer[],
                                       leads integer, seed integer,
                                       start_at timestamptz, days integer,
                                       reason_codes text[], reason_recyclable boolean[])
    RETURNS bigint
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    SET leadqual.auto_scoring = off
    SET work_mem = '64MB'
AS $$
DECLARE
    on_shard boolean := lead_ids IS NOT NULL;
    created bigint;
BEGIN
    IF lead_rel IS NULL THEN
        RAISE EXCEPTION 'lead_rel must not be null'
            USING ERRCODE = 'null_value_not_allowed', HINT = 'Call generate_demo().';
    END IF;
    PERFORM @extschema@.rescore_lead_table(lead_rel);   -- lead or a shard of it here, else 22023
    IF on_shard AND lead_rel OPERATOR(pg_catalog.=) '@extschema@.lead'::pg_catalog.regclass
       OR NOT on_shard AND @extschema@.is_distributed(lead_rel) THEN
        RAISE EXCEPTION 'demo_group must run on the node of a shard of leadqual.lead with lead_ids, or on one node without'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Call generate_demo().';
    END IF;

    /* phase 1: leads, in number order */
    EXECUTE pg_catalog.format($q$
        INSERT INTO %1$s (%2$s external_id, created_at, email, company, job_title, industry,
                          country, company_size, attributes, source_channel,
                          source_campaign, owner, stage, stage_entered_at)
        SELECT %3$s d.external_id, d.created_at, d.email, d.company, d.job_title, d.industry,
               d.country, d.company_size, d.attributes, d.source_channel,
               d.source_campaign, d.owner, 'inquiry', d.created_at
          FROM @extschema@.demo_leads($1, $2, $3, $4) d %4$s
         ORDER BY d.idx
        $q$,
        lead_rel,
        CASE WHEN on_shard THEN 'lead_id,' ELSE '' END,
        CASE WHEN on_shard THEN 'u.lead_id,' ELSE '' END,
        CASE WHEN on_shard THEN 'JOIN ROWS FROM (pg_catalog.unnest($5), pg_catalog.unnest($6)) AS u(lead_id, idx) ON u.idx = d.idx'
             ELSE '' END)
      USING leads, seed, start_at, days, lead_ids, idxs;
    GET DIAGNOSTICS created = ROW_COUNT;

    /* phase 2: events, lead by lead in time order */
    EXECUTE pg_catalog.format($q$
        INSERT INTO %1$s (%2$s lead_id, event_type, occurred_at, channel, campaign, properties)
        SELECT %3$s l.lead_id, e.event_type, e.occurred_at, e.channel, e.campaign, e.properties
          FROM (SELECT l.lead_id, substr(l.external_id, 6)::integer AS idx
                  FROM %4$s l
                 WHERE l.external_id LIKE 'demo-%%'
                 ORDER BY l.lead_id) l
         CROSS JOIN LATERAL @extschema@.demo_events(l.idx, $1, $2, $3) e
        $q$,
        @extschema@.colocated_table(lead_rel, '@extschema@.event'),
        CASE WHEN on_shard THEN 'event_id,' ELSE '' END,
        CASE WHEN on_shard THEN '@extschema@.next_event_id(),' ELSE '' END,
        lead_rel)
      USING seed, start_at, days;

    /*
     * phase 3: lifecycle.  The MQL moment is the scoring rules' own
     * (mql_crossing over the lead's events, with its fit); demo_lifecycle
     * plays sales and marketing from there.  The last move of a lead is its
     * current stage; it has an SLA only if it is an MQL nobody acted on.
     */
    EXECUTE pg_catalog.format($q$
        WITH moves AS MATERIALIZED (
            SELECT l.lead_id, m.*
              FROM (SELECT l.lead_id, substr(l.external_id, 6)::integer AS idx,
                           @extschema@.fit_score(l) AS fit
                      FROM %1$s l
                     WHERE l.external_id LIKE 'demo-%%'
                     ORDER BY l.lead_id) l
             CROSS JOIN LATERAL (SELECT @extschema@.mql_crossing('default', l.fit, e.event_type,
                                                                 e.properties, e.occurred_at) AS mql_at
                                   FROM %2$s e
                                  WHERE e.lead_id = l.lead_id) c
             CROSS JOIN LATERAL @extschema@.demo_lifecycle(l.idx, $1, $2, $3, l.fit, c.mql_at,
                                                           $4, $5) m
        ), history AS (
            INSERT INTO %3$s (%6$s lead_id, from_stage, to_stage, changed_at, actor, reason, score)
            SELECT %7$s m.lead_id, m.from_stage::@extschema@.stage, m.to_stage::@extschema@.stage,
                   m.changed_at, m.actor, m.reason, m.score
              FROM moves m
             ORDER BY m.lead_id, m.step
        ), opportunities AS (
            INSERT INTO %4$s (%8$s lead_id, created_at, closed_at, status, amount)
            SELECT %9$s m.lead_id, m.changed_at, m.closed_at, m.status, m.amount
              FROM moves m
             WHERE m.to_stage = 'opportunity'
             ORDER BY m.lead_id, m.step
        ), last AS (
            SELECT DISTINCT ON (m.lead_id) m.lead_id, m.to_stage, m.changed_at, m.recycle_count
              FROM moves m
             ORDER BY m.lead_id, m.step DESC
        )
        UPDATE %1$s l
           SET stage = last.to_stage::@extschema@.stage,
               stage_entered_at = last.changed_at,
               recycle_count = last.recycle_count,
               sla_due_at = CASE WHEN last.to_stage = 'mql'
                                 THEN last.changed_at + (SELECT s.sla FROM %5$s s
                                                          WHERE s.name = 'default') END
          FROM last
         WHERE l.lead_id = last.lead_id
        $q$,
        lead_rel,
        @extschema@.colocated_table(lead_rel, '@extschema@.event'),
        @extschema@.colocated_table(lead_rel, '@extschema@.stage_history'),
        @extschema@.colocated_table(lead_rel, '@extschema@.opportunity'),
        @extschema@.colocated_table(lead_rel, '@extschema@.scoring_model'),
        CASE WHEN on_shard THEN 'history_id,' ELSE '' END,
        CASE WHEN on_shard THEN '@extschema@.next_history_id(),' ELSE '' END,
        CASE WHEN on_shard THEN 'opportunity_id,' ELSE '' END,
        CASE WHEN on_shard THEN '@extschema@.next_opportunity_id(),' ELSE '' END)
      USING seed, start_at, days, reason_codes, reason_recyclable;
    RETURN created;
END
$$;
COMMENT ON FUNCTION @extschema@.demo_group(pg_catalog.regclass, bigint[], integer[], integer, integer, timestamptz, integer, text[], boolean[]) IS
    'internal: phases 1 to 3 of generate_demo (leads; events; stage history, opportunities and stages) for the demo leads of lead_rel (leadqual.lead, or on Citus one of its shards on this node, then with the lead_ids of lead numbers idxs); returns the leads created';

/*
 * generate_demo: fill leadqual's tables with a realistic, deterministic CRM
 * history, in four set-based phases:
 *   1.–3. leads (external_id demo-000001, …), their events, and their
 *               lifecycle: demo_group, once on one node; on Citus once per
 *               shard group, each on the node that holds it, through a
 *               query Citus routes there by one of the group's lead_ids
 *               (taken and claimed here first, in lead number order);
 *   4. scores   rescore(start_at + days).
 * Live scoring is off meanwhile (phase 4 catches up).  Returns the number
 * of leads created.
 */
CREATE FUNCTION @extschema@.generate_demo(leads integer DEFAULT 10000, seed integer DEFAULT 1,
                                          start_at timestamptz DEFAULT '2025-01-01 00:00+00',
                                          days integer DEFAULT 365)
    RETURNS bigint
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    SET leadqual.auto_scoring = off
    SET work_mem = '64MB'
AS $$
DECLARE
    end_at timestamptz := @extschema@.demo_check_args(leads, seed, start_at, days);
    reason_codes text[];
    reason_recyclable boolean[];
    missing text;
    n bigint;
    created bigint;
    ids bigint[];               -- on Citus: the lead_ids of leads 1 .. leads
    grp record;                 -- … of one shard group
BEGIN
    IF @extschema@.is_distributed('@extschema@.lead') THEN
        /*
         * one connection per node for the whole demo: the claims write
         * lead_key, a reference table that lead has a foreign key to, and
         * Citus refuses that after a parallel multi-shard query in the
         * transaction (the check for demo leads below is one); the setting
         * ends with this function (its SET clauses scope it)
         */
        PERFORM pg_catalog.set_config('citus.multi_shard_modify_mode', 'sequential', true);
    END IF;
    /* the demo scores with the default model and makes the default moves */
    PERFORM @extschema@.grade('default', 0, 0);
    SELECT string_agg(format('%s -> %s by %s', m.from_stage, m.to_stage, m.actor), ', '
                      ORDER BY m.from_stage::@extschema@.stage, m.to_stage::@extschema@.stage)
      INTO missing
      FROM (VALUES ('inquiry', 'mql', 'system', true), ('inquiry', 'sal', 'sales', false),
                   ('inquiry', 'disqualified', 'marketing', true),
                   ('mql', 'sal', 'sales', false), ('mql', 'nurture', 'sales', true),
                   ('mql', 'nurture', 'marketing', true),
                   ('mql', 'disqualified', 'sales', true),
                   ('sal', 'sql', 'sales', false), ('sal', 'nurture', 'sales', true),
                   ('sal', 'disqualified', 'sales', true),
                   ('sql', 'opportunity', 'sales', false), ('sql', 'nurture', 'sales', true),
                   ('sql', 'disqualified', 'sales', true),
                   ('opportunity', 'won', 'sales', false), ('opportunity', 'lost', 'sales', true),
                   ('lost', 'nurture', 'marketing', false), ('nurture', 'mql', 'system', true))
           AS m(from_stage, to_stage, actor, with_reason)
     WHERE NOT EXISTS (SELECT FROM @extschema@.transition t
                        WHERE t.from_stage = m.from_stage::@extschema@.stage
                          AND t.to_stage = m.to_stage::@extschema@.stage
                          AND m.actor = ANY (t.actors)
                          AND (m.with_reason OR NOT t.reason_required));
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'leadqual.transition does not allow every move the demo makes'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = format('Not allowed: %s.', missing),
                  HINT = 'Restore the default rows of leadqual.transition, or generate the demo in a fresh database.';
    END IF;
    SELECT array_agg(r.code ORDER BY r.code), array_agg(r.recyclable ORDER BY r.code)
      INTO reason_codes, reason_recyclable
      FROM @extschema@.rejection_reason r;
    IF reason_codes IS NULL THEN
        RAISE EXCEPTION 'leadqual.rejection_reason is empty'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'The demo rejects leads with these reasons: insert some, e.g. the default ones (see README).';
    END IF;
    SELECT count(*) INTO n FROM @extschema@.lead l WHERE l.external_id LIKE 'demo-%';
    IF n > 0 THEN
        RAISE EXCEPTION 'demo leads already exist'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = format('%s leads have an external_id starting with "demo-".', n),
                  HINT = 'Delete them first: DELETE FROM leadqual.lead WHERE external_id LIKE ''demo-%'';';
    END IF;
    IF leads = 0 THEN
        RETURN 0;
    END IF;

    /* phases 1 to 3: leads, events and lifecycle, where the leads' rows are */
    IF NOT @extschema@.is_distributed('@extschema@.lead') THEN
        created := @extschema@.demo_group('@extschema@.lead', NULL, NULL, leads, seed, start_at, days,
                                          reason_codes, reason_recyclable);
    ELSE
        /* the lead_ids of leads 1 .. leads, in that order, and their claims */
        SELECT pg_catalog.array_agg(v.id ORDER BY v.idx) INTO ids
          FROM (SELECT g.idx, pg_catalog.nextval(pg_catalog.pg_get_serial_sequence('@extschema@.lead', 'lead_id')) AS id
                  FROM pg_catalog.generate_series(1, leads) AS g(idx)) v;
        PERFORM @extschema@.claim_external_ids(
                    ARRAY(SELECT d.external_id FROM @extschema@.demo_leads(leads, seed, start_at, days) d
                           ORDER BY d.idx),
                    ids);
        created := 0;
        FOR grp IN SELECT pg_catalog.min(u.id) AS rep,
                          pg_catalog.array_agg(u.id ORDER BY u.idx) AS ids,
                          pg_catalog.array_agg(u.idx::integer ORDER BY u.idx) AS idxs
                     FROM pg_catalog.unnest(ids) WITH ORDINALITY AS u(id, idx)
                    GROUP BY pg_catalog.get_shard_id_for_distribution_column('@extschema@.lead', u.id)
                    ORDER BY 1 LOOP
            -- routed by grp.rep to the node of its shard (the lead is not there
            -- yet: the count(*) subquery gives the one row to call it in)
            SELECT created OPERATOR(pg_catalog.+)
                   @extschema@.demo_group(@extschema@.lead_table('@extschema@.lead', ARRAY[grp.rep]),
                                          grp.ids, grp.idxs, leads, generate_demo.seed,
                                          generate_demo.start_at, generate_demo.days,
                                          reason_codes, reason_recyclable)
              INTO created
              FROM (SELECT pg_catalog.count(*) FROM @extschema@.lead l
                     WHERE l.lead_id OPERATOR(pg_catalog.=) grp.rep) c;
        END LOOP;
    END IF;

    /* phase 4: scores as of the end of the period */
    PERFORM @extschema@.rescore(end_at);
    RETURN created;
END
$$;
COMMENT ON FUNCTION @extschema@.generate_demo(integer, integer, timestamptz, integer) IS
    'fills leadqual''s tables with a deterministic demo CRM history (leads demo-000001 …, their events, stage history and opportunities over days days from start_at, scored as of the end); same arguments, same data; returns the number of leads created';
