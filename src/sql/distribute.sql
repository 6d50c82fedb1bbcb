
/* src/sql/distribute.sql — scale-out on Citus (SPEC §7) */

/*
 * distribute(shard_count): on a Citus coordinator, make leadqual's
 * configuration tables reference tables (a copy on every node) and
 * distribute its lead-owned tables by lead_id, colocated, so that all of a
 * lead's rows live on one shard group.  The steps run in the order Citus
 * needs: referenced tables before the tables whose foreign keys point at
 * them, then the leftover local copies on the coordinator are emptied
 * children first.
 *
 * Citus copies a distributed table's triggers to its shards only while
 * citus.enable_unsafe_triggers is on; it is set for this transaction only
 * (Citus reads it when the triggers are created, not when they fire), as is
 * citus.multi_shard_modify_mode = sequential, which Citus needs to add
 * foreign keys to reference tables in the transaction that distributed
 * the tables.
 *
 * lead.external_id: Citus cannot enforce a unique key that lacks the
 * distribution column, so the UNIQUE (external_id) constraint of one node
 * is replaced by lead_key (src/sql/schema.sql): filled with every lead's
 * external_id while lead is still local (the constraint held, so no two
 * rows collide), made a reference table, and referenced from lead by a
 * foreign key (external_id, lead_id) once lead is distributed.
 *
 * Runs in the caller's transaction: an error undoes every step.
 */
CREATE FUNCTION @extschema@.distribute(shard_count integer DEFAULT 32)
    RETURNS void
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    -- emptying the coordinator's copy of event must not rescore
    SET leadqual.auto_scoring = off
