-- scoring_rescore_store: rescore() writes the pass's scores with one
-- UPDATE of lead joined on the tuple ids the pass hands out
-- (rescore_changes): only rows whose stored fit, engagement or grade differ
-- (and move candidates); PostgreSQL's executor then does what an UPDATE
-- does: statement and row triggers with their transition tables, BEFORE
-- triggers that change or skip the row, CHECK constraints, stored
-- generated columns, index entries, rewrite rules, UPDATE privilege; and
-- the pass does not read past row-level security.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS leadqual CASCADE;
CREATE EXTENSION leadqual;
CREATE EXTENSION IF NOT EXISTS amcheck;
DROP ROLE IF EXISTS lq_test_store_reader, lq_test_store_cols, lq_test_store_writer;
RESET client_min_messages;
SET timezone = 'UTC';
SET leadqual.auto_scoring = off;   -- scores are written by rescore() only
\i sql/include/try.sql
GRANT EXECUTE ON FUNCTION pg_temp.try(text) TO PUBLIC;

-- fit: a VP 20; engagement: a visit 5 (kept), an open 8 halving daily.
-- Bands A 30, B 20, C 10 and 1 25, 2 10, 3 5.  The threshold is out of
-- reach: no lead moves, rescore() counts written rows only.
INSERT INTO leadqual.scoring_model (name, mql_threshold, hand_raise_types, fit_bands, engagement_bands)
VALUES ('store', 1000, '{}', '{30,20,10}', '{25,10,5}');
INSERT INTO leadqual.fit_rule (model, field, op, value, points)
VALUES ('store', 'job_title', 'eq', '"vp"', 20);
INSERT INTO leadqual.engagement_rule (model, event_type, points, half_life)
VALUES ('store', 'visit', 5, NULL), ('store', 'open', 8, '1 day');
INSERT INTO leadqual.lead (lead_id, created_at, model, job_title) VALUES
    (1, '2025-01-01', 'store', 'VP'), (2, '2025-01-01', 'store', 'Intern'),
    (3, '2025-01-01', 'store', 'VP');
INSERT INTO leadqual.event (lead_id, event_type, occurred_at) VALUES
    (1, 'visit', '2025-05-30 12:00'), (1, 'visit', '2025-05-31 12:00'),
    (3, 'open', '2025-05-31 12:00');
-- As of T = 2025-06-01 12:00: lead 1 fit 20 (B), 2 visits 10 (2): 30, B2;
-- lead 2 nothing: 0, D4; lead 3 fit 20, an open a day old 4 (4): 24, B4.
-- Later only lead 3 changes: its open is worth 2 on 06-02, 1 on 06-03,
-- 0.5 on 06-04, 0.25 on 06-05, 0.125 on 06-06 (all grade B4).

-- ---------------------------------------------------------------------
-- triggers fire as for UPDATE lead SET fit_score, engagement_score, score,
-- grade, scored_at
-- ---------------------------------------------------------------------
-- (rescore() runs with search_path pg_catalog, pg_temp: trigger functions
-- name their tables)
CREATE TABLE trig_log (n serial, what text);
CREATE FUNCTION log_stmt() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public.trig_log (what) VALUES (TG_WHEN || ' statement');
    RETURN NULL;
END $$;
-- BEFORE ROW: stamps the owner with the new grade; skips lead 2
CREATE FUNCTION log_before_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public.trig_log (what) VALUES ('before row ' || NEW.lead_id);
    IF NEW.lead_id = 2 THEN
        RETURN NULL;
    END IF;
    NEW.owner := 'grade ' || NEW.grade;
    RETURN NEW;
END $$;
CREATE FUNCTION log_after_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public.trig_log (what)
    VALUES (TG_NAME || ' ' || NEW.lead_id || ': ' || coalesce(OLD.score::text, 'null') || ' -> ' || NEW.score);
    RETURN NULL;
END $$;
CREATE FUNCTION log_transition() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public.trig_log (what)
    SELECT 'after statement: old ' || coalesce((SELECT string_agg(lead_id || '=' || coalesce(score::text, 'null'), ',' ORDER BY lead_id) FROM old_rows), 'none')
           || ' new ' || coalesce((SELECT string_agg(lead_id || '=' || score, ',' ORDER BY lead_id) FROM new_rows), 'none');
    RETURN NULL;
END $$;
CREATE TRIGGER t1_before_stmt BEFORE UPDATE ON leadqual.lead
    FOR EACH STATEMENT EXECUTE FUNCTION log_stmt();
CREATE TRIGGER t2_before_row BEFORE UPDATE ON leadqual.lead
    FOR EACH ROW EXECUTE FUNCTION log_before_row();
CREATE TRIGGER t3_score_changed AFTER UPDATE OF score ON leadqual.lead
    FOR EACH ROW EXECUTE FUNCTION log_after_row();
-- a trigger on a column rescore() does not write does not fire
CREATE TRIGGER t4_title_changed AFTER UPDATE OF job_title ON leadqual.lead
    FOR EACH ROW EXECUTE FUNCTION log_after_row();
