
/* src/sql/rules.sql — validation and cache invalidation for the rule tables */

/*
 * Compile a rule (or model) row as it is written, so an invalid one is
 * refused with a clear error instead of breaking scoring later.  The
 * trigger's argument names the table: on Citus the trigger fires on a
 * placement, whose name is not the table's.
 */
CREATE FUNCTION @extschema@.validate_rule() RETURNS trigger
    AS 'MODULE_PATHNAME', 'lq_validate_rule'
    LANGUAGE C;
COMMENT ON FUNCTION @extschema@.validate_rule() IS
    'trigger: refuses invalid scoring models, fit rules and engagement rules when they are written';

/*
 * Tell every backend that its compiled rules are stale; the next statement
 * compiles them again.
 */
CREATE FUNCTION @extschema@.rules_changed() RETURNS trigger
    AS 'MODULE_PATHNAME', 'lq_rules_changed'
    LANGUAGE C;
COMMENT ON FUNCTION @extschema@.rules_changed() IS
    'trigger: invalidates the per-backend rules cache when a rule table changes';

/*
 * Rows shipped by the extension are builtin: CREATE EXTENSION makes them,
 * and pg_dump leaves them out.  Editing one makes it a user row, which is
 * dumped; when a dump is restored, the edited row arrives while the freshly
 * created builtin row with the same key is there, and its values replace
 * that row's (an update, so nothing that refers to the row is touched).
 */
CREATE FUNCTION @extschema@.builtin_row_guard() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    cond text;
    cols text;
    n bigint;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF OLD.builtin AND NEW.builtin AND to_jsonb(OLD) IS DISTINCT FROM to_jsonb(NEW) THEN
            NEW.builtin := false;
        END IF;
        RETURN NEW;
    END IF;
    -- INSERT: if a builtin row holds this key, the new row replaces its values
    SELECT string_agg(format('%I IS NOT DISTINCT FROM ($1).%I', c, c), ' AND ')
      INTO cond FROM unnest(TG_ARGV) AS c;
    SELECT string_agg(format('%I = ($1).%I', attname, attname), ', ')
      INTO cols FROM pg_attribute
     WHERE attrelid = TG_RELID AND attnum > 0 AND NOT attisdropped;
    EXECUTE format('UPDATE %I.%I SET %s WHERE builtin AND %s',
                   TG_TABLE_SCHEMA, TG_TABLE_NAME, cols, cond) USING NEW;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n > 0 THEN
        RETURN NULL;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@.builtin_row_guard() IS
    'trigger: an edited builtin row becomes a user row; an inserted row with the key of a builtin row replaces its values';

CREATE TRIGGER validate BEFORE INSERT OR UPDATE ON @extschema@.scoring_model
    FOR EACH ROW EXECUTE FUNCTION @extschema@.validate_rule('scoring_model');
CREATE TRIGGER validate BEFORE INSERT OR UPDATE ON @extschema@.fit_rule
    FOR EACH ROW EXECUTE FUNCTION @extschema@.validate_rule('fit_rule');
CREATE TRIGGER validate BEFORE INSERT OR UPDATE ON @extschema@.engagement_rule
    FOR EACH ROW EXECUTE FUNCTION @extschema@.validate_rule('engagement_rule');

CREATE TRIGGER rules_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.scoring_model
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.rules_changed();
CREATE TRIGGER rules_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.fit_rule
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.rules_changed();
CREATE TRIGGER rules_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.engagement_rule
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.rules_changed();

CREATE TRIGGER builtin_guard BEFORE INSERT OR UPDATE ON @extschema@.scoring_model
    FOR EACH ROW EXECUTE FUNCTION @extschema@.builtin_row_guard('name');
CREATE TRIGGER builtin_guard BEFORE INSERT OR UPDATE ON @extschema@.fit_rule
    FOR EACH ROW EXECUTE FUNCTION @extschema@.builtin_row_guard('rule_id');
CREATE TRIGGER builtin_guard BEFORE INSERT OR UPDATE ON @extschema@.engagement_rule
    FOR EACH ROW EXECUTE FUNCTION @extschema@.builtin_row_guard('rule_id');
CREATE TRIGGER builtin_guard BEFORE INSERT OR UPDATE ON @extschema@.rejection_reason
    FOR EACH ROW EXECUTE FUNCTION @extschema@.builtin_row_guard('code');
CREATE TRIGGER builtin_guard BEFORE INSERT OR UPDATE ON @extschema@.transition
    FOR EACH ROW EXECUTE FUNCTION @extschema@.builtin_row_guard('from_stage', 'to_stage');
