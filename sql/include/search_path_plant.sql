-- sql/include/search_path_plant.sql — hostile objects for security_search_path (\i'd once).
--
-- Every object here raises 'hijacked: <name>' when it is used, so a
-- leadqual statement that resolves an unqualified name to one of them fails
-- with that message.  They shadow what PostgreSQL lets a user shadow:
-- operators and functions in schema evil (put before pg_catalog on the
-- search_path), aggregates, set-returning functions, and types (domains) in
-- evil and in pg_temp (searched first for types and relations unless the
-- path names it).  COALESCE, GREATEST, CASE and the type names that are
-- keywords (bigint, integer, boolean, numeric, interval, char) are grammar,
-- not names, and cannot be shadowed.  Everything is created with
-- pg_catalog-qualified names, before the domains exist.
CREATE SCHEMA evil;
CREATE FUNCTION evil.hijacked(what pg_catalog.text) RETURNS pg_catalog.bool
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'hijacked: %', what;
END
$$;

DO $plant$
DECLARE
    spec record;
    n integer := 0;
    sig pg_catalog.text;
BEGIN
    SET LOCAL search_path = pg_catalog;
    -- operators: name, left type, right type, result type
    FOR spec IN
        SELECT o.op, t.typ AS l, t.typ AS r, 'bool' AS res
          FROM unnest('{=,<>,<,<=,>,>=}'::pg_catalog.text[]) AS o(op),
               unnest('{int8,int4,int2,text,bpchar,varchar,name,timestamptz,timestamp,date,jsonb,float8,float4,numeric,interval,bool,bytea,oid,anyenum,anyarray}'::pg_catalog.text[]) AS t(typ)
        UNION ALL
        SELECT o.op, c.l, c.r, 'bool'
          FROM unnest('{=,<>,<,<=,>,>=}'::pg_catalog.text[]) AS o(op),
               (VALUES ('int8', 'int4'), ('int4', 'int8'), ('float8', 'int4'), ('float8', 'int8'),
                       ('float8', 'numeric'), ('numeric', 'float8'), ('text', 'bpchar'),
                       ('bpchar', 'text'), ('timestamptz', 'date'), ('timestamptz', 'timestamp')) AS c(l, r)
        UNION ALL
        SELECT o.op, t.typ, t.typ, t.typ
          FROM unnest('{+,-,*,/}'::pg_catalog.text[]) AS o(op),
               unnest('{int8,int4,float8,numeric,interval}'::pg_catalog.text[]) AS t(typ)
        UNION ALL
        SELECT * FROM (VALUES
            ('+', 'timestamptz', 'interval', 'timestamptz'),
            ('-', 'timestamptz', 'interval', 'timestamptz'),
            ('-', 'timestamptz', 'timestamptz', 'interval'),
            ('+', 'int8', 'int4', 'int8'), ('+', 'int4', 'int8', 'int8'),
            ('-', 'int8', 'int4', 'int8'),
            ('*', 'float8', 'int4', 'float8'), ('/', 'float8', 'int4', 'float8'),
            ('||', 'text', 'text', 'text'), ('||', 'jsonb', 'jsonb', 'jsonb'),
            ('||', 'anyarray', 'anyarray', 'anyarray'),
            ('||', 'anyarray', 'anyelement', 'anyarray'),
            ('@>', 'jsonb', 'jsonb', 'bool'), ('<@', 'jsonb', 'jsonb', 'bool'),
            ('@>', 'anyarray', 'anyarray', 'bool'), ('<@', 'anyarray', 'anyarray', 'bool'),
            ('?', 'jsonb', 'text', 'bool'), ('->', 'jsonb', 'text', 'jsonb'),
            ('->>', 'jsonb', 'text', 'text'), ('#>', 'jsonb', '_text', 'jsonb'),
            ('~~', 'text', 'text', 'bool'), ('!~~', 'text', 'text', 'bool'),
            ('~', 'text', 'text', 'bool'), ('~*', 'text', 'text', 'bool'),
            ('&&', 'anyarray', 'anyarray', 'bool')) AS x(op, l, r, res)
    LOOP
        n := n + 1;
        sig := format('%s(%s,%s)', spec.op, spec.l, spec.r);
        EXECUTE format('CREATE FUNCTION evil.op_%s(pg_catalog.%I, pg_catalog.%I) RETURNS pg_catalog.%I '
                       'LANGUAGE plpgsql AS $b$BEGIN PERFORM evil.hijacked(%L); RETURN NULL; END$b$',
                       n, spec.l, spec.r, spec.res, sig);
        EXECUTE format('CREATE OPERATOR evil.%s (LEFTARG = pg_catalog.%I, RIGHTARG = pg_catalog.%I, FUNCTION = evil.op_%s)',
                       spec.op, spec.l, spec.r, n);
    END LOOP;
    -- prefix minus
    CREATE FUNCTION evil.neg8(pg_catalog.float8) RETURNS pg_catalog.float8
        LANGUAGE plpgsql AS $b$BEGIN PERFORM evil.hijacked('-(float8)'); RETURN NULL; END$b$;
    CREATE OPERATOR evil.- (RIGHTARG = pg_catalog.float8, FUNCTION = evil.neg8);

    -- functions: name, argument types, result type
    FOR spec IN
        SELECT * FROM (VALUES
            ('now', '', 'timestamptz'), ('clock_timestamp', '', 'timestamptz'),
            ('statement_timestamp', '', 'timestamptz'), ('transaction_timestamp', '', 'timestamptz'),
            ('lower', 'text', 'text'), ('upper', 'text', 'text'), ('btrim', 'text', 'text'),
            ('length', 'text', 'int4'), ('md5', 'text', 'text'),
            ('substr', 'text, int4', 'text'), ('substr', 'text, int4, int4', 'text'),
            ('substring', 'text, int4, int4', 'text'), ('left', 'text, int4', 'text'),
            ('right', 'text, int4', 'text'), ('position', 'text, text', 'int4'),
            ('format', 'text', 'text'), ('format', 'text, text', 'text'),
            ('format', 'text, text, text', 'text'), ('format', 'text, text, text, text', 'text'),
            ('concat', 'text, text', 'text'), ('string_to_array', 'text, text', '_text'),
            ('isfinite', 'timestamptz', 'bool'), ('isfinite', 'interval', 'bool'),
            ('date_trunc', 'text, timestamptz', 'timestamptz'),
            ('date_part', 'text, timestamptz', 'float8'), ('extract', 'text, timestamptz', 'numeric'),
            ('to_timestamp', 'float8', 'timestamptz'), ('make_interval', 'int4', 'interval'),
            ('cardinality', 'anyarray', 'int4'), ('array_length', 'anyarray, int4', 'int4'),
            ('array_to_string', 'anyarray, text', 'text'), ('array_position', 'anyarray, anyelement', 'int4'),
            ('array_append', 'anyarray, anyelement', 'anyarray'),
            ('array_cat', 'anyarray, anyarray', 'anyarray'),
            ('round', 'float8', 'float8'), ('round', 'numeric, int4', 'numeric'),
            ('abs', 'float8', 'float8'), ('exp', 'float8', 'float8'), ('ln', 'float8', 'float8'),
            ('power', 'float8, float8', 'float8'), ('floor', 'float8', 'float8'),
            ('sqrt', 'float8', 'float8'),
            ('jsonb_typeof', 'jsonb', 'text'), ('to_jsonb', 'anyelement', 'jsonb'),
            ('jsonb_build_object', 'text, text', 'jsonb'),
            ('jsonb_array_elements_text', 'jsonb', 'text'),
            ('jsonb_object_keys', 'jsonb', 'text'),
            ('set_config', 'text, text, bool', 'text'), ('current_setting', 'text', 'text'),
            ('pg_get_serial_sequence', 'text, text', 'text'),
            ('nextval', 'regclass', 'int8'), ('setval', 'regclass, int8', 'int8'),
            ('hashtext', 'text', 'int4'), ('random', '', 'float8'),
            ('generate_series', 'int4, int4', 'int4'), ('generate_series', 'int8, int8', 'int8'))
           AS x(fn, args, res)
    LOOP
        n := n + 1;
        sig := format('%s(%s)', spec.fn, spec.args);
        EXECUTE format('CREATE FUNCTION evil.%I(%s) RETURNS pg_catalog.%I '
                       'LANGUAGE plpgsql AS $b$BEGIN PERFORM evil.hijacked(%L); RETURN NULL; END$b$',
                       spec.fn,
                       (SELECT string_agg('pg_catalog.' || quote_ident(btrim(a)), ', ')
                          FROM unnest(string_to_array(nullif(spec.args, ''), ',')) AS a),
                       spec.res, sig);
    END LOOP;
    -- set-returning functions
    CREATE FUNCTION evil.unnest(pg_catalog.anyarray) RETURNS SETOF pg_catalog.anyelement
        LANGUAGE plpgsql AS $b$BEGIN PERFORM evil.hijacked('unnest(anyarray)'); END$b$;
    CREATE FUNCTION evil.jsonb_each(pg_catalog.jsonb, OUT key pg_catalog.text, OUT value pg_catalog.jsonb)
        RETURNS SETOF record
        LANGUAGE plpgsql AS $b$BEGIN PERFORM evil.hijacked('jsonb_each(jsonb)'); END$b$;

    -- aggregates: one transition function that raises, per state type
    CREATE FUNCTION evil.agg_any(pg_catalog.anyarray, pg_catalog.anynonarray) RETURNS pg_catalog.anyarray
        LANGUAGE plpgsql AS $b$BEGIN PERFORM evil.hijacked('aggregate(anynonarray)'); RETURN NULL; END$b$;
    CREATE AGGREGATE evil.array_agg(pg_catalog.anynonarray) (SFUNC = evil.agg_any, STYPE = pg_catalog.anyarray);
    CREATE FUNCTION evil.agg_count(pg_catalog.int8) RETURNS pg_catalog.int8
        LANGUAGE plpgsql AS $b$BEGIN PERFORM evil.hijacked('count(*)'); RETURN NULL; END$b$;
    CREATE AGGREGATE evil.count(*) (SFUNC = evil.agg_count, STYPE = pg_catalog.int8);
    FOR spec IN
        SELECT * FROM (VALUES
            ('count', 'int8', 'int8'), ('count', 'text', 'int8'), ('count', 'timestamptz', 'int8'),
            ('sum', 'float8', 'float8'), ('sum', 'int8', 'numeric'), ('sum', 'int4', 'int8'),
            ('max', 'timestamptz', 'timestamptz'), ('min', 'timestamptz', 'timestamptz'),
            ('max', 'float8', 'float8'), ('min', 'float8', 'float8'), ('max', 'int8', 'int8'),
            ('bool_or', 'bool', 'bool'), ('bool_and', 'bool', 'bool'), ('every', 'bool', 'bool'),
            ('string_agg', 'text, text', 'text'), ('jsonb_agg', 'anyelement', 'jsonb'),
            ('jsonb_object_agg', 'text, jsonb', 'jsonb'), ('avg', 'float8', 'float8'))
           AS x(fn, args, res)
    LOOP
        n := n + 1;
        sig := format('%s(%s)', spec.fn, spec.args);
        EXECUTE format('CREATE FUNCTION evil.agg_%s(pg_catalog.%I, %s) RETURNS pg_catalog.%I '
                       'LANGUAGE plpgsql AS $b$BEGIN PERFORM evil.hijacked(%L); RETURN NULL; END$b$',
                       n, spec.res,
                       (SELECT string_agg('pg_catalog.' || quote_ident(btrim(a)), ', ')
                          FROM unnest(string_to_array(spec.args, ',')) AS a),
                       spec.res, sig);
        EXECUTE format('CREATE AGGREGATE evil.%I(%s) (SFUNC = evil.agg_%s, STYPE = pg_catalog.%I)',
                       spec.fn,
                       (SELECT string_agg('pg_catalog.' || quote_ident(btrim(a)), ', ')
                          FROM unnest(string_to_array(spec.args, ',')) AS a),
                       n, spec.res);
    END LOOP;
END
$plant$;

-- types: a domain over the real type whose check raises, in evil and in
-- pg_temp (a cast such as ::text resolves the type name on the path)
DO $plant$
DECLARE
    t pg_catalog.text;
    s pg_catalog.text;
BEGIN
    SET LOCAL search_path = pg_catalog;
    FOREACH s IN ARRAY '{evil,pg_temp}'::pg_catalog.text[] LOOP
        FOREACH t IN ARRAY '{text,int8,int4,int2,timestamptz,timestamp,date,jsonb,json,float8,float4,bytea,bool,bpchar,varchar,name,regclass,regproc,regtype}'::pg_catalog.text[] LOOP
            EXECUTE format('CREATE DOMAIN %I.%I AS pg_catalog.%I CHECK (evil.hijacked(%L))',
                           s, t, t, 'type ' || s || '.' || t);
        END LOOP;
    END LOOP;
END
$plant$;

-- relations in pg_temp named like leadqual's tables (searched first for
-- unqualified relation names): reading one raises
DO $plant$
DECLARE
    r pg_catalog.text;
BEGIN
    SET LOCAL search_path = pg_catalog;
    FOREACH r IN ARRAY '{lead,event,scoring_model,fit_rule,engagement_rule,transition,rejection_reason,stage_history,opportunity,lead_score_state,new_events,old_events,new_leads,pg_attribute}'::pg_catalog.text[] LOOP
        EXECUTE format('CREATE VIEW pg_temp.%I AS SELECT evil.hijacked(%L) AS hijacked',
                       r, 'relation pg_temp.' || r);
    END LOOP;
END
$plant$;
