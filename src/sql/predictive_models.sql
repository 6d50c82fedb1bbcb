
/* src/sql/predictive_models.sql — lead-table predictive models (SPEC §8) */

/*
 * A predictive model says which features of a lead (taken at its snapshot,
 * the moment it first reached mql: the hand-off decision) predict that it
 * reaches `outcome` within `horizon`.  train_predictive() fits it with
 * logistic_regression (src/sql/predictive.sql) and stores the fit here;
 * predict(), explain_prediction() and lead_status.win_probability read it.
 *
 * The feature grammar (features text[]), each name one base feature:
 *   email, email_domain, company, job_title, industry, country,
 *   source_channel, source_campaign, seniority, company_size_band
 *       categorical: one-hot, one column per value seen in at least
 *       least(20, ceil(1 % of the training leads)) training leads;
 *       NULL or a rarer value: no column is 1.  email_domain is the part
 *       after the last '@', lower-cased.  seniority is derived from
 *       job_title (student, c_level, vp_director, manager, individual;
 *       checked in that order, case-insensitive, on whole words),
 *       company_size_band from company_size (0-9, 10-49, 50-199, 200-999,
 *       1000+);
 *   company_size, fit_score, engagement_score
 *       numbers (NULL: 0).  fit_score is fit_score(lead) of the lead's own
 *       scoring model; engagement_score is the engagement of the lead's
 *       events up to the snapshot under its model (as
 *       score(lead_id, snapshot).engagement_score);
 *   events.<type>
 *       how many events of that type the lead had at or before the
 *       snapshot;
 *   attributes.<key>
 *       lead.attributes -> key: a number if every value the training leads
 *       have there is a JSON number or boolean (true 1, false 0; other
 *       JSON: 0), else categorical over the text of the scalar values.
 *       The key may not contain '='.
 * Expanded names, one per coefficient after the intercept, go to
 * feature_names: the base name of a number, base=value of a category
 * column (e.g. source_channel=webinar, attributes.plan=pro).  A column
 * that is constant over the training leads is dropped (it carries no
 * information and would make an unpenalised fit singular).
 */
