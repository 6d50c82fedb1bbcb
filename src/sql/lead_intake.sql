
/* src/sql/lead_intake.sql — lead.external_id unique on one node and on Citus (SPEC §2, §7) */

/*
 * external_ids_claimed: whether a lead's external_id must be claimed in
 * lead_key, i.e. whether lead has its foreign key to lead_key (distribute()
 * adds it on Citus).  The one definition of "keys are kept in lead_key".
 */
CREATE FUNCTION @extschema@.external_ids_claimed()
    RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT EXISTS (SELECT FROM pg_catalog.pg_constraint c
                    WHERE c.conrelid OPERATOR(pg_catalog.=) '@extschema@.lead'::pg_catalog.regclass
                      AND c.confrelid OPERATOR(pg_catalog.=) '@extschema@.lead_key'::pg_catalog.regclass
                      AND c.contype OPERATOR(pg_catalog.=) 'f');
END;
COMMENT ON FUNCTION @extschema@.external_ids_claimed() IS
    'internal: whether lead''s external_ids are kept unique through lead_key (on Citus, after distribute()) rather than by lead''s own UNIQUE constraint (one node)';

/*
 * claim_external_ids(external_ids, lead_ids): on Citus, claim each
 * external_id for the lead of the same position, before that lead is
 * inserted with it or given it (lead's foreign key to lead_key checks that
 * the claim is there).  A NULL external_id needs no claim and is skipped.
 *
 *   - an external_id twice in the arguments, or held by another lead that
 *     still has it, is refused with 23505, the error and constraint name
 *     one node gives for the same duplicate;
 *   - one already claimed by the same lead is left as it is;
 *   - a stale claim (its lead was deleted, or now has another external_id
 *     or none) is replaced.
 *
 * Returns the number of claims written.  On one node (no foreign key to
 * lead_key) the arguments are checked and nothing is written: lead's
 * UNIQUE constraint holds the rule there, so a load script runs unchanged
 * on both.  Runs with the caller's rights: row-level security on lead
 * applies; a claim held by a lead the caller cannot see is refused too
 * (its delete fails on lead's foreign key).
 */
CREATE FUNCTION @extschema@.claim_external_ids(external_ids text[], lead_ids bigint[])
    RETURNS bigint
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    dup text;
    held_ids text[];
    held_leads bigint[];
    live_pairs text[];
    stale_ids text[];
    stale_leads bigint[];
    n bigint;
