
/* src/sql/report_html.sql — the HTML report (SPEC §5): report_html() and its two helpers */

/*
 * report_html(model) renders the report views (src/sql/reports.sql) as one
 * self-contained page: well-formed XHTML (an XML parser reads it, so does
 * every browser), inline SVG charts, no script, no link, no external
 * asset.  It is readable without CSS: every chart is an SVG with a <title>,
 * a heading above it and axis labels, its colours are SVG attributes, and
 * every number of a chart is also printed as text next to its bar and in
 * the table under it.  The <style> element only lays the page out.
 *
 * The page is ASCII in a UTF-8 database: every user-supplied string
 * (channel, campaign, owner, reason code and label, model name) goes
 * through report_html_escape, which writes the five XML specials and every
 * non-ASCII character as references and replaces the characters XML 1.0
 * does not allow (C0 controls but tab, newline and CR; U+FFFE, U+FFFF) by
 * U+FFFD.  So a channel named <script>alert(1)</script> shows as text, and
 * no stored string can end the page's well-formedness.  Strings the page
 * writes itself (headings, stage names of the enum, numbers) are ASCII
 * and free of specials.
 *
 * All three functions run with the caller's rights (SECURITY INVOKER;
 * the views are security_invoker too), so row-level
 * security on lead holds on the page: a rep's page counts only the rep's
 * leads.  search_path is pinned, so every unqualified operator and
 * function below is pg_catalog's; leadqual's objects are written with
 * @extschema@.
 */

/*
 * report_html_escape(s): s for XML text and attribute context, as ASCII in
 * a UTF-8 database (other database encodings: non-ASCII characters are
 * left as they are, the page is then in the client's encoding).  NULL for
 * NULL.  The common case, printable ASCII only, is five replace() calls;
 * otherwise each distinct other character is replaced once.  IMMUTABLE:
 * it depends on its argument and the database's encoding, which never
 * changes.
 */
CREATE FUNCTION @extschema@.report_html_escape(s text)
    RETURNS text
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    utf8 boolean;
    c text;
    code integer;