AS $$
DECLARE
    t text;
    con name;
    def text;
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname OPERATOR(pg_catalog.=) 'citus') THEN
        RAISE EXCEPTION 'leadqual.distribute() needs the Citus extension'
            USING ERRCODE = '0A000',
                  DETAIL = 'The extension citus is not installed in this database.',
                  HINT = 'On every node: add citus to shared_preload_libraries, restart, CREATE EXTENSION citus; add the workers on the coordinator (citus_add_node), then call leadqual.distribute() there.';
    END IF;
    IF NOT pg_catalog.citus_is_coordinator() THEN
        RAISE EXCEPTION 'leadqual.distribute() must run on the Citus coordinator'
            USING ERRCODE = '55000',
                  DETAIL = 'This node is a Citus worker.',
                  HINT = 'Connect to the coordinator and call leadqual.distribute() there.';
    END IF;
    IF EXISTS (SELECT FROM pg_catalog.pg_dist_partition p
                WHERE p.logicalrelid OPERATOR(pg_catalog.=) '@extschema@.lead'::pg_catalog.regclass) THEN
        RAISE EXCEPTION 'leadqual is already distributed'
            USING ERRCODE = '55000',
                  DETAIL = 'leadqual.lead is a Citus table.',
                  HINT = 'distribute() runs once; change the shard count with Citus''s alter_distributed_table().';
    END IF;
    IF shard_count IS NULL OR shard_count OPERATOR(pg_catalog.<) 1 OR shard_count OPERATOR(pg_catalog.>) 64000 THEN
        RAISE EXCEPTION 'shard_count must be between 1 and 64000'
            USING ERRCODE = '22023',
                  DETAIL = pg_catalog.format('shard_count is %s.', coalesce(shard_count::text, 'NULL')),
                  HINT = 'Pass a few shards per worker core, e.g. the default 32.';
    END IF;

    PERFORM pg_catalog.set_config('citus.enable_unsafe_triggers', 'on', true);
    -- foreign keys to reference tables: one connection per node (Citus)
    PERFORM pg_catalog.set_config('citus.multi_shard_modify_mode', 'sequential', true);

    /*
     * Foreign keys between leadqual's tables are taken off while the tables
     * change kind (Citus would otherwise turn a table that references a new
     * reference table into a Citus local table, which it cannot do to an
     * extension's table) and put back once all are Citus tables.
     */
    CREATE TEMPORARY TABLE distribute_fkeys ON COMMIT DROP AS
    SELECT c.conrelid::pg_catalog.regclass AS rel, c.conname, pg_catalog.pg_get_constraintdef(c.oid) AS def
      FROM pg_catalog.pg_constraint c
     WHERE c.contype OPERATOR(pg_catalog.=) 'f'
       AND c.connamespace OPERATOR(pg_catalog.=) '@extschema@'::pg_catalog.regnamespace;
    FOR t, con IN SELECT f.rel::pg_catalog.text, f.conname FROM distribute_fkeys f LOOP
        EXECUTE pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT %I', t, con);
    END LOOP;

    -- every external_id in use, claimed by its lead
    DELETE FROM @extschema@.lead_key;
    INSERT INTO @extschema@.lead_key (external_id, lead_id)
    SELECT l.external_id, l.lead_id FROM @extschema@.lead l WHERE l.external_id IS NOT NULL;

    -- configuration (and lead_key): referenced before referencing
    FOREACH t IN ARRAY ARRAY['scoring_model', 'fit_rule', 'engagement_rule', 'rejection_reason',
                             'transition', 'predictive_model', 'lead_key'] LOOP
        PERFORM pg_catalog.create_reference_table(pg_catalog.format('@extschema@.%I', t)::pg_catalog.regclass);
    END LOOP;

    SELECT c.conname INTO con FROM pg_catalog.pg_constraint c
     WHERE c.conrelid OPERATOR(pg_catalog.=) '@extschema@.lead'::pg_catalog.regclass
       AND c.contype OPERATOR(pg_catalog.=) 'u'
       AND c.conkey OPERATOR(pg_catalog.=) ARRAY[(SELECT a.attnum FROM pg_catalog.pg_attribute a
                                                   WHERE a.attrelid OPERATOR(pg_catalog.=) c.conrelid
                                                     AND a.attname OPERATOR(pg_catalog.=) 'external_id')];
    IF con IS NOT NULL THEN
        EXECUTE pg_catalog.format('ALTER TABLE @extschema@.lead DROP CONSTRAINT %I', con);
    END IF;

    -- lead-owned tables, colocated with lead
    PERFORM pg_catalog.create_distributed_table('@extschema@.lead'::pg_catalog.regclass, 'lead_id',
                                                shard_count => shard_count, colocate_with => 'none');
    FOREACH t IN ARRAY ARRAY['event', 'stage_history', 'opportunity', 'lead_score_state', 'handoff_queue'] LOOP
        PERFORM pg_catalog.create_distributed_table(pg_catalog.format('@extschema@.%I', t)::pg_catalog.regclass,
                                                    'lead_id', colocate_with => '@extschema@.lead');
    END LOOP;

    -- the workers' copies of the tables (made by CREATE EXTENSION there)
    -- still have them: DROP … IF EXISTS reaches those too
    FOR t, con, def IN SELECT f.rel::pg_catalog.text, f.conname, f.def FROM distribute_fkeys f LOOP
        EXECUTE pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT IF EXISTS %I', t, con);
        EXECUTE pg_catalog.format('ALTER TABLE %s ADD CONSTRAINT %I %s', t, con, def);
    END LOOP;

    -- external_id unique: a lead's external_id must be its claim in lead_key
    ALTER TABLE @extschema@.lead ADD CONSTRAINT lead_external_id_fkey
        FOREIGN KEY (external_id, lead_id) REFERENCES @extschema@.lead_key (external_id, lead_id);

    -- the coordinator's local copies, children before parents
    FOREACH t IN ARRAY ARRAY['event', 'stage_history', 'opportunity', 'lead_score_state', 'handoff_queue', 'lead', 'lead_key',
                             'fit_rule', 'engagement_rule', 'predictive_model', 'rejection_reason',
                             'transition', 'scoring_model'] LOOP
        PERFORM pg_catalog.truncate_local_data_after_distributing_table(
                    pg_catalog.format('@extschema@.%I', t)::pg_catalog.regclass);
    END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.distribute(integer) IS
    'on a Citus coordinator: makes the configuration tables reference tables and distributes the lead-owned tables by lead_id, colocated';
REVOKE EXECUTE ON FUNCTION @extschema@.distribute(integer) FROM PUBLIC;