BEGIN
    IF external_ids IS NULL OR lead_ids IS NULL THEN
        RAISE EXCEPTION 'external_ids and lead_ids must not be NULL'
            USING ERRCODE = '22004',
                  HINT = 'Pass two arrays of the same length; a NULL element of external_ids needs no claim.';
    END IF;
    IF pg_catalog.cardinality(external_ids) OPERATOR(pg_catalog.<>) pg_catalog.cardinality(lead_ids) THEN
        RAISE EXCEPTION 'external_ids and lead_ids must have the same length'
            USING ERRCODE = '22023',
                  DETAIL = pg_catalog.format('external_ids has %s elements, lead_ids %s.',
                                             pg_catalog.cardinality(external_ids), pg_catalog.cardinality(lead_ids)),
                  HINT = 'Element i of lead_ids is the lead that gets element i of external_ids.';
    END IF;
    IF EXISTS (SELECT FROM ROWS FROM (pg_catalog.unnest(external_ids), pg_catalog.unnest(lead_ids)) AS c(e, l)
                WHERE c.e IS NOT NULL AND c.l IS NULL) THEN
        RAISE EXCEPTION 'a claimed external_id needs a lead_id'
            USING ERRCODE = '22004',
                  HINT = 'Pass the lead_id of every lead that gets an external_id (take new ones from the lead_id sequence first).';
    END IF;
    SELECT c.e INTO dup
      FROM pg_catalog.unnest(external_ids) AS c(e)
     WHERE c.e IS NOT NULL
     GROUP BY c.e HAVING pg_catalog.count(*) OPERATOR(pg_catalog.>) 1
     LIMIT 1;
    IF dup IS NOT NULL THEN
        RAISE EXCEPTION 'duplicate key value violates unique constraint "lead_external_id_key"'
            USING ERRCODE = '23505', CONSTRAINT = 'lead_external_id_key', TABLE = 'lead', SCHEMA = '@extschema@',
                  DETAIL = pg_catalog.format('Key (external_id)=(%s) is given to more than one lead.', dup);
    END IF;
    IF NOT @extschema@.external_ids_claimed() THEN
        RETURN 0;
    END IF;

    -- the claims already there, and which of them a lead still holds
    SELECT pg_catalog.array_agg(k.external_id), pg_catalog.array_agg(k.lead_id)
      INTO held_ids, held_leads
      FROM @extschema@.lead_key k
     WHERE k.external_id OPERATOR(pg_catalog.=) ANY (SELECT pg_catalog.unnest(external_ids));
    IF held_ids IS NOT NULL THEN
        SELECT pg_catalog.array_agg(pg_catalog.format('%s %s', l.lead_id, l.external_id)) INTO live_pairs
          FROM @extschema@.lead l
         -- (an array, not a subquery: Citus prunes lead's shards to those of
         -- held_leads, and a query over every shard in parallel here would
         -- keep this transaction from writing lead_key)
         WHERE l.lead_id OPERATOR(pg_catalog.=) ANY (held_leads)
           AND l.external_id OPERATOR(pg_catalog.=) ANY (held_ids);
        -- the claims of other leads: held (refused) or stale (replaced)
        SELECT (pg_catalog.array_agg(h.e) FILTER (WHERE h.live))[1],
               pg_catalog.array_agg(h.e) FILTER (WHERE NOT h.live),
               pg_catalog.array_agg(h.l) FILTER (WHERE NOT h.live)
          INTO dup, stale_ids, stale_leads
          FROM (SELECT h.e, h.l,
                       pg_catalog.format('%s %s', h.l, h.e) OPERATOR(pg_catalog.=) ANY (SELECT pg_catalog.unnest(live_pairs)) IS TRUE AS live
                  FROM ROWS FROM (pg_catalog.unnest(held_ids), pg_catalog.unnest(held_leads)) AS h(e, l)
                  JOIN ROWS FROM (pg_catalog.unnest(external_ids), pg_catalog.unnest(lead_ids)) AS c(e, l)
                    ON c.e OPERATOR(pg_catalog.=) h.e
                 WHERE c.l OPERATOR(pg_catalog.<>) h.l) h;
        IF dup IS NOT NULL THEN
            RAISE EXCEPTION 'duplicate key value violates unique constraint "lead_external_id_key"'
                USING ERRCODE = '23505', CONSTRAINT = 'lead_external_id_key', TABLE = 'lead', SCHEMA = '@extschema@',
                      DETAIL = pg_catalog.format('Key (external_id)=(%s) already exists.', dup);
        END IF;
        IF stale_ids IS NOT NULL THEN
            BEGIN
                DELETE FROM @extschema@.lead_key k
                 WHERE k.external_id OPERATOR(pg_catalog.=) ANY (SELECT pg_catalog.unnest(stale_ids))
                   AND k.lead_id OPERATOR(pg_catalog.=) ANY (SELECT pg_catalog.unnest(stale_leads));
            EXCEPTION WHEN foreign_key_violation THEN
                -- a lead this role cannot see, or one committed meanwhile, holds it
                RAISE EXCEPTION 'duplicate key value violates unique constraint "lead_external_id_key"'
                    USING ERRCODE = '23505', CONSTRAINT = 'lead_external_id_key', TABLE = 'lead', SCHEMA = '@extschema@',
                          DETAIL = 'One of the external_ids is held by another lead.';
            END;
        END IF;
    END IF;

    -- the rest, but those this lead holds already
    INSERT INTO @extschema@.lead_key (external_id, lead_id)
    SELECT c.e, c.l
      FROM ROWS FROM (pg_catalog.unnest(external_ids), pg_catalog.unnest(lead_ids)) AS c(e, l)
     WHERE c.e IS NOT NULL
       AND NOT EXISTS (SELECT FROM ROWS FROM (pg_catalog.unnest(held_ids), pg_catalog.unnest(held_leads)) AS h(e, l)
                        WHERE h.e OPERATOR(pg_catalog.=) c.e AND h.l OPERATOR(pg_catalog.=) c.l);
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;
COMMENT ON FUNCTION @extschema@.claim_external_ids(text[], bigint[]) IS
    'on Citus: claims external_ids[i] for lead lead_ids[i] in lead_key before the lead is inserted with it or given it (a duplicate is refused, 23505; a stale claim is replaced); returns the claims written; on one node checks its arguments and writes nothing';

/*
 * lead_intake: lead as a view that takes INSERT and COPY the same way on one
 * node and on Citus.  Its INSTEAD OF trigger keeps the statement's rows
 * (defaults applied, lead_id taken from lead's sequence) in a temporary
 * table; at the end of the statement they are claimed (one
 * claim_external_ids call) and inserted into lead in one INSERT … SELECT,
 * so a bulk COPY costs two statements on the cluster, not two per lead.
 * UPDATE and DELETE pass through to lead (a simple view is updatable).
 */
CREATE VIEW @extschema@.lead_intake WITH (security_invoker = true) AS
    SELECT * FROM @extschema@.lead;
COMMENT ON VIEW @extschema@.lead_intake IS
    'lead, for loading: INSERT or COPY leads here on one node and on Citus alike (on Citus each external_id is claimed in lead_key on the way, which a direct INSERT into lead does not do); reads, UPDATE and DELETE are lead''s';
ALTER VIEW @extschema@.lead_intake ALTER COLUMN lead_id
    SET DEFAULT pg_catalog.nextval('@extschema@.lead_lead_id_seq'::pg_catalog.regclass);