BEGIN
    s := replace(replace(replace(replace(replace(s, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'),
                         '"', '&quot;'), '''', '&#39;');
    IF s ~ '^[ -~]*$' THEN
        RETURN s;
    END IF;
    utf8 := getdatabaseencoding() = 'UTF8';
    FOR c IN SELECT DISTINCT m[1] FROM regexp_matches(s, '[^ -~]', 'g') AS m LOOP
        IF octet_length(c) = 1 THEN
            code := ascii(c);           /* ASCII, or a byte of a one-byte encoding */
        ELSIF utf8 THEN
            code := ascii(c);           /* the code point */
        ELSE
            CONTINUE;                   /* a multibyte character of another encoding */
        END IF;
        IF (code < 32 AND code NOT IN (9, 10, 13)) OR (utf8 AND code IN (65534, 65535)) THEN
            s := replace(s, c, '&#65533;');     /* not a character of XML 1.0 */
        ELSIF code < 128 OR utf8 THEN
            s := replace(s, c, '&#' || code || ';');
        END IF;                                 /* else: a byte of a one-byte encoding, as it is */
    END LOOP;
    RETURN s;
END
$$;
COMMENT ON FUNCTION @extschema@.report_html_escape(text) IS
    'internal (report_html): the string for XML text and attribute context: & < > " '' as entities, non-ASCII characters as character references (UTF-8 databases), characters XML 1.0 forbids as U+FFFD';

/*
 * report_html_bars: one horizontal bar chart as an SVG element.  Row i has
 * the label labels[i], a bar of up to three stacked segments v1[i], v2[i],
 * v3[i] (green-blue, red, grey; v2 and v3 may be NULL), an optional thin
 * bar under it (under[i], orange) and the text notes[i] after the bar.
 * percent: the values are fractions and the axis runs 0 % … 100 %;
 * otherwise the axis runs from 0 to 4 round steps at or above scale (or
 * the longest bar when scale is NULL).  A value that is NULL,
 * negative, NaN or not below 10^15 draws no bar, a bar longer than the
 * axis stops at its end: no coordinate is ever NaN or infinite.  legend
 * names the segments (and the thin bar, as its fourth element).  Labels
 * longer than 28 characters are cut for the chart (the tables print them
 * whole).  At most the first 50 rows are drawn (report_html draws 15 at
 * most).
 */
CREATE FUNCTION @extschema@.report_html_bars(title text, axis_label text, labels text[],
                                             v1 numeric[], v2 numeric[], v3 numeric[],
                                             under numeric[], notes text[], legend text[],
                                             percent boolean, scale numeric)
    RETURNS text
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    colours text[] := '{#3b6fb6,#c0392b,#a5a5a5,#e08a1e}';
    width constant integer := 1000;
    x0 constant integer := 210;         /* left end of the bars */
    bw constant integer := 400;         /* length of a full bar */
    n integer := least(coalesce(array_length(labels, 1), 0), 50);   /* a chart of at most 50 rows */
    has_under boolean := under IS NOT NULL;
    pitch integer;
    top integer;
    height integer;
    axis_y integer;
    step numeric;
    mag numeric;
    m numeric;
    seg numeric[];
    x numeric;
    len numeric;
    total numeric;
    y integer;
    i integer;
    k integer;
    lbl text;
    svg text;
BEGIN
    IF array_length(v1, 1) IS NULL OR array_length(v1, 1) <> n THEN
        v1 := array_fill(NULL::numeric, ARRAY[n]);
    END IF;
    IF v2 IS NOT NULL OR v3 IS NOT NULL THEN
        colours := '{#2e8b57,#c0392b,#a5a5a5,#e08a1e}';
    END IF;
    pitch := CASE WHEN has_under THEN 34 ELSE 26 END;
    top := CASE WHEN coalesce(array_length(legend, 1), 0) > 0 THEN 30 ELSE 8 END;
    axis_y := top + n * pitch + 4;
    height := axis_y + 46;

    /* the axis: 0 to 4 steps of a round whole size (1, 2, 2.5, 3, 4, 5, 6, 8 times a power of ten) */
    IF coalesce(percent, false) THEN
        scale := 1;
        step := 0.25;
    ELSE
        IF NOT coalesce(scale > 0 AND scale < 1e15, false) THEN
            scale := 0;
            FOR i IN 1 .. n LOOP
                total := 0;
                FOREACH m IN ARRAY ARRAY[v1[i], v2[i], v3[i]] LOOP
                    IF m > 0 AND m < 1e15 THEN
                        total := total + m;
                    END IF;
                END LOOP;
                scale := greatest(scale, total,
                                  CASE WHEN under[i] > 0 AND under[i] < 1e15 THEN under[i] END);
            END LOOP;
        END IF;
        scale := greatest(scale, 1);
        mag := power(10::numeric, floor(log(10::numeric, scale / 4)));
        step := NULL;
        FOREACH m IN ARRAY ARRAY[1, 2, 2.5, 3, 4, 5, 6, 8, 10]::numeric[] LOOP
            IF m * mag >= scale / 4 AND m * mag = trunc(m * mag) AND step IS NULL THEN
                step := m * mag;
            END IF;
        END LOOP;
        step := greatest(step, 1);
        scale := 4 * step;
    END IF;

    svg := format('<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %s %s" role="img" font-family="sans-serif" font-size="13">',
                  width, height, width, height)
        || '<title>' || coalesce(@extschema@.report_html_escape(title), '') || '</title>';

    /* legend */
    IF top > 8 THEN
        x := x0;
        FOR k IN 1 .. least(array_length(legend, 1), 4) LOOP
            CONTINUE WHEN legend[k] IS NULL;
            svg := svg || format('<rect x="%s" y="8" width="12" height="12" fill="%s"/><text x="%s" y="18.5">%s</text>',
                                 x, colours[k], x + 16, @extschema@.report_html_escape(legend[k]));
            x := x + 30 + 7.5 * char_length(legend[k]);
        END LOOP;
    END IF;

    /* rows */
    FOR i IN 1 .. n LOOP
        y := top + (i - 1) * pitch;
        lbl := coalesce(labels[i], '');
        lbl := CASE WHEN char_length(lbl) > 28
                    THEN @extschema@.report_html_escape(left(lbl, 27)) || '&#8230;'
                    ELSE @extschema@.report_html_escape(lbl) END;
        svg := svg || format('<text x="%s" y="%s" text-anchor="end">%s</text>', x0 - 8, y + 14, lbl);
        seg := ARRAY[v1[i], v2[i], v3[i]];
        x := 0;
        FOR k IN 1 .. 3 LOOP
            m := seg[k];
            CONTINUE WHEN NOT coalesce(m > 0 AND m < 1e15, false);
            len := least(m / scale * bw, bw - x);
            CONTINUE WHEN len <= 0;
            svg := svg || format('<rect x="%s" y="%s" width="%s" height="18" fill="%s"/>',
                                 round(x0 + x, 1), y + 1, round(len, 1), colours[k]);
            x := x + len;
        END LOOP;
        len := 0;
        IF has_under AND under[i] > 0 AND under[i] < 1e15 THEN
            len := least(under[i] / scale * bw, bw);
            svg := svg || format('<rect x="%s" y="%s" width="%s" height="6" fill="%s"/>',
                                 x0, y + 22, round(len, 1), colours[4]);
        END IF;
        IF notes[i] IS NOT NULL THEN
            svg := svg || format('<text x="%s" y="%s">%s</text>',
                                 round(x0 + greatest(x, len) + 6, 1), y + 14,
                                 @extschema@.report_html_escape(notes[i]));
        END IF;
    END LOOP;

    /* axes: the value axis with 5 ticks, the label axis, the axis label */
    svg := svg || format('<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#333"/>', x0, top, x0, axis_y)
               || format('<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#333"/>', x0, axis_y, x0 + bw, axis_y);
    FOR k IN 0 .. 4 LOOP
        svg := svg || format('<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#333"/><text x="%s" y="%s" text-anchor="middle" font-size="11">%s</text>',
                             x0 + k * bw / 4, axis_y, x0 + k * bw / 4, axis_y + 4,
                             x0 + k * bw / 4, axis_y + 16,
                             CASE WHEN coalesce(percent, false) THEN (k * 25) || '%'
                                  WHEN step = trunc(step) THEN to_char(k * step, 'FM999,999,999,999,999,990')
                                  ELSE to_char(k * step, 'FM999,999,999,999,999,990.0') END);
    END LOOP;
    svg := svg || format('<text x="%s" y="%s" text-anchor="middle">%s</text></svg>',
                         x0 + bw / 2, axis_y + 36, coalesce(@extschema@.report_html_escape(axis_label), ''));
    RETURN svg;
END
$$;
COMMENT ON FUNCTION @extschema@.report_html_bars(text, text, text[], numeric[], numeric[], numeric[], numeric[], text[], text[], boolean, numeric) IS
    'internal (report_html): a horizontal bar chart as SVG, bars of up to three stacked segments and a thin bar under each, with a title, value axis, axis label and the numbers as text';

/*
 * report_html(model): the page.  model NULL: every model.  A model name
 * filters the one report with a notion of model, score_calibration (a
 * grade means something only under the model that gave it; without a
 * model the page shows one calibration chart per model); the funnel,
 * acceptance, rejection and SLA sections have no model column and always
 * count every lead the caller may see, and the page says so.  An unknown
 * model is an error, as in score() (42704).
 *
 * STABLE: it reads tables and now() and writes nothing.  Not PARALLEL
 * SAFE: it is called once per page, never in a scan worth parallelising.
 */
CREATE FUNCTION @extschema@.report_html(model text DEFAULT NULL)
    RETURNS text
    LANGUAGE plpgsql STABLE SECURITY INVOKER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    want constant text := model;
    page text;
    part text;
    r record;
    leads numeric;
    all_mqls numeric := 0;
    all_accepted numeric := 0;
    all_rejected numeric := 0;
    all_ignored numeric := 0;
    breaches numeric;
    total numeric;
    shown integer;
    labels text[];
    v1 numeric[];
    v2 numeric[];
    v3 numeric[];
    under numeric[];
    notes text[];
    maxv numeric;
BEGIN
    IF want IS NOT NULL AND NOT EXISTS (SELECT FROM @extschema@.scoring_model s WHERE s.name = want) THEN
        RAISE EXCEPTION 'scoring model "%" does not exist', want
            USING ERRCODE = 'undefined_object',
                  HINT = 'Use a name from leadqual.scoring_model, or insert the model there first.';
    END IF;

    page := '';

    /* 1. the funnel */
    page := page || '<h2 id="funnel">Funnel: leads that reached each stage</h2>' || E'\n';
    SELECT array_agg(f.stage::text ORDER BY f.stage),
           array_agg(f.reached ORDER BY f.stage),
           array_agg(to_char(f.reached, 'FM999,999,999,999,990')
                     || CASE WHEN f.conversion_rate IS NOT NULL
                             THEN ' (' || to_char(round(f.conversion_rate * 100, 1), 'FM990.0') || '% to next)'
                             ELSE '' END ORDER BY f.stage),
           max(f.reached),
           coalesce(max(f.reached) FILTER (WHERE f.stage = 'inquiry'), 0),
           string_agg(format('<tr><td>%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td></tr>',
                             f.stage, to_char(f.reached, 'FM999,999,999,999,990'),
                             coalesce(to_char(f.converted, 'FM999,999,999,999,990'), '-'),
                             coalesce(to_char(round(f.conversion_rate * 100, 1), 'FM990.0') || '%', '-'),
                             coalesce(to_char(f.median_days_to_next, 'FM999,999,990.0'), '-')),
                      '' ORDER BY f.stage)
      INTO labels, v1, notes, maxv, leads, part
      FROM @extschema@.funnel f;
    page := page || @extschema@.report_html_bars('Funnel: leads that reached each stage', 'leads that reached the stage',
                                                 labels, v1, NULL, NULL, NULL, notes, NULL, false, maxv) || E'\n';
    IF leads = 0 THEN
        page := page || '<p class="note">No data: there are no leads yet.</p>' || E'\n';
    END IF;
    page := page || '<table><caption>Funnel (cohorts: every lead counted once per stage it reached)</caption>'
        || '<thead><tr><th>stage</th><th class="n">reached</th><th class="n">converted to next</th>'
        || '<th class="n">conversion</th><th class="n">median days to next</th></tr></thead><tbody>'
        || coalesce(part, '') || '</tbody></table>' || E'\n';

    /* 2. acceptance and rejection by channel (MQL cycles of every month) */
    page := page || '<h2 id="acceptance">Acceptance and rejection by channel</h2>' || E'\n';
    labels := NULL; v1 := NULL; v2 := NULL; v3 := NULL; under := NULL; notes := NULL; part := NULL;
    shown := 0;
    total := 0;
    FOR r IN
        SELECT a.channel, sum(a.mqls) AS mqls, sum(a.accepted) AS accepted, sum(a.rejected) AS rejected,
               sum(a.recycled) AS recycled, sum(a.disqualified) AS disqualified,
               sum(a.ignored) AS ignored, sum(a.pending) AS pending,
               sum(a.rejected_later_won) AS later_won
          FROM @extschema@.mql_acceptance a
         GROUP BY a.channel
        HAVING sum(a.mqls) > 0
         ORDER BY sum(a.mqls) DESC, a.channel NULLS LAST
    LOOP
        /* every channel counts in the headline; the 15 largest are shown */
        all_mqls := all_mqls + r.mqls;
        all_accepted := all_accepted + r.accepted;
        all_rejected := all_rejected + r.rejected;
        all_ignored := all_ignored + r.ignored;
        total := coalesce(total, 0) + 1;
        CONTINUE WHEN shown = 15;
        shown := shown + 1;
        labels := labels || coalesce(r.channel, '(no channel)');
        v1 := v1 || r.accepted;
        v2 := v2 || r.rejected;
        v3 := v3 || greatest(r.mqls - r.accepted - r.rejected, 0);
        under := under || r.ignored;
        notes := notes || (to_char(r.mqls, 'FM999,999,999,999,990') || ' MQLs: '
                           || to_char(round(r.accepted * 100 / r.mqls, 1), 'FM990.0') || '% accepted, '
                           || to_char(round(r.rejected * 100 / r.mqls, 1), 'FM990.0') || '% rejected, '
                           || to_char(round(r.ignored * 100 / r.mqls, 1), 'FM990.0') || '% ignored');
        part := coalesce(part, '') || format(
            '<tr><td>%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td></tr>',
            coalesce(@extschema@.report_html_escape(r.channel), '(no channel)'),
            to_char(r.mqls, 'FM999,999,999,999,990'), to_char(r.accepted, 'FM999,999,999,999,990'),
            to_char(r.rejected, 'FM999,999,999,999,990'), to_char(r.recycled, 'FM999,999,999,999,990'),
            to_char(r.disqualified, 'FM999,999,999,999,990'), to_char(r.ignored, 'FM999,999,999,999,990'),
            to_char(r.pending, 'FM999,999,999,999,990'), to_char(r.later_won, 'FM999,999,999,999,990'),
            to_char(round(r.accepted * 100 / r.mqls, 1), 'FM990.0') || '%',
            to_char(round(r.rejected * 100 / r.mqls, 1), 'FM990.0') || '%');
    END LOOP;
    IF shown = 0 THEN
        page := page || '<p class="note">No data: no lead has become an MQL yet.</p>' || E'\n';
    ELSE
        page := page || @extschema@.report_html_bars('Acceptance and rejection of MQLs by channel',
                                                     'MQLs (cycles: a lead that became an MQL twice counts twice)',
                                                     labels, v1, v2, v3, under, notes,
                                                     '{accepted,rejected,"no sales decision","ignored past SLA"}', false, NULL) || E'\n'
            || '<p class="note">Each bar is a channel''s MQLs: accepted, rejected (recycled or disqualified) and without a sales decision (pending, still open or left mql otherwise). The thin bar under it: MQLs ignored past the SLA, whether sales acted later or not (they overlap the others).</p>' || E'\n'
            || '<table><caption>Acceptance by channel (all months)</caption><thead><tr><th>channel</th>'
            || '<th class="n">MQLs</th><th class="n">accepted</th><th class="n">rejected</th><th class="n">recycled</th>'
            || '<th class="n">disqualified</th><th class="n">ignored</th><th class="n">pending</th>'
            || '<th class="n">rejected, later won</th><th class="n">acceptance</th><th class="n">rejection</th></tr></thead><tbody>'
            || part || '</tbody></table>' || E'\n';
        IF total > shown THEN
            page := page || '<p class="note">' || (total - shown) || ' more channels with fewer MQLs are not shown.</p>' || E'\n';
        END IF;
    END IF;

    /* 3. rejection reasons (all months and channels) */
    page := page || '<h2 id="reasons">Rejection reasons</h2>' || E'\n';
    labels := NULL; v1 := NULL; notes := NULL; part := NULL; shown := 0;
    FOR r IN
        SELECT x.reason, coalesce(rr.label, x.reason) AS label, sum(x.rejections) AS rejections,
               sum(sum(x.rejections)) OVER () AS total
          FROM @extschema@.rejection_reasons x
          LEFT JOIN @extschema@.rejection_reason rr ON rr.code = x.reason
         GROUP BY x.reason, rr.label
        HAVING sum(x.rejections) > 0
         ORDER BY sum(x.rejections) DESC, x.reason NULLS LAST
         LIMIT 15
    LOOP
        shown := shown + 1;
        total := r.total;
        labels := labels || coalesce(r.label, '(no reason given)');
        v1 := v1 || r.rejections;
        notes := notes || (to_char(r.rejections, 'FM999,999,999,999,990') || ' ('
                           || to_char(round(r.rejections * 100 / total, 1), 'FM990.0') || '%)');
        part := coalesce(part, '') || format('<tr><td>%s</td><td>%s</td><td class="n">%s</td><td class="n">%s</td></tr>',
            coalesce(@extschema@.report_html_escape(r.label), '(no reason given)'),
            coalesce(@extschema@.report_html_escape(r.reason), '-'),
            to_char(r.rejections, 'FM999,999,999,999,990'),
            to_char(round(r.rejections * 100 / total, 1), 'FM990.0') || '%');
    END LOOP;
    IF shown = 0 THEN
        page := page || '<p class="note">No data: sales has rejected no lead yet.</p>' || E'\n';
    ELSE
        page := page || @extschema@.report_html_bars('Rejection reasons: rejections by sales per reason', 'rejections',
                                                     labels, v1, NULL, NULL, NULL, notes, NULL, false, NULL) || E'\n'
            || '<table><caption>Rejection reasons (all months and channels; share of '
            || to_char(total, 'FM999,999,999,999,990') || ' rejections)</caption>'
            || '<thead><tr><th>reason</th><th>code</th><th class="n">rejections</th><th class="n">share</th></tr></thead><tbody>'
            || part || '</tbody></table>' || E'\n';
    END IF;

    /* 4. SLA breaches */
    page := page || '<h2 id="sla">SLA breaches</h2>' || E'\n';
    SELECT count(*) INTO breaches FROM @extschema@.sla_breaches;
    page := page || '<p>Open MQLs past their SLA: ' || to_char(breaches, 'FM999,999,999,999,990') || '.</p>' || E'\n';
    IF breaches = 0 THEN
        page := page || '<p class="note">No data: no open MQL is past its SLA.</p>' || E'\n';
    ELSE
        SELECT array_agg(coalesce(o.owner, '(no owner)') ORDER BY o.n DESC, o.owner NULLS LAST),
               array_agg(o.n ORDER BY o.n DESC, o.owner NULLS LAST),
               array_agg(to_char(o.n, 'FM999,999,999,999,990') ORDER BY o.n DESC, o.owner NULLS LAST)
          INTO labels, v1, notes
          FROM (SELECT b.owner, count(*) AS n FROM @extschema@.sla_breaches b
                 GROUP BY b.owner ORDER BY count(*) DESC, b.owner NULLS LAST LIMIT 10) o;
        page := page || @extschema@.report_html_bars('SLA breaches by owner (the 10 owners with the most)', 'open MQLs past their SLA',
                                                     labels, v1, NULL, NULL, NULL, notes, NULL, false, NULL) || E'\n';
        SELECT string_agg(format('<tr><td class="n">%s</td><td>%s</td><td>%s</td><td>%s</td><td class="n">%s</td></tr>',
                                 b.lead_id, coalesce(@extschema@.report_html_escape(b.owner), '(no owner)'),
                                 to_char(b.entered_at, 'YYYY-MM-DD HH24:MI'), to_char(b.due_at, 'YYYY-MM-DD HH24:MI'),
                                 coalesce(to_char(b.hours_overdue, 'FM999,999,999,990.0'), '-')),
                          '' ORDER BY b.due_at, b.lead_id)
          INTO part
          FROM (SELECT * FROM @extschema@.sla_breaches s ORDER BY s.due_at, s.lead_id LIMIT 20) b;
        page := page || '<table><caption>The most overdue open MQLs (up to 20)</caption>'
            || '<thead><tr><th class="n">lead</th><th>owner</th><th>entered mql</th><th>due</th>'
            || '<th class="n">hours overdue</th></tr></thead><tbody>' || part || '</tbody></table>' || E'\n';
    END IF;

    /* 5. score calibration, one chart per model */
    page := page || '<h2 id="calibration">Score calibration: win rate by grade</h2>' || E'\n';
    shown := 0;
    FOR r IN
        SELECT c.model, array_agg(coalesce(c.grade, 'not scored') ORDER BY c.grade NULLS LAST) AS labels,
               array_agg(c.win_rate ORDER BY c.grade NULLS LAST) AS rates,
               array_agg(coalesce(to_char(round(c.win_rate * 100, 1), 'FM990.0') || '%', '-')
                         || ' won of ' || to_char(c.leads, 'FM999,999,999,999,990') ORDER BY c.grade NULLS LAST) AS notes,
               string_agg(format('<tr><td>%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td></tr>',
                                 coalesce(@extschema@.report_html_escape(c.grade), 'not scored'),
                                 to_char(c.leads, 'FM999,999,999,999,990'),
                                 coalesce(to_char(round(c.mql_rate * 100, 1), 'FM990.0') || '%', '-'),
                                 coalesce(to_char(round(c.sql_rate * 100, 1), 'FM990.0') || '%', '-'),
                                 coalesce(to_char(round(c.win_rate * 100, 1), 'FM990.0') || '%', '-'),
                                 regexp_replace(round(coalesce(c.revenue, 0))::text, E'(\\d)(?=(\\d{3})+$)', E'\\1,', 'g')),
                          '' ORDER BY c.grade NULLS LAST) AS trs
          FROM @extschema@.score_calibration c
         WHERE want IS NULL OR c.model = want
         GROUP BY c.model
         ORDER BY c.model
    LOOP
        shown := shown + 1;
        page := page || '<h3>Model ' || coalesce(@extschema@.report_html_escape(r.model), '(none)') || '</h3>' || E'\n'
            || @extschema@.report_html_bars('Score calibration: win rate by grade, model ' || coalesce(r.model, '(none)'),
                                            'share of the leads of the grade that were won', r.labels, r.rates,
                                            NULL, NULL, NULL, r.notes, NULL, true, 1) || E'\n'
            || '<table><caption>Score calibration, model ' || coalesce(@extschema@.report_html_escape(r.model), '(none)')
            || ' (grade as stored now)</caption><thead><tr><th>grade</th><th class="n">leads</th><th class="n">reached mql</th>'
            || '<th class="n">reached sql</th><th class="n">won</th><th class="n">revenue</th></tr></thead><tbody>'
            || r.trs || '</tbody></table>' || E'\n';
    END LOOP;
    IF shown = 0 THEN
        page := page || '<p class="note">No data: no leads'
            || CASE WHEN want IS NOT NULL THEN ' of model ' || @extschema@.report_html_escape(want) ELSE '' END
            || ' yet.</p>' || E'\n';
    END IF;

    /* 6. channel attribution: won revenue per channel, exact Markov vs last touch */
    page := page || '<h2 id="attribution">Channel attribution: won revenue by channel</h2>' || E'\n';
    labels := NULL; v1 := NULL; under := NULL; notes := NULL; part := NULL;
    shown := 0;
    total := NULL;
    FOR r IN
        SELECT c.* FROM @extschema@.channel_attribution c
         ORDER BY c.revenue_markov DESC NULLS LAST, c.channel COLLATE "C"
    LOOP
        total := coalesce(total, 0) + 1;
        CONTINUE WHEN shown = 15;
        shown := shown + 1;
        labels := labels || r.channel;
        v1 := v1 || round(r.revenue_markov::numeric, 2);
        under := under || round(r.revenue_last_touch::numeric, 2);
        notes := notes || (to_char(round(r.revenue_markov::numeric), 'FM999,999,999,999,990') || ' Markov, '
                           || to_char(round(r.revenue_last_touch::numeric), 'FM999,999,999,999,990') || ' last touch');
        part := coalesce(part, '') || format(
            '<tr><td>%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td></tr>',
            @extschema@.report_html_escape(r.channel),
            to_char(r.touches, 'FM999,999,999,999,990'), to_char(r.leads, 'FM999,999,999,999,990'),
            to_char(r.converted_leads, 'FM999,999,999,999,990'),
            to_char(round(r.revenue_first_touch::numeric), 'FM999,999,999,999,990'),
            to_char(round(r.revenue_last_touch::numeric), 'FM999,999,999,999,990'),
            to_char(round(r.revenue_linear::numeric), 'FM999,999,999,999,990'),
            to_char(round(r.revenue_markov::numeric), 'FM999,999,999,999,990'),
            to_char(round(r.revenue_shapley::numeric), 'FM999,999,999,999,990'));
    END LOOP;
    IF shown = 0 OR NOT EXISTS (SELECT FROM @extschema@.channel_attribution c WHERE c.converted_leads OPERATOR(pg_catalog.>) 0) THEN
        page := page || '<p class="note">No data: no won lead has a touch with a channel yet.</p>' || E'\n';
    ELSE
        page := page || @extschema@.report_html_bars('Won revenue credited to each channel: exact Markov chain (bar) and last touch (thin bar)',
                                                     'won revenue credited', labels, v1, NULL, NULL, under, notes,
                                                     '{"Markov (exact, order 1)",NULL,NULL,"last touch"}', false, NULL) || E'\n'
            || '<p class="note">Markov credits a channel by how much won revenue the journeys lose without it (its removal effect); last touch gives everything to the touch before the win. Every method of leadqual.channel_attribution in the table.</p>' || E'\n'
            || '<table><caption>Won revenue by channel and method (all time)</caption><thead><tr><th>channel</th>'
            || '<th class="n">touches</th><th class="n">leads</th><th class="n">won</th><th class="n">first touch</th>'
            || '<th class="n">last touch</th><th class="n">linear</th><th class="n">Markov</th><th class="n">Shapley</th></tr></thead><tbody>'
            || part || '</tbody></table>' || E'\n';
        IF total > shown THEN
            page := page || '<p class="note">' || (total - shown) || ' more channels with less revenue are not shown.</p>' || E'\n';
        END IF;
    END IF;

    /* the head and the headline figures, from the sections' reads */
    RETURN '<!DOCTYPE html>' || E'\n'
        || '<html xmlns="http://www.w3.org/1999/xhtml" lang="en" xml:lang="en">' || E'\n'
        || '<head><meta charset="utf-8"/><title>leadqual report</title>' || E'\n'
        || '<style>body{font-family:sans-serif;margin:1.5em;color:#222;max-width:1000px}'
        || 'h2{margin-top:1.6em;border-bottom:1px solid #ccc}table{border-collapse:collapse;margin:.5em 0 1em}'
        || 'th,td{border:1px solid #ccc;padding:2px 8px;text-align:left}td.n,th.n{text-align:right}'
        || 'caption{text-align:left;font-weight:bold;padding:4px 0}p.note{color:#555}svg{display:block}</style>'
        || '</head>' || E'\n' || '<body>' || E'\n'
        || '<h1>leadqual report</h1>' || E'\n'
        || '<p>Generated ' || to_char(now(), 'YYYY-MM-DD HH24:MI:SS OF') || '. '
        || CASE WHEN want IS NULL THEN 'Model: all models.'
                ELSE 'Model: ' || @extschema@.report_html_escape(want)
                     || ' (score calibration only; the other sections count the leads of every model).' END
        || '</p>' || E'\n' || '<ul>'
        || '<li>Leads: ' || to_char(leads, 'FM999,999,999,999,990') || '</li>'
        || '<li>MQLs handed to sales: ' || to_char(all_mqls, 'FM999,999,999,999,990')
        || CASE WHEN all_mqls > 0 THEN
               ', accepted ' || to_char(round(all_accepted * 100 / all_mqls, 1), 'FM990.0') || '%'
               || ', rejected ' || to_char(round(all_rejected * 100 / all_mqls, 1), 'FM990.0') || '%'
               || ', ignored past the SLA ' || to_char(round(all_ignored * 100 / all_mqls, 1), 'FM990.0') || '%'
           ELSE '' END || '</li>'
        || '<li>Open MQLs past their SLA now: ' || to_char(breaches, 'FM999,999,999,999,990') || '</li>'
        || '</ul>' || E'\n'
        || page || '</body>' || E'\n' || '</html>' || E'\n';
END
$$;
COMMENT ON FUNCTION @extschema@.report_html(text) IS
    'the reports as one self-contained XHTML page (inline SVG, no script, no external asset): funnel, acceptance and rejection by channel, rejection reasons, SLA breaches, score calibration (of one model, or of each when model is NULL)';