CREATE TRIGGER t5_after_stmt AFTER UPDATE ON leadqual.lead
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION log_transition();

-- leads 1 and 3 written (lead 2 skipped by its trigger): 2
SELECT leadqual.rescore('2025-06-01 12:00', 'store') AS changed;
-- in order: the statement trigger, a row trigger per lead in the pass's
-- order, then the AFTER triggers of the written rows (their old scores
-- were NULL), then the statement's transition tables
SELECT n, what FROM trig_log ORDER BY n;
SELECT lead_id, fit_score, engagement_score, score, grade, scored_at, owner
  FROM leadqual.lead ORDER BY lead_id;

-- again at T: leads 1 and 3 hold their scores and are not written; lead 2
-- still differs (NULL) and is skipped again: 0, and the statement triggers
-- fire on no rows
TRUNCATE trig_log;
SELECT leadqual.rescore('2025-06-01 12:00', 'store') AS changed;
SELECT what FROM trig_log ORDER BY n;

DROP TRIGGER t1_before_stmt ON leadqual.lead;
DROP TRIGGER t2_before_row ON leadqual.lead;
DROP TRIGGER t3_score_changed ON leadqual.lead;
DROP TRIGGER t4_title_changed ON leadqual.lead;
DROP TRIGGER t5_after_stmt ON leadqual.lead;