ALTER VIEW @extschema@.lead_intake ALTER COLUMN attributes SET DEFAULT '{}'::jsonb;
ALTER VIEW @extschema@.lead_intake ALTER COLUMN model SET DEFAULT 'default';
ALTER VIEW @extschema@.lead_intake ALTER COLUMN stage SET DEFAULT 'inquiry'::@extschema@.stage;
ALTER VIEW @extschema@.lead_intake ALTER COLUMN recycle_count SET DEFAULT 0;
DO $$
DECLARE
    a record;
BEGIN
    FOR a IN SELECT t.attname, pg_catalog.col_description(t.attrelid, t.attnum) AS descr
               FROM pg_catalog.pg_attribute t
              WHERE t.attrelid OPERATOR(pg_catalog.=) '@extschema@.lead'::pg_catalog.regclass
                AND t.attnum OPERATOR(pg_catalog.>) 0 AND NOT t.attisdropped LOOP
        EXECUTE pg_catalog.format('COMMENT ON COLUMN @extschema@.lead_intake.%I IS %L', a.attname, a.descr);
    END LOOP;
END
$$;

/* the rows of the running statement, until its end */
CREATE FUNCTION @extschema@.lead_intake_begin()
    RETURNS trigger
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    col name;
BEGIN
    IF pg_catalog.to_regclass('pg_temp.leadqual_lead_intake') IS NULL THEN
        -- lead's columns without its NOT NULLs: a NULL is refused by lead
        -- itself at the end of the statement, with lead's own message
        CREATE TEMPORARY TABLE leadqual_lead_intake (LIKE @extschema@.lead);
        FOR col IN SELECT a.attname FROM pg_catalog.pg_attribute a
                    WHERE a.attrelid OPERATOR(pg_catalog.=) 'pg_temp.leadqual_lead_intake'::pg_catalog.regclass
                      AND a.attnum OPERATOR(pg_catalog.>) 0 AND a.attnotnull LOOP
            EXECUTE pg_catalog.format('ALTER TABLE pg_temp.leadqual_lead_intake ALTER COLUMN %I DROP NOT NULL', col);
        END LOOP;
        -- the session's own table: another role of this session (SET ROLE)
        -- loads through it too; no other session can reach it, and rows
        -- live in it only while their statement runs
        GRANT SELECT, INSERT, DELETE ON pg_temp.leadqual_lead_intake TO PUBLIC;
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION @extschema@.lead_intake_begin() IS
    'internal: lead_intake''s BEFORE INSERT statement trigger (makes the session''s temporary table of incoming leads)';

CREATE FUNCTION @extschema@.lead_intake_row()
    RETURNS trigger
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    INSERT INTO pg_temp.leadqual_lead_intake SELECT NEW.*;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@.lead_intake_row() IS
    'internal: lead_intake''s INSTEAD OF INSERT row trigger (keeps the row until the end of the statement)';

CREATE FUNCTION @extschema@.lead_intake_end()
    RETURNS trigger
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    ids text[];
    leads bigint[];
    r @extschema@.lead%ROWTYPE;
BEGIN
    IF @extschema@.external_ids_claimed() THEN
        SELECT pg_catalog.array_agg(i.external_id), pg_catalog.array_agg(i.lead_id) INTO ids, leads
          FROM pg_temp.leadqual_lead_intake i
         WHERE i.external_id IS NOT NULL;
        IF ids IS NOT NULL THEN
            PERFORM @extschema@.claim_external_ids(ids, leads);
        END IF;
        IF (SELECT c.relrowsecurity FROM pg_catalog.pg_class c
             WHERE c.oid OPERATOR(pg_catalog.=) '@extschema@.lead'::pg_catalog.regclass) THEN
            -- Citus carries an INSERT … SELECT to the shards as COPY, which
            -- PostgreSQL refuses under row-level security: a row at a time
            FOR r IN SELECT * FROM pg_temp.leadqual_lead_intake LOOP
                INSERT INTO @extschema@.lead VALUES (r.*);
            END LOOP;
            DELETE FROM pg_temp.leadqual_lead_intake;
            RETURN NULL;
        END IF;
    END IF;
    INSERT INTO @extschema@.lead SELECT * FROM pg_temp.leadqual_lead_intake;
    DELETE FROM pg_temp.leadqual_lead_intake;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION @extschema@.lead_intake_end() IS
    'internal: lead_intake''s AFTER INSERT statement trigger (claims the statement''s external_ids and inserts its leads into lead)';

CREATE TRIGGER lead_intake_begin BEFORE INSERT ON @extschema@.lead_intake
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.lead_intake_begin();
CREATE TRIGGER lead_intake_row INSTEAD OF INSERT ON @extschema@.lead_intake
    FOR EACH ROW EXECUTE FUNCTION @extschema@.lead_intake_row();
CREATE TRIGGER lead_intake_end AFTER INSERT ON @extschema@.lead_intake
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.lead_intake_end();
