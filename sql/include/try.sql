-- sql/include/try.sql — shared by the regression tests (\i sql/include/try.sql; pg_regress runs from the top directory).
--
-- try(statement): runs it and shows 'ok', or the error's SQLSTATE, message,
-- detail and hint.  A failed statement is rolled back, as in an application.
CREATE FUNCTION pg_temp.try(stmt text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    st text; msg text; det text; hnt text;
BEGIN
    EXECUTE stmt;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
                            det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT;
    RETURN st || ': ' || msg
        || CASE WHEN det <> '' THEN E'\n  DETAIL: ' || det ELSE '' END
        || CASE WHEN hnt <> '' THEN E'\n  HINT: ' || hnt ELSE '' END;
END
$$;