-- a trigger that updates a lead rescore() has yet to write: the error of
-- UPDATE for a row changed by an operation it triggered, and nothing kept.
-- As a row trigger it fires for lead 2, written before lead 3 on 06-02
-- (PostgreSQL's error, from lead 3's own row trigger); as a statement
-- trigger it runs before the pass reads lead, under the statement's
-- snapshot, so the pass still sees lead 3's old row and the write finds it
-- changed (PostgreSQL's error again)
CREATE FUNCTION touch_lead_3() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- not again for its own UPDATE
    IF pg_trigger_depth() = 1 AND (TG_LEVEL = 'STATEMENT' OR NEW.lead_id = 2) THEN
        UPDATE leadqual.lead SET owner = 'touched' WHERE lead_id = 3;
    END IF;
    RETURN NEW;   -- NULL for the statement trigger
END $$;
CREATE TRIGGER t6_touch BEFORE UPDATE ON leadqual.lead
    FOR EACH ROW EXECUTE FUNCTION touch_lead_3();
SELECT pg_temp.try($$SELECT leadqual.rescore('2025-06-02 12:00', 'store')$$);
SELECT lead_id, score, owner FROM leadqual.lead ORDER BY lead_id;
DROP TRIGGER t6_touch ON leadqual.lead;
CREATE TRIGGER t7_touch BEFORE UPDATE ON leadqual.lead
    FOR EACH STATEMENT EXECUTE FUNCTION touch_lead_3();
SELECT pg_temp.try($$SELECT leadqual.rescore('2025-06-02 12:00', 'store')$$);
SELECT lead_id, score, owner FROM leadqual.lead ORDER BY lead_id;
DROP TRIGGER t7_touch ON leadqual.lead;

-- ---------------------------------------------------------------------
-- an index on score: the updates are not HOT, and the index gets the new
-- entries (amcheck: every row version the index should have, it has)
-- ---------------------------------------------------------------------
CREATE INDEX lead_score_idx ON leadqual.lead (score);
-- on 06-02 lead 3 goes 24 -> 22, lead 2 NULL -> 0: 2
SELECT leadqual.rescore('2025-06-02 12:00', 'store') AS changed;
SELECT bt_index_check('leadqual.lead_score_idx', true) IS NOT NULL AS index_has_every_row;
SET enable_seqscan = off;
SET enable_bitmapscan = off;
SELECT lead_id, score FROM leadqual.lead WHERE score >= 0 ORDER BY score;
SELECT count(*) AS found_by_new_score FROM leadqual.lead WHERE score = 22;
SELECT count(*) AS found_by_old_score FROM leadqual.lead WHERE score = 24;
RESET enable_seqscan;
RESET enable_bitmapscan;
DROP INDEX leadqual.lead_score_idx;

-- ---------------------------------------------------------------------
-- constraints and generated columns
-- ---------------------------------------------------------------------
-- a CHECK lead 3's new score (21 on 06-03) breaks: the error of UPDATE,
-- and nothing written
ALTER TABLE leadqual.lead ADD CONSTRAINT score_over_21_5 CHECK (score > 21.5) NOT VALID;
SELECT pg_temp.try($$SELECT leadqual.rescore('2025-06-03 12:00', 'store')$$);
SELECT lead_id, score, scored_at FROM leadqual.lead ORDER BY lead_id;
ALTER TABLE leadqual.lead DROP CONSTRAINT score_over_21_5;
-- a stored generated column over score follows it: lead 3 2200 -> 2100
ALTER TABLE leadqual.lead ADD COLUMN score_cents float8 GENERATED ALWAYS AS (score * 100) STORED;
SELECT leadqual.rescore('2025-06-03 12:00', 'store') AS changed;
SELECT lead_id, score, score_cents FROM leadqual.lead ORDER BY lead_id;
-- (a dropped column stays in lead's rows: the writes below go past it)
ALTER TABLE leadqual.lead DROP COLUMN score_cents;

-- ---------------------------------------------------------------------
-- privileges and row-level security
-- ---------------------------------------------------------------------
CREATE ROLE lq_test_store_reader;
GRANT leadqual_reader TO lq_test_store_reader;
CREATE ROLE lq_test_store_cols;
GRANT leadqual_reader TO lq_test_store_cols;
GRANT UPDATE (fit_score, engagement_score, score, grade, scored_at) ON leadqual.lead TO lq_test_store_cols;
-- rescore_changes is internal (EXECUTE for leadqual_writer only, for rescore)
GRANT EXECUTE ON FUNCTION leadqual.rescore_changes(text, timestamptz, regclass) TO lq_test_store_cols;
CREATE ROLE lq_test_store_writer;
GRANT leadqual_writer TO lq_test_store_writer;

-- a reader may not write scores: it may not even call rescore()
SET ROLE lq_test_store_reader;
SELECT pg_temp.try($$SELECT leadqual.rescore('2025-06-04 12:00', 'store')$$);
RESET ROLE;
-- the UPDATE needs UPDATE on the five score columns and nothing more: with
-- the reader's SELECT and those, rescore's own statement writes lead 3
-- (21 -> 20.5) and nothing else
SET ROLE lq_test_store_cols;
BEGIN;
UPDATE leadqual.lead l
   SET fit_score = c.fit_score, engagement_score = c.engagement_score,
       score = c.score, grade = c.grade, scored_at = '2025-06-04 12:00'
  FROM leadqual.rescore_changes('store', '2025-06-04 12:00', 'leadqual.lead') c
 WHERE l.ctid = c.row_id AND l.lead_id = c.lead_id;
COMMIT;
RESET ROLE;
SELECT lead_id, score, scored_at FROM leadqual.lead ORDER BY lead_id;

-- lead under row-level security for the caller: refused, not written past
-- the policy
ALTER TABLE leadqual.lead ENABLE ROW LEVEL SECURITY;
CREATE POLICY only_lead_1 ON leadqual.lead USING (lead_id = 1);
SET ROLE lq_test_store_writer;
SELECT pg_temp.try($$SELECT leadqual.rescore('2025-06-05 12:00', 'store')$$);
RESET ROLE;
DROP POLICY only_lead_1 ON leadqual.lead;
ALTER TABLE leadqual.lead DISABLE ROW LEVEL SECURITY;

-- the same errors as rescore() for its arguments
SELECT pg_temp.try($$SELECT * FROM leadqual.rescore_changes('nope', '2025-06-05', 'leadqual.lead')$$);
SELECT pg_temp.try($$SELECT * FROM leadqual.rescore_changes('store', 'infinity', 'leadqual.lead')$$);

-- ---------------------------------------------------------------------
-- rewrite rules on lead apply to rescore's writes
-- ---------------------------------------------------------------------
CREATE TABLE rule_log (lead_id bigint, old_score float8, new_score float8);
CREATE RULE log_scores AS ON UPDATE TO leadqual.lead
    DO ALSO INSERT INTO public.rule_log VALUES (OLD.lead_id, OLD.score, NEW.score);
-- on 06-05 lead 3 goes 20.5 -> 20.25 (the only change): 1, logged by the rule
SELECT leadqual.rescore('2025-06-05 12:00', 'store') AS changed;
SELECT * FROM rule_log;
DROP RULE log_scores ON leadqual.lead;
DROP TABLE rule_log;

-- ---------------------------------------------------------------------
-- move candidates: a lead over the threshold, and a hand-raise
-- ---------------------------------------------------------------------
UPDATE leadqual.scoring_model SET mql_threshold = 25, hand_raise_types = '{open}' WHERE name = 'store';
-- on 06-06: lead 1 30 >= 25 with fit grade B (the minimum is D): a
-- candidate, its score unchanged; lead 3 has a hand-raise (its open of
-- 05-31) in inquiry: a candidate, and changed (20.25 -> 20.125, B4); lead 2
-- is neither, and unchanged: no row
SELECT lead_id, fit_score, engagement_score, score, grade, changed, move_candidate, last_hand_raise
  FROM leadqual.rescore_changes('store', '2025-06-06 12:00', 'leadqual.lead') ORDER BY lead_id;
-- rescore() on 06-06 writes lead 3 (20.125) and moves both into mql: 2
-- changed, lead 1 by its move only
SELECT leadqual.rescore('2025-06-06 12:00', 'store') AS changed;
SELECT lead_id, stage, score FROM leadqual.lead ORDER BY lead_id;

DROP TABLE trig_log;
DROP FUNCTION log_stmt(), log_before_row(), log_after_row(), log_transition(), touch_lead_3();
DROP EXTENSION leadqual CASCADE;
DROP EXTENSION amcheck;
DROP OWNED BY lq_test_store_reader, lq_test_store_cols, lq_test_store_writer;
DROP ROLE lq_test_store_reader, lq_test_store_cols, lq_test_store_writer;
