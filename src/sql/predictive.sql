
/* src/sql/predictive.sql — STAND-IN on branch pred only: the lead engineer's
 * version (src/predictive/logit.c and this file's top part) replaces it at
 * merge.  A slow PL/pgSQL Newton solver with the contract's interface, so
 * that predictive_models.sql can be built and tested before the C core lands.
 */

CREATE TYPE @extschema@.logit_fit AS (coefficients float8[], std_errors float8[], log_likelihood float8,
                                      iterations integer, converged boolean, rows bigint);

CREATE FUNCTION @extschema@.logit_standin_trans(s float8[], y boolean, x float8[], l2 float8)
    RETURNS float8[] LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF y IS NULL OR x IS NULL THEN RETURN s; END IF;
    IF s IS NULL THEN s := ARRAY[cardinality(x), l2]; END IF;
    IF cardinality(x) <> s[1] THEN RAISE EXCEPTION 'ragged x' USING ERRCODE = '22023'; END IF;
    RETURN s || (CASE WHEN y THEN 1 ELSE 0 END)::float8 || x;
END $$;

CREATE FUNCTION @extschema@.logit_standin_final(s float8[])
    RETURNS @extschema@.logit_fit LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    k int; p int; n int; l2 float8; b float8[]; g float8[]; h float8[]; a float8[];
    i int; j int; r int; c int; eta float8; pr float8; w float8; off int; it int := 0;
    ll float8; piv float8; f float8; step float8[]; conv boolean := false; mx float8;
BEGIN
    IF s IS NULL THEN RETURN NULL; END IF;
    k := s[1]::int; l2 := s[2]; p := k + 1; n := (cardinality(s) - 2) / (k + 1);
    b := array_fill(0::float8, ARRAY[p]);
    LOOP
        it := it + 1;
        g := array_fill(0::float8, ARRAY[p]);
        h := array_fill(0::float8, ARRAY[p * p]);
        FOR r IN 0 .. n - 1 LOOP
            off := 2 + r * (k + 1);
            eta := b[1];
            FOR j IN 1 .. k LOOP eta := eta + b[j + 1] * s[off + 1 + j]; END LOOP;
            pr := 1 / (1 + exp(-eta)); w := pr * (1 - pr);
            FOR i IN 1 .. p LOOP
                g[i] := g[i] + (s[off + 1] - pr) * CASE WHEN i = 1 THEN 1 ELSE s[off + i] END;
                FOR j IN 1 .. p LOOP
                    h[(i - 1) * p + j] := h[(i - 1) * p + j] + w * CASE WHEN i = 1 THEN 1 ELSE s[off + i] END
                                                                  * CASE WHEN j = 1 THEN 1 ELSE s[off + j] END;
                END LOOP;
            END LOOP;
        END LOOP;
        FOR i IN 2 .. p LOOP g[i] := g[i] - l2 * b[i]; h[(i - 1) * p + i] := h[(i - 1) * p + i] + l2; END LOOP;
        -- solve h step = g (Gauss-Jordan, no pivoting needed for SPD)
        a := h; step := g;
        FOR c IN 1 .. p LOOP
            piv := a[(c - 1) * p + c];
            IF abs(piv) < 1e-300 THEN RAISE EXCEPTION 'singular' USING ERRCODE = '22023'; END IF;
            FOR r IN 1 .. p LOOP
                IF r <> c THEN
                    f := a[(r - 1) * p + c] / piv;
                    FOR j IN 1 .. p LOOP a[(r - 1) * p + j] := a[(r - 1) * p + j] - f * a[(c - 1) * p + j]; END LOOP;
                    step[r] := step[r] - f * step[c];
                END IF;
            END LOOP;
        END LOOP;
        mx := 0;
        FOR i IN 1 .. p LOOP
            b[i] := b[i] + step[i] / a[(i - 1) * p + i];
            mx := greatest(mx, abs(step[i] / a[(i - 1) * p + i]));
        END LOOP;
        IF mx < 1e-12 THEN conv := true; EXIT; END IF;
        EXIT WHEN it >= 50;
    END LOOP;
    ll := 0;
    FOR r IN 0 .. n - 1 LOOP
        off := 2 + r * (k + 1);
        eta := b[1];
        FOR j IN 1 .. k LOOP eta := eta + b[j + 1] * s[off + 1 + j]; END LOOP;
        ll := ll - CASE WHEN s[off + 1] = 1 THEN greatest(-eta, 0) + ln(1 + exp(-abs(eta)))
                        ELSE greatest(eta, 0) + ln(1 + exp(-abs(eta))) END;
    END LOOP;
    RETURN ROW(b, NULL, ll, it, conv, n)::@extschema@.logit_fit;
END $$;

CREATE AGGREGATE @extschema@.logistic_regression(y boolean, x float8[], l2 float8) (
    SFUNC = @extschema@.logit_standin_trans, STYPE = float8[],
    FINALFUNC = @extschema@.logit_standin_final);

CREATE FUNCTION @extschema@.logit_predict(fit @extschema@.logit_fit, x float8[])
    RETURNS float8 LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE eta float8; j int;
BEGIN
    IF (fit).coefficients IS NULL THEN RETURN NULL; END IF;
    IF cardinality(x) <> cardinality((fit).coefficients) - 1 THEN
        RAISE EXCEPTION 'x has the wrong length' USING ERRCODE = '22023';
    END IF;
    eta := (fit).coefficients[1];
    FOR j IN 1 .. cardinality(x) LOOP eta := eta + (fit).coefficients[j + 1] * x[j]; END LOOP;
    RETURN CASE WHEN eta >= 0 THEN 1 / (1 + exp(-eta)) ELSE exp(eta) / (1 + exp(eta)) END;
END $$;