CREATE TABLE @extschema@.predictive_model (
    name          text PRIMARY KEY CHECK (name OPERATOR(pg_catalog.<>) ''),
    outcome       @extschema@.stage NOT NULL DEFAULT 'won',
    horizon       interval NOT NULL DEFAULT '180 days',
    features      text[] NOT NULL,
    l2            float8 NOT NULL DEFAULT 1,
    fit           @extschema@.logit_fit,
    feature_names text[],
    metrics       jsonb,
    trained_at    timestamptz,
    description   text,
    builtin       boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE @extschema@.predictive_model IS
    'predictive models: which lead features, taken at the first mql entry, predict reaching outcome within horizon; train_predictive() stores the fit';
COMMENT ON COLUMN @extschema@.predictive_model.name IS 'model name (predict(lead_id, name))';
COMMENT ON COLUMN @extschema@.predictive_model.outcome IS 'waterfall stage after mql to predict (sal, sql, opportunity or won); a skipped stage counts as reached';
COMMENT ON COLUMN @extschema@.predictive_model.horizon IS 'the outcome counts when reached within this time of the snapshot (positive)';
COMMENT ON COLUMN @extschema@.predictive_model.features IS 'base features: lead columns, seniority, company_size_band, email_domain, attributes.<key>, events.<type>, fit_score, engagement_score';
COMMENT ON COLUMN @extschema@.predictive_model.l2 IS 'ridge penalty of the fit (finite, >= 0; the intercept is not penalised)';
COMMENT ON COLUMN @extschema@.predictive_model.fit IS 'the fit train_predictive() stored (coefficients[1]: intercept); NULL: not trained';
COMMENT ON COLUMN @extschema@.predictive_model.feature_names IS 'expanded feature names, one per coefficient after the intercept (base, or base=value for a one-hot column)';
COMMENT ON COLUMN @extschema@.predictive_model.metrics IS 'the last training: rows, positives, hold-out rows and positives, auc, log_loss, brier, as_of, holdout, seed, min_support, converged, iterations';
COMMENT ON COLUMN @extschema@.predictive_model.trained_at IS 'when train_predictive() stored the fit';
COMMENT ON COLUMN @extschema@.predictive_model.description IS 'free text';
COMMENT ON COLUMN @extschema@.predictive_model.builtin IS 'true for a row shipped by the extension and not edited or trained since; such rows are not dumped by pg_dump because CREATE EXTENSION recreates them';

SELECT pg_catalog.pg_extension_config_dump('@extschema@.predictive_model', 'WHERE NOT builtin');

/*
 * predictive_split: an expanded feature name as (base, category).  An
 * events.<type> name is all base (the type may hold '='); attributes.<key>
 * names split at the first '=' after the key; the other names at their
 * first '='.  category NULL: a number column.
 */
CREATE FUNCTION @extschema@.predictive_split(feature_name text, OUT base text, OUT category text)
    RETURNS record
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT CASE WHEN feature_name OPERATOR(pg_catalog.^@) 'events.' OR s.pos OPERATOR(pg_catalog.=) 0
                THEN feature_name
                ELSE pg_catalog.left(feature_name, s.pos OPERATOR(pg_catalog.-) 1) END,
           CASE WHEN feature_name OPERATOR(pg_catalog.^@) 'events.' OR s.pos OPERATOR(pg_catalog.=) 0
                THEN NULL
                ELSE pg_catalog.substr(feature_name, s.pos OPERATOR(pg_catalog.+) 1) END
      FROM (SELECT CASE WHEN feature_name OPERATOR(pg_catalog.^@) 'attributes.'
                        THEN CASE WHEN pg_catalog.strpos(pg_catalog.substr(feature_name, 12), '=') OPERATOR(pg_catalog.=) 0
                                  THEN 0
                                  ELSE pg_catalog.strpos(pg_catalog.substr(feature_name, 12), '=') OPERATOR(pg_catalog.+) 11 END
                        ELSE pg_catalog.strpos(feature_name, '=') END AS pos) s;
END;
COMMENT ON FUNCTION @extschema@.predictive_split(text) IS
    'internal: an expanded predictive feature name as its base feature and its one-hot category (NULL: a number)';

/*
 * predictive_feature_kind: what a base feature is: 'category' (one-hot),
 * 'number', 'attribute' (decided by the training data), or NULL when the
 * name is not a feature.
 */
CREATE FUNCTION @extschema@.predictive_feature_kind(base text)
    RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN CASE
        WHEN base OPERATOR(pg_catalog.=) ANY ('{email,email_domain,company,job_title,industry,country,source_channel,source_campaign,seniority,company_size_band}'::text[])
            THEN 'category'
        WHEN base OPERATOR(pg_catalog.=) ANY ('{company_size,fit_score,engagement_score}'::text[])
            THEN 'number'
        WHEN base OPERATOR(pg_catalog.^@) 'events.' AND pg_catalog.length(base) OPERATOR(pg_catalog.>) 7
            THEN 'number'
        WHEN base OPERATOR(pg_catalog.^@) 'attributes.' AND pg_catalog.length(base) OPERATOR(pg_catalog.>) 11
             AND pg_catalog.strpos(base, '=') OPERATOR(pg_catalog.=) 0
            THEN 'attribute'
    END;
COMMENT ON FUNCTION @extschema@.predictive_feature_kind(text) IS
    'internal: category, number or attribute for a base predictive feature, NULL for an unknown name';

/*
 * validate_predictive_model: refuse a model row that could not be trained
 * or used, when it is written.  A change of what the model means
 * (features, outcome, horizon, l2) without a new fit clears the stored
 * fit: it answered another question.  A stored fit must match its
 * feature_names (a restored or hand-written row).
 */
CREATE FUNCTION @extschema@.validate_predictive_model() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    f text;
    bad text;
BEGIN
    IF NEW.outcome NOT IN ('sal', 'sql', 'opportunity', 'won') THEN
        RAISE EXCEPTION 'predictive model outcome must be a waterfall stage after mql'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('Model "%s" has outcome %s; a lead''s snapshot is its first mql entry, so the outcome is sal, sql, opportunity or won.', NEW.name, NEW.outcome),
                  HINT = 'Use outcome ''won'' (the default), ''opportunity'', ''sql'' or ''sal''.';
    END IF;
    IF NEW.horizon <= interval '0' THEN
        RAISE EXCEPTION 'predictive model horizon must be positive'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('Model "%s" has horizon %s.', NEW.name, NEW.horizon),
                  HINT = 'Use a positive interval, e.g. ''180 days''.';
    END IF;
    IF NEW.l2 IN ('NaN', 'Infinity', '-Infinity') THEN
        RAISE EXCEPTION 'predictive model l2 must be finite'
            USING ERRCODE = 'numeric_value_out_of_range',
                  DETAIL = format('Model "%s" has l2 %s.', NEW.name, NEW.l2),
                  HINT = 'Use a finite penalty >= 0, e.g. 1.';
    END IF;
    IF NEW.l2 < 0 THEN
        RAISE EXCEPTION 'predictive model l2 must not be negative'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('Model "%s" has l2 %s.', NEW.name, NEW.l2),
                  HINT = 'Use 0 (no penalty) or a positive penalty, e.g. 1.';
    END IF;
    IF cardinality(NEW.features) = 0 OR array_ndims(NEW.features) <> 1 THEN
        RAISE EXCEPTION 'predictive model features must be a non-empty one-dimensional array'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('Model "%s" has features %s.', NEW.name, NEW.features),
                  HINT = 'List base features, e.g. ''{source_channel,seniority,fit_score}''.';
    END IF;
    PERFORM @extschema@.predictive_feature_list(NEW.features);
    IF array_position(NEW.features, NULL) IS NOT NULL THEN
        RAISE EXCEPTION 'predictive model features must not contain NULL'
            USING ERRCODE = 'null_value_not_allowed',
                  DETAIL = format('Model "%s" has features %s.', NEW.name, NEW.features),
                  HINT = 'Remove the NULL element.';
    END IF;
    SELECT u INTO bad FROM unnest(NEW.features) u WHERE @extschema@.predictive_feature_kind(u) IS NULL LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'unknown predictive feature "%"', left(bad, 200)
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('Model "%s" lists it in features.', NEW.name),
                  HINT = 'Use a lead column (email, email_domain, company, job_title, industry, country, source_channel, source_campaign, company_size), seniority, company_size_band, fit_score, engagement_score, events.<type> or attributes.<key> (a key without ''='').';
    END IF;
    SELECT u INTO bad FROM unnest(NEW.features) u GROUP BY u HAVING count(*) > 1 LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'predictive feature "%" is listed twice', left(bad, 200)
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('Model "%s" lists it more than once in features.', NEW.name),
                  HINT = 'List each feature once.';
    END IF;
    IF TG_OP = 'UPDATE'
       AND (NEW.features, NEW.outcome, NEW.horizon, NEW.l2) IS DISTINCT FROM (OLD.features, OLD.outcome, OLD.horizon, OLD.l2)
       AND NEW.fit IS NOT DISTINCT FROM OLD.fit THEN
        NEW.fit := NULL;
        NEW.feature_names := NULL;
        NEW.metrics := NULL;
        NEW.trained_at := NULL;
    END IF;
    -- a fit is there unless every field is NULL (a row IS NOT NULL only when
    -- every field is not NULL)
    IF NOT (NEW.fit IS NULL) THEN
        IF NEW.feature_names IS NULL OR array_ndims(NEW.feature_names) IS DISTINCT FROM 1
           OR cardinality((NEW.fit).coefficients) IS DISTINCT FROM cardinality(NEW.feature_names) + 1 THEN
            RAISE EXCEPTION 'predictive model fit does not match its feature_names'
                USING ERRCODE = 'invalid_parameter_value',
                      DETAIL = format('Model "%s" has %s coefficients and %s feature names; there must be one coefficient per feature name plus the intercept.',
                                      NEW.name, coalesce(cardinality((NEW.fit).coefficients), 0), coalesce(cardinality(NEW.feature_names), 0)),
                      HINT = 'Let train_predictive() write fit and feature_names.';
        END IF;
        IF EXISTS (SELECT FROM unnest((NEW.fit).coefficients) c WHERE c IN ('NaN', 'Infinity', '-Infinity')) THEN
            RAISE EXCEPTION 'predictive model fit has a coefficient that is not finite'
                USING ERRCODE = 'numeric_value_out_of_range',
                      DETAIL = format('Model "%s" has coefficients %s.', NEW.name, left((NEW.fit).coefficients::text, 200)),
                      HINT = 'Let train_predictive() write fit and feature_names.';
        END IF;
        SELECT u INTO bad FROM unnest(NEW.feature_names) u, LATERAL @extschema@.predictive_split(u) s
         WHERE u IS NULL
            OR CASE @extschema@.predictive_feature_kind(s.base)
                    WHEN 'category' THEN s.category IS NULL
                    WHEN 'number' THEN s.category IS NOT NULL
                    WHEN 'attribute' THEN false
                    ELSE true END
         LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'invalid predictive feature name "%"', coalesce(left(bad, 200), 'NULL')
                USING ERRCODE = 'invalid_parameter_value',
                      DETAIL = format('Model "%s" lists it in feature_names.', NEW.name),
                      HINT = 'Let train_predictive() write fit and feature_names.';
        END IF;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@.validate_predictive_model() IS
    'trigger: refuses invalid predictive models (outcome, horizon, l2, features, a fit that does not match feature_names) and clears the fit when what the model means changes';

CREATE TRIGGER validate BEFORE INSERT OR UPDATE ON @extschema@.predictive_model
    FOR EACH ROW EXECUTE FUNCTION @extschema@.validate_predictive_model();
CREATE TRIGGER builtin_guard BEFORE INSERT OR UPDATE ON @extschema@.predictive_model
    FOR EACH ROW EXECUTE FUNCTION @extschema@.builtin_row_guard('name');

/*
 * predictive_feature_list: a feature list (base or expanded names) as it
 * is, or 54000 past 1000 entries: logistic_regression fits at most 1000
 * features, and a longer list would only make the feature pass slow.
 */
CREATE FUNCTION @extschema@.predictive_feature_list(features text[])
    RETURNS text[]
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF cardinality(features) > 1000 THEN
        RAISE EXCEPTION 'a predictive model has at most 1000 features'
            USING ERRCODE = 'program_limit_exceeded',
                  DETAIL = format('The list has %s.', cardinality(features)),
                  HINT = 'List fewer features.';
    END IF;
    RETURN features;
END
$$;
COMMENT ON FUNCTION @extschema@.predictive_feature_list(text[]) IS
    'internal: the feature list, or 54000 past 1000 features';

/*
 * predictive_observations: THE definition of a lead's features at its
 * snapshot, one row per lead and base feature: a number (num) or a
 * category (cat), NULL when the lead has none.  The snapshot is the lead's
 * first entry into a waterfall stage from mql on (stage_history; a skipped
 * mql counts as reached at the later entry, as in the reports), or as_of
 * when that is later or there is none.  Only what was known then counts:
 * events with occurred_at <= snapshot, engagement at the snapshot.  The
 * lead columns are the lead's current values (a CRM keeps no history of
 * them).  only_lead: that lead only; mql_until: only leads that reached
 * mql at or before it (training).  Only the parts the features need are
 * computed (each part's one-time filter skips it otherwise).  PL/pgSQL,
 * not a SQL function: on Citus a SQL function's query over distributed
 * tables with its arguments as parameters is refused ("parameterized
 * queries for SQL functions referencing distributed tables"), a PL/pgSQL
 * one is planned with their values; custom plans always, so that the
 * one-lead filter of predict() reaches the indexes.
 */
CREATE FUNCTION @extschema@.predictive_observations(features text[], as_of timestamptz,
                                                   only_lead bigint DEFAULT NULL,
                                                   mql_until timestamptz DEFAULT NULL)
    RETURNS TABLE (lead_id bigint, mql_at timestamptz, snapshot_at timestamptz,
                   feature text, num float8, cat text)
    LANGUAGE plpgsql STABLE PARALLEL SAFE ROWS 100000
    SET search_path = pg_catalog, pg_temp
    SET plan_cache_mode = force_custom_plan
AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH h AS (
        SELECT sh.lead_id, pg_catalog.min(sh.changed_at) AS mql_at
          FROM @extschema@.stage_history sh
         WHERE sh.to_stage OPERATOR(pg_catalog.>=) 'mql'::@extschema@.stage
           AND sh.to_stage OPERATOR(pg_catalog.<=) 'won'::@extschema@.stage
           AND (only_lead IS NULL OR sh.lead_id OPERATOR(pg_catalog.=) only_lead)
         GROUP BY sh.lead_id
    ), s AS MATERIALIZED (
        SELECT l.lead_id, l.model, h.mql_at,
               LEAST(h.mql_at, as_of) AS snapshot_at,
               CASE WHEN 'fit_score' OPERATOR(pg_catalog.=) ANY (features) THEN @extschema@.fit_score(l) END AS fit
          FROM @extschema@.lead l
          LEFT JOIN h ON h.lead_id OPERATOR(pg_catalog.=) l.lead_id
         WHERE (only_lead IS NULL OR l.lead_id OPERATOR(pg_catalog.=) only_lead)
           AND (mql_until IS NULL OR h.mql_at OPERATOR(pg_catalog.<=) mql_until)
    ), ev AS (
        SELECT e.lead_id, e.event_type, pg_catalog.count(*) AS n
          FROM s JOIN @extschema@.event e ON e.lead_id OPERATOR(pg_catalog.=) s.lead_id
                                         AND e.occurred_at OPERATOR(pg_catalog.<=) s.snapshot_at
         WHERE e.event_type OPERATOR(pg_catalog.=) ANY (
                   ARRAY(SELECT pg_catalog.substr(f, 8) FROM pg_catalog.unnest(features) f
                          WHERE f OPERATOR(pg_catalog.^@) 'events.'))
         GROUP BY e.lead_id, e.event_type
    ), eng AS (
        SELECT s.lead_id,
               @extschema@.engagement_score(s.model, e.event_type, e.properties, e.occurred_at, s.snapshot_at) AS v
          FROM s JOIN @extschema@.event e ON e.lead_id OPERATOR(pg_catalog.=) s.lead_id
                                         AND e.occurred_at OPERATOR(pg_catalog.<=) s.snapshot_at
         WHERE 'engagement_score' OPERATOR(pg_catalog.=) ANY (features)
         GROUP BY s.lead_id, s.model, s.snapshot_at
    )
    SELECT s.lead_id, s.mql_at, s.snapshot_at, f.name,
           CASE WHEN f.name OPERATOR(pg_catalog.=) 'company_size' THEN l.company_size::pg_catalog.float8
                WHEN f.name OPERATOR(pg_catalog.=) 'fit_score' THEN s.fit
                WHEN f.name OPERATOR(pg_catalog.=) 'engagement_score' THEN COALESCE(eng.v, 0::pg_catalog.float8)
                WHEN f.name OPERATOR(pg_catalog.^@) 'events.' THEN COALESCE(ev.n, 0)::pg_catalog.float8
                WHEN f.name OPERATOR(pg_catalog.^@) 'attributes.' THEN
                    CASE pg_catalog.jsonb_typeof(l.attributes OPERATOR(pg_catalog.->) pg_catalog.substr(f.name, 12))
                        WHEN 'number' THEN (l.attributes OPERATOR(pg_catalog.->) pg_catalog.substr(f.name, 12))::pg_catalog.float8
                        WHEN 'boolean' THEN CASE WHEN (l.attributes OPERATOR(pg_catalog.->) pg_catalog.substr(f.name, 12))::pg_catalog.bool
                                                 THEN 1::pg_catalog.float8 ELSE 0::pg_catalog.float8 END
                    END
           END AS num,
           CASE f.name
                WHEN 'email' THEN l.email
                WHEN 'email_domain' THEN
                    CASE WHEN pg_catalog.strpos(l.email, '@') OPERATOR(pg_catalog.>) 0
                         THEN pg_catalog.lower(pg_catalog.substring(l.email, '@([^@]*)$')) END
                WHEN 'company' THEN l.company
                WHEN 'job_title' THEN l.job_title
                WHEN 'industry' THEN l.industry
                WHEN 'country' THEN l.country
                WHEN 'source_channel' THEN l.source_channel
                WHEN 'source_campaign' THEN l.source_campaign
                WHEN 'seniority' THEN
                    CASE WHEN l.job_title IS NULL OR pg_catalog.btrim(l.job_title) OPERATOR(pg_catalog.=) '' THEN NULL
                         WHEN l.job_title OPERATOR(pg_catalog.~*) '(^|[^a-z])(student|intern|trainee)([^a-z]|$)' THEN 'student'
                         WHEN l.job_title OPERATOR(pg_catalog.~*) '(^|[^a-z])(chief|ceo|cto|cfo|cmo|coo|cio|cro|founder|co-founder|owner|president)([^a-z]|$)' THEN 'c_level'
                         WHEN l.job_title OPERATOR(pg_catalog.~*) '(^|[^a-z])(vp|svp|evp|vice president|head of|director)([^a-z]|$)' THEN 'vp_director'
                         WHEN l.job_title OPERATOR(pg_catalog.~*) '(^|[^a-z])(manager|lead)([^a-z]|$)' THEN 'manager'
                         ELSE 'individual' END
                WHEN 'company_size_band' THEN
                    CASE WHEN l.company_size IS NULL THEN NULL
                         WHEN l.company_size OPERATOR(pg_catalog.<) 10 THEN '0-9'
                         WHEN l.company_size OPERATOR(pg_catalog.<) 50 THEN '10-49'
                         WHEN l.company_size OPERATOR(pg_catalog.<) 200 THEN '50-199'
                         WHEN l.company_size OPERATOR(pg_catalog.<) 1000 THEN '200-999'
                         ELSE '1000+' END
                ELSE
                    CASE WHEN f.name OPERATOR(pg_catalog.^@) 'attributes.'
                          AND pg_catalog.jsonb_typeof(l.attributes OPERATOR(pg_catalog.->) pg_catalog.substr(f.name, 12))
                              OPERATOR(pg_catalog.=) ANY ('{string,number,boolean}'::text[])
                         THEN l.attributes OPERATOR(pg_catalog.->>) pg_catalog.substr(f.name, 12) END
           END AS cat
      FROM s
      JOIN @extschema@.lead l ON l.lead_id OPERATOR(pg_catalog.=) s.lead_id
     CROSS JOIN pg_catalog.unnest(@extschema@.predictive_feature_list(features)) f(name)
      LEFT JOIN ev ON ev.lead_id OPERATOR(pg_catalog.=) s.lead_id
                  AND f.name OPERATOR(pg_catalog.=) ('events.' OPERATOR(pg_catalog.||) ev.event_type)
      LEFT JOIN eng ON eng.lead_id OPERATOR(pg_catalog.=) s.lead_id
                   AND f.name OPERATOR(pg_catalog.=) 'engagement_score';
END
$$;
COMMENT ON FUNCTION @extschema@.predictive_observations(text[], timestamptz, bigint, timestamptz) IS
    'internal: every lead''s base predictive features at its snapshot (first mql entry, or as_of), one row per lead and feature: the one definition train_predictive, predict and explain_prediction use';

/*
 * predictive_bases: the distinct base features of expanded feature names.
 * IMMUTABLE, so that with a constant list it is folded at plan time
 * (predictive_observations then gets a plain array).
 */
CREATE FUNCTION @extschema@.predictive_bases(feature_names text[])
    RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT pg_catalog.array_agg(DISTINCT s.base)
      FROM pg_catalog.unnest(feature_names) u(name), LATERAL @extschema@.predictive_split(u.name) s;
END;
COMMENT ON FUNCTION @extschema@.predictive_bases(text[]) IS
    'internal: the distinct base features of a list of expanded predictive feature names';

/*
 * predictive_vectors: each lead's feature vector x in the order of
 * feature_names (the expanded names of a trained model), from
 * predictive_observations: a number column is the number (NULL: 0), a
 * one-hot column is 1 when the lead's category is its value, else 0.
 */
CREATE FUNCTION @extschema@.predictive_vectors(feature_names text[], as_of timestamptz,
                                              only_lead bigint DEFAULT NULL,
                                              mql_until timestamptz DEFAULT NULL)
    RETURNS TABLE (lead_id bigint, mql_at timestamptz, snapshot_at timestamptz, x float8[])
    LANGUAGE sql STABLE PARALLEL SAFE ROWS 10000
BEGIN ATOMIC
    WITH n AS (
        SELECT u.ord, s.base, s.category
          FROM pg_catalog.unnest(@extschema@.predictive_feature_list(feature_names)) WITH ORDINALITY u(name, ord),
               LATERAL @extschema@.predictive_split(u.name) s
    )
    SELECT o.lead_id, o.mql_at, o.snapshot_at,
           pg_catalog.array_agg(CASE WHEN n.category IS NULL THEN COALESCE(o.num, 0::pg_catalog.float8)
                                     WHEN o.cat OPERATOR(pg_catalog.=) n.category THEN 1::pg_catalog.float8
                                     ELSE 0::pg_catalog.float8 END
                                ORDER BY n.ord)
      FROM @extschema@.predictive_observations(@extschema@.predictive_bases(feature_names), as_of, only_lead, mql_until) o
      JOIN n ON n.base OPERATOR(pg_catalog.=) o.feature
     GROUP BY o.lead_id, o.mql_at, o.snapshot_at;
END;
COMMENT ON FUNCTION @extschema@.predictive_vectors(text[], timestamptz, bigint, timestamptz) IS
    'internal: every lead''s feature vector at its snapshot in the order of a trained model''s feature_names';

/*
 * predictive_holdout_key: where a lead falls in [0, 1) for the hold-out,
 * Knuth's multiplicative hash of (lead_id, seed) modulo 2^32 (OPERATOR()
 * has one precedence for every operator: the parentheses are all needed):
 * ((lead_id * 2654435761 + seed * 2246822519) mod 2^32) / 2^32, in exact
 * numeric arithmetic (a pocket calculator checks it).  A lead is held out
 * when its key is below the hold-out share.  Consecutive lead ids spread
 * evenly over [0, 1), so every period of the history is held out alike.
 */
CREATE FUNCTION @extschema@.predictive_holdout_key(lead_id bigint, seed integer)
    RETURNS float8
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN ((((((lead_id::pg_catalog.numeric OPERATOR(pg_catalog.*) 2654435761)
                 OPERATOR(pg_catalog.+) (seed::pg_catalog.numeric OPERATOR(pg_catalog.*) 2246822519))
                OPERATOR(pg_catalog.%) 4294967296) OPERATOR(pg_catalog.+) 4294967296)
              OPERATOR(pg_catalog.%) 4294967296)::pg_catalog.float8) OPERATOR(pg_catalog./) 4294967296::pg_catalog.float8;
COMMENT ON FUNCTION @extschema@.predictive_holdout_key(bigint, integer) IS
    'a lead''s place in [0, 1) for train_predictive''s hold-out: ((lead_id * 2654435761 + seed * 2246822519) mod 2^32) / 2^32; held out when below the hold-out share';

/*
 * predictive_eta: the linear predictor b1 + sum b(j+1) x(j) of a fit,
 * summed in feature order (what explain_prediction's contributions add up
 * to).  A sum that is not finite (NaN or infinite inputs, or an overflow)
 * is refused (22003), never returned.
 */
CREATE FUNCTION @extschema@.predictive_eta(fit @extschema@.logit_fit, x float8[])
    RETURNS float8
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    eta float8;
BEGIN
    SELECT (fit).coefficients[1] + coalesce(sum((fit).coefficients[u.j + 1] * u.v), 0)
      INTO eta
      FROM unnest(x) WITH ORDINALITY u(v, j);
    IF eta IN ('NaN', 'Infinity', '-Infinity') THEN
        RAISE EXCEPTION 'the log-odds of a prediction is not finite'
            USING ERRCODE = 'numeric_value_out_of_range',
                  DETAIL = format('The coefficients %s and the features %s sum to %s.',
                                  left((fit).coefficients::text, 200), left(x::text, 200), eta),
                  HINT = 'Check the fit and the features for infinite or huge values.';
    END IF;
    RETURN eta;
END
$$;
COMMENT ON FUNCTION @extschema@.predictive_eta(@extschema@.logit_fit, float8[]) IS
    'internal: the log-odds b1 + sum of b(j+1) * x(j) of a logistic fit';

/*
 * predictive_model_row: the shared argument checks of train_predictive,
 * predict, explain_prediction and predictions; returns the model row.
 */
CREATE FUNCTION @extschema@.predictive_model_row(name text, as_of timestamptz)
    RETURNS @extschema@.predictive_model
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    m @extschema@.predictive_model;
    known text;
BEGIN
    IF name IS NULL THEN
        RAISE EXCEPTION 'predictive model name must not be null'
            USING ERRCODE = 'null_value_not_allowed', HINT = 'Pass the name of a row of leadqual.predictive_model, e.g. ''default''.';
    END IF;
    IF as_of IS NULL THEN
        RAISE EXCEPTION 'as_of must not be null'
            USING ERRCODE = 'null_value_not_allowed', HINT = 'Pass a timestamp, e.g. now().';
    END IF;
    IF NOT isfinite(as_of) THEN
        RAISE EXCEPTION 'as_of must be a finite timestamp'
            USING ERRCODE = 'datetime_field_overflow',
                  DETAIL = 'Snapshots and horizons are instants; infinity is not one.',
                  HINT = 'Pass a finite timestamp, e.g. now().';
    END IF;
    SELECT * INTO m FROM @extschema@.predictive_model p WHERE p.name = predictive_model_row.name;
    IF NOT FOUND THEN
        SELECT string_agg(format('%L', p.name), ', ' ORDER BY p.name) INTO known
          FROM (SELECT p.name FROM @extschema@.predictive_model p ORDER BY p.name LIMIT 10) p;
        RAISE EXCEPTION 'predictive model "%" does not exist', left(name, 200)
            USING ERRCODE = 'undefined_object',
                  HINT = coalesce(format('Use one of %s, or insert the model into leadqual.predictive_model.', known),
                                  'Insert the model into leadqual.predictive_model.');
    END IF;
    RETURN m;
END
$$;
COMMENT ON FUNCTION @extschema@.predictive_model_row(text, timestamptz) IS
    'internal: the predictive model row of that name, after checking the name and as_of (42704 when it does not exist)';

/*
 * train_predictive: fit the model on the leads whose snapshot (first mql
 * entry) is at least horizon before as_of, keeping the leads whose hold-out
 * key is below holdout aside; store the fit and the metrics; return them.
 * Metrics on the held-out leads: AUC (Mann-Whitney: the share of
 * (positive, negative) pairs the model ranks right, ties counted half,
 * ranked by the log-odds), log loss (mean of -ln p of what happened,
 * computed from the log-odds, so finite even where p rounds to 0 or 1),
 * Brier score (mean of (p - y)^2).  NULL when the hold-out is empty (AUC:
 * when it lacks either class).
 */
CREATE FUNCTION @extschema@.train_predictive(name text, as_of timestamptz DEFAULT pg_catalog.now(),
                                            holdout float8 DEFAULT 0.2, seed integer DEFAULT 1)
    RETURNS TABLE (metric text, value float8)
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    m @extschema@.predictive_model;
    cutoff timestamptz;
    eligible bigint;
    n_train bigint;
    n_pos bigint;
    support bigint;
    names text[];
    r record;
    met jsonb;
BEGIN
    m := @extschema@.predictive_model_row(name, as_of);
    IF holdout IS NULL OR seed IS NULL THEN
        RAISE EXCEPTION '% must not be null', CASE WHEN holdout IS NULL THEN 'holdout' ELSE 'seed' END
            USING ERRCODE = 'null_value_not_allowed', HINT = 'Pass holdout in [0, 1) (default 0.2) and an integer seed (default 1).';
    END IF;
    IF holdout IN ('NaN', 'Infinity', '-Infinity') OR holdout < 0 OR holdout >= 1 THEN
        RAISE EXCEPTION 'holdout must be in [0, 1)'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('holdout is %s: the share of the leads kept aside to measure the model.', holdout),
                  HINT = 'Pass e.g. 0.2 (a fifth held out) or 0 (train on every lead, no metrics).';
    END IF;
    PERFORM 1 FROM @extschema@.predictive_model p WHERE p.name = m.name FOR UPDATE;
    BEGIN
        cutoff := as_of - m.horizon;
    EXCEPTION WHEN datetime_field_overflow THEN
        RAISE EXCEPTION 'as_of minus the horizon is out of range'
            USING ERRCODE = 'datetime_field_overflow',
                  DETAIL = format('as_of %s minus horizon %s is not a timestamp.', as_of, m.horizon),
                  HINT = 'Pass a later as_of.';
    END;

    -- the expanded features: a one-hot column per category seen in at least
    -- support training leads; constant columns dropped
    WITH o AS MATERIALIZED (
        SELECT o.*, @extschema@.predictive_holdout_key(o.lead_id, seed) < holdout AS held
          FROM @extschema@.predictive_observations(m.features, as_of, NULL, cutoff) o
    ), t AS (
        SELECT * FROM o WHERE NOT o.held
    ), counts AS (
        SELECT (SELECT count(DISTINCT o.lead_id) FROM o) AS eligible,
               (SELECT count(DISTINCT t.lead_id) FROM t) AS n
    ), lab AS (
        SELECT sh.lead_id, min(sh.changed_at) AS outcome_at
          FROM @extschema@.stage_history sh
         WHERE sh.to_stage >= m.outcome AND sh.to_stage <= 'won'::@extschema@.stage
         GROUP BY sh.lead_id
    ), pos AS (
        SELECT count(*) AS n_pos
          FROM (SELECT DISTINCT t.lead_id, t.mql_at FROM t) tl
          JOIN lab ON lab.lead_id = tl.lead_id AND lab.outcome_at <= tl.mql_at + m.horizon
    ), sup AS (
        SELECT c.eligible, c.n, least(20, ceil(0.01 * c.n))::bigint AS support FROM counts c
    ), f AS (
        SELECT u.name, u.ord, @extschema@.predictive_feature_kind(u.name) AS kind
          FROM unnest(m.features) WITH ORDINALITY u(name, ord)
    ), kinds AS (
        SELECT f.name, f.ord,
               CASE WHEN f.kind <> 'attribute' THEN f.kind
                    WHEN bool_and(t.num IS NOT NULL OR t.cat IS NULL) AND bool_or(t.num IS NOT NULL) THEN 'number'
                    ELSE 'category' END AS kind,
               coalesce(min(coalesce(t.num, 0)) < max(coalesce(t.num, 0)), false) AS varies
          FROM f LEFT JOIN t ON t.feature = f.name
         GROUP BY f.name, f.ord, f.kind
    ), cols AS (
        -- a number column, or one per category, most frequent first (ties:
        -- by the value's bytes, so the order does not depend on collation)
        SELECT k.ord, 0::bigint AS rank, k.name AS col
          FROM kinds k WHERE k.kind = 'number' AND k.varies
        UNION ALL
        SELECT k.ord, row_number() OVER (PARTITION BY k.ord ORDER BY count(*) DESC, t.cat COLLATE pg_catalog."C"), k.name || '=' || t.cat
          FROM kinds k JOIN t ON t.feature = k.name AND t.cat IS NOT NULL, sup
         WHERE k.kind = 'category'
         GROUP BY k.ord, k.name, t.cat, sup.support, sup.n
        HAVING count(*) >= sup.support AND count(*) < sup.n
    )
    SELECT sup.eligible, sup.n, sup.support, (SELECT pos.n_pos FROM pos),
           (SELECT array_agg(cols.col ORDER BY cols.ord, cols.rank) FROM cols)
      INTO eligible, n_train, support, n_pos, names
      FROM sup;

    IF n_train = 0 THEN
        RAISE EXCEPTION 'no lead to train predictive model "%" on', m.name
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = format('%s leads entered mql at least %s (the horizon) before %s; %s of them are held out.',
                                  eligible, m.horizon, as_of, eligible - n_train),
                  HINT = 'Train on leads with a known outcome: pass a later as_of, shorten the horizon, lower holdout, or load the stage history.';
    END IF;
    IF n_pos = 0 OR n_pos = n_train THEN
        RAISE EXCEPTION 'the training leads of predictive model "%" are all %', m.name,
                        CASE WHEN n_pos = 0 THEN 'negative' ELSE 'positive' END
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = format('%s training leads, %s of them reached %s within %s of their first mql entry; a model needs both outcomes.',
                                  n_train, n_pos, m.outcome, m.horizon),
                  HINT = 'Train on more leads (a later as_of, a lower holdout), or predict an earlier outcome or over a longer horizon.';
    END IF;
    IF names IS NULL THEN
        RAISE EXCEPTION 'no feature of predictive model "%" varies among its training leads', m.name
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = format('%s training leads; every listed feature is constant over them, or its categories are seen in fewer than %s of them.', n_train, support),
                  HINT = 'Add features to leadqual.predictive_model.features, or train on more leads.';
    END IF;
    IF cardinality(names) > 1000 THEN
        RAISE EXCEPTION 'predictive model "%" would have % feature columns', m.name, cardinality(names)
            USING ERRCODE = 'program_limit_exceeded',
                  DETAIL = 'logistic_regression fits at most 1000 features; one-hot columns are made for every category seen in enough training leads.',
                  HINT = 'Drop a feature with many values (e.g. company or email) from features.';
    END IF;

    -- the fit on the training leads, the metrics on the held-out ones
    WITH lab AS (
        SELECT sh.lead_id, min(sh.changed_at) AS outcome_at
          FROM @extschema@.stage_history sh
         WHERE sh.to_stage >= m.outcome AND sh.to_stage <= 'won'::@extschema@.stage
         GROUP BY sh.lead_id
    ), v AS MATERIALIZED (
        SELECT x.lead_id, x.x,
               coalesce(lab.outcome_at <= x.mql_at + m.horizon, false) AS y,
               @extschema@.predictive_holdout_key(x.lead_id, seed) < holdout AS held
          FROM @extschema@.predictive_vectors(names, as_of, NULL, cutoff) x
          LEFT JOIN lab ON lab.lead_id = x.lead_id
    ), f AS (
        SELECT @extschema@.logistic_regression(v.y, v.x, m.l2) AS fit,
               count(*) AS rows, count(*) FILTER (WHERE v.y) AS positives
          FROM v WHERE NOT v.held
    ), h AS (
        SELECT v.y, @extschema@.predictive_eta(f.fit, v.x) AS eta, @extschema@.logit_predict(f.fit, v.x) AS p
          FROM v, f WHERE v.held
    ), ranked AS (
        SELECT h.y, (rank() OVER (ORDER BY h.eta))::numeric
                    + (count(*) OVER (PARTITION BY h.eta) - 1)::numeric / 2 AS r
          FROM h
    ), auc AS (
        SELECT count(*) FILTER (WHERE ranked.y) AS n1, count(*) FILTER (WHERE NOT ranked.y) AS n0,
               sum(ranked.r) FILTER (WHERE ranked.y) AS rank_sum
          FROM ranked
    )
    SELECT f.fit, f.rows, f.positives,
           (SELECT count(*) FROM h) AS holdout_rows,
           (SELECT count(*) FILTER (WHERE h.y) FROM h) AS holdout_positives,
           (SELECT CASE WHEN auc.n1 > 0 AND auc.n0 > 0
                        THEN ((auc.rank_sum - auc.n1 * (auc.n1 + 1) / 2.0) / (auc.n1 * auc.n0))::float8 END
              FROM auc) AS auc,
           (SELECT avg(greatest(z, 0) + CASE WHEN abs(z) < 700 THEN ln(1 + exp(-abs(z))) ELSE 0 END)
              FROM (SELECT CASE WHEN h.y THEN -h.eta ELSE h.eta END AS z FROM h) hz) AS log_loss,
           (SELECT avg(CASE WHEN abs(d) < 1e-150 THEN 0 ELSE d * d END)
              FROM (SELECT h.p - CASE WHEN h.y THEN 1 ELSE 0 END AS d FROM h) hd) AS brier
      INTO r
      FROM f;

    IF NOT coalesce((r.fit).converged, false) THEN
        RAISE WARNING 'the fit of predictive model "%" did not converge', m.name
            USING DETAIL = 'The training leads are separable (a feature or combination predicts the outcome perfectly); the coefficients are the last Newton iterate.',
                  HINT = 'Raise l2 in leadqual.predictive_model, or drop the feature that separates.';
    END IF;

    met := jsonb_build_object(
        'rows', r.rows, 'positives', r.positives,
        'holdout_rows', r.holdout_rows, 'holdout_positives', r.holdout_positives,
        'features', cardinality(names),
        'auc', r.auc, 'log_loss', r.log_loss, 'brier', r.brier,
        'converged', (r.fit).converged, 'iterations', (r.fit).iterations,
        'as_of', as_of, 'holdout', holdout, 'seed', seed, 'min_support', support);
    UPDATE @extschema@.predictive_model p
       SET fit = r.fit, feature_names = names, metrics = met, trained_at = now()
     WHERE p.name = m.name;

    RETURN QUERY VALUES
        ('rows', r.rows::float8),
        ('positives', r.positives::float8),
        ('holdout_rows', r.holdout_rows::float8),
        ('holdout_positives', r.holdout_positives::float8),
        ('features', cardinality(names)::float8),
        ('auc', r.auc),
        ('log_loss', r.log_loss),
        ('brier', r.brier),
        ('converged', CASE WHEN (r.fit).converged THEN 1 ELSE 0 END::float8),
        ('iterations', (r.fit).iterations::float8);
END
$$;
COMMENT ON FUNCTION @extschema@.train_predictive(text, timestamptz, float8, integer) IS
    'fits a predictive model on the leads whose first mql entry is at least horizon before as_of, holding out a deterministic share; stores fit, feature_names and metrics; returns rows, positives, holdout_rows, holdout_positives, features, auc, log_loss, brier, converged, iterations';

/*
 * predictive_lead_vector: one lead's vector for a trained model (NULL while
 * the model is untrained), P0002 when the lead does not exist.
 */
CREATE FUNCTION @extschema@.predictive_lead_vector(m @extschema@.predictive_model, lead_id bigint, as_of timestamptz)
    RETURNS float8[]
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    x float8[];
BEGIN
    IF lead_id IS NULL THEN
        RAISE EXCEPTION 'lead_id must not be null'
            USING ERRCODE = 'null_value_not_allowed', HINT = 'Pass a lead_id from leadqual.lead.';
    END IF;
    PERFORM FROM @extschema@.lead l WHERE l.lead_id = predictive_lead_vector.lead_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'lead % does not exist', lead_id
            USING ERRCODE = 'no_data_found', HINT = 'Use a lead_id from leadqual.lead.';
    END IF;
    IF m.fit IS NULL OR (m.fit).coefficients IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT v.x INTO x FROM @extschema@.predictive_vectors(m.feature_names, as_of, lead_id) v;
    RETURN x;
END
$$;
COMMENT ON FUNCTION @extschema@.predictive_lead_vector(@extschema@.predictive_model, bigint, timestamptz) IS
    'internal: one lead''s feature vector at its snapshot for a trained model (P0002 when the lead does not exist)';

/*
 * predict: the probability that the lead reaches the model's outcome within
 * its horizon of the snapshot (first mql entry, or as_of if the lead has
 * none by then).  NULL while the model is untrained (so lead_status shows
 * NULL until someone trains the default model).
 */
CREATE FUNCTION @extschema@.predict(lead_id bigint, name text DEFAULT 'default', as_of timestamptz DEFAULT pg_catalog.now())
    RETURNS float8
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    m @extschema@.predictive_model;
    x float8[];
BEGIN
    m := @extschema@.predictive_model_row(name, as_of);
    x := @extschema@.predictive_lead_vector(m, lead_id, as_of);
    IF x IS NULL THEN
        RETURN NULL;
    END IF;
    RETURN @extschema@.logit_predict(m.fit, x);
END
$$;
COMMENT ON FUNCTION @extschema@.predict(bigint, text, timestamptz) IS
    'probability that the lead reaches the predictive model''s outcome within its horizon, from its features at its snapshot (first mql entry, or as_of); NULL while the model is untrained';

/*
 * explain_prediction: the ledger of predict(): the intercept (value 1),
 * then each feature column with the lead's value and coefficient × value.
 * The contributions sum to the log-odds ln(p / (1 - p)).  55000 while the
 * model is untrained (there is nothing to explain).
 */
CREATE FUNCTION @extschema@.explain_prediction(lead_id bigint, name text DEFAULT 'default', as_of timestamptz DEFAULT pg_catalog.now())
    RETURNS TABLE (feature text, value float8, contribution float8)
    LANGUAGE plpgsql STABLE PARALLEL SAFE ROWS 20
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    m @extschema@.predictive_model;
    x float8[];
BEGIN
    m := @extschema@.predictive_model_row(name, as_of);
    x := @extschema@.predictive_lead_vector(m, lead_id, as_of);
    IF m.fit IS NULL OR (m.fit).coefficients IS NULL THEN
        RAISE EXCEPTION 'predictive model "%" is not trained', m.name
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = format('Run SELECT * FROM leadqual.train_predictive(%L).', m.name);
    END IF;
    -- a ledger that does not add up to a finite log-odds is refused (22003)
    PERFORM @extschema@.predictive_eta(m.fit, x);
    RETURN QUERY
        SELECT 'intercept'::text, 1::float8, (m.fit).coefficients[1]
        UNION ALL
        (SELECT u.name, x[u.j], (m.fit).coefficients[u.j + 1] * x[u.j]
           FROM unnest(m.feature_names) WITH ORDINALITY u(name, j)
          ORDER BY u.j);
END
$$;
COMMENT ON FUNCTION @extschema@.explain_prediction(bigint, text, timestamptz) IS
    'ledger of predict(): the intercept (value 1), then each feature column with the lead''s value and its contribution (coefficient x value); contributions sum to ln(p / (1 - p))';

/*
 * predictions: every lead's probability under a trained model in one pass
 * (one predictive_observations over all leads), as predict() gives it for
 * each.  No rows while the model is untrained.
 */
CREATE FUNCTION @extschema@.predictions(name text DEFAULT 'default', as_of timestamptz DEFAULT pg_catalog.now())
    RETURNS TABLE (lead_id bigint, snapshot_at timestamptz, probability float8)
    LANGUAGE plpgsql STABLE PARALLEL SAFE ROWS 10000
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    m @extschema@.predictive_model;
BEGIN
    m := @extschema@.predictive_model_row(name, as_of);
    IF m.fit IS NULL OR (m.fit).coefficients IS NULL THEN
        RETURN;
    END IF;
    RETURN QUERY
        SELECT v.lead_id, v.snapshot_at, @extschema@.logit_predict(m.fit, v.x)
          FROM @extschema@.predictive_vectors(m.feature_names, as_of) v;
END
$$;
COMMENT ON FUNCTION @extschema@.predictions(text, timestamptz) IS
    'every lead''s probability under a predictive model (as predict() gives it) in one pass, with its snapshot; no rows while the model is untrained';

/*
 * lead_win_probabilities: lead_status's and score_calibration's source:
 * predictions() of the default model at now(), no rows while it is
 * untrained or missing (a report must not fail because the model row was
 * deleted), nor when it cannot predict (then with a WARNING).  The
 * predictions are collected before any is returned, so a failure midway
 * leaves no partial result.
 */
CREATE FUNCTION @extschema@.lead_win_probabilities()
    RETURNS TABLE (lead_id bigint, win_probability float8)
    LANGUAGE plpgsql STABLE PARALLEL RESTRICTED ROWS 10000
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    ids bigint[];
    ps float8[];
BEGIN
    IF NOT EXISTS (SELECT FROM @extschema@.predictive_model p
                    WHERE p.name = 'default' AND (p.fit).coefficients IS NOT NULL) THEN
        RETURN;
    END IF;
    BEGIN
        SELECT array_agg(p.lead_id), array_agg(p.probability) INTO ids, ps
          FROM @extschema@.predictions('default', now()) p;
    EXCEPTION WHEN numeric_value_out_of_range THEN
        -- one lead's features (a number past float8) or a hand-made fit
        -- (a log-odds past float8): the report still reads, without
        -- predictions, and says why
        RAISE WARNING 'lead_status.win_probability is NULL: the default predictive model cannot predict'
            USING DETAIL = SQLERRM,
                  HINT = 'Retrain it with train_predictive(''default''), or fix the lead whose features are out of range.';
        RETURN;
    END;
    RETURN QUERY SELECT u.id, u.p FROM unnest(ids, ps) u(id, p);
END
$$;
COMMENT ON FUNCTION @extschema@.lead_win_probabilities() IS
    'internal: every lead''s probability under the default predictive model at now(); no rows while it is untrained or missing';

/*
 * The shipped default model: who the lead is (seniority, company size
 * band, channel), what it did by the hand-off (hand-raises, webinars,
 * content downloads, pricing interest through engagement) and the rule
 * scores at the snapshot; won within 180 days of the first mql entry.
 */
INSERT INTO @extschema@.predictive_model (name, outcome, horizon, features, l2, description, builtin)
VALUES ('default', 'won', '180 days',
        '{seniority,company_size_band,source_channel,events.demo_request,events.contact_request,events.webinar_attended,events.content_download,fit_score,engagement_score}',
        1, 'B2B win model: seniority, company size band, channel, hand-raises and content at the first mql entry, fit and engagement at the snapshot; won within 180 days',
        true);

/*
 * Parallel labels: the readers are PARALLEL SAFE (they only read, with the
 * caller's rights); lead_win_probabilities is RESTRICTED (its exception
 * block is a subtransaction, which a parallel worker cannot start);
 * train_predictive writes, so UNSAFE.
 *
 * The trigger function is nobody's to call (a trigger does not check
 * EXECUTE).  The internal helpers keep EXECUTE for PUBLIC: predict() and
 * the reports call them with the caller's rights, and they read only what
 * the caller may read.
 */
REVOKE EXECUTE ON FUNCTION @extschema@.validate_predictive_model() FROM PUBLIC;
