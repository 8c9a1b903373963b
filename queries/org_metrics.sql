-- org_metrics: every per-trust metric of the WRES, for every trust and year.
--
-- Indicators 1-9 (spec/indicators.md, "Per-trust metrics"), computed from the
-- raw counts of `returns`, never from ratios a trust printed.
-- Units: *_pct and board_bme_pct are percentages 0-100; *_pp are percentage
-- points; relative likelihoods are ratios (1 = parity); headcount and
-- parity_gap are people; parity_annual_goal is people per year.
-- Direction: relative likelihoods are better near 1; ind5/6/8 lower is better,
-- ind7 higher is better; ind9.diff_pp better near 0 (negative: the board is
-- less diverse than the workforce).
-- Intervals (95%): Wilson score for proportions (wilson_low/high, 0-1 scale),
-- Katz log for relative likelihoods, Newcombe's hybrid score for survey gaps.
-- Zero counts in a relative likelihood (a / n1) / (c / n2): a = 0 < c gives
-- 0 (flag zero_count, interval 0 to the Katz upper limit with 0.5 added to
-- each cell); c = 0 < a is infinite (value null, flag infinite, lower limit
-- from the corrected counts, no upper limit); only n1 = 0, n2 = 0 or
-- a = c = 0 is undefined.
-- Model Employer parity gap: bands 8a and above and `8a_plus` (those six
-- bands summed) per non-medical staff group, rounded half up; no annual goal
-- from the Model Employer year on (flag goal_year_passed).
-- Flags are named in `metrics` terms: outside_parity_band applies to every
-- metric of kind relative_likelihood in the catalogue table `metrics`.
-- Unknown ethnicity counts in overall denominators and never in a White-versus-
-- BME ratio. `senior_medical_manager` is an "of which" row: never in totals.
-- Output: one row per org_code, year, metric, staff_group, category, ethnicity.

-- (Small tables go first in a CROSS JOIN: DataFusion builds the left side and
-- streams the right, so `params CROSS JOIN big` keeps big's batches whole.)

-- Counts read several times below are computed once, each into a table of
-- its own (DataFusion computes a WITH clause again wherever it is read); the
-- engine drops these om_* tables when the query ends. The last statement
-- gives the result.

-- Indicator 1 headcounts, one row per band or grade.
CREATE TABLE om_i1 AS
SELECT org_code, year, staff_group, category,
       SUM(CASE WHEN ethnicity = 'white'   THEN value END) AS w,
       SUM(CASE WHEN ethnicity = 'bme'     THEN value END) AS b,
       SUM(CASE WHEN ethnicity = 'unknown' THEN value END) AS u
FROM returns
WHERE indicator = 1 AND measure = 'headcount'
GROUP BY org_code, year, staff_group, category;

-- Indicators 2-4: numerator and denominator by ethnicity.
--   2: appointed / shortlisted; 3: entered_disciplinary / workforce;
--   4: accessed_training / workforce.
CREATE TABLE om_pair AS
SELECT org_code, year, indicator,
       SUM(CASE WHEN ethnicity = 'white'   AND measure IN ('appointed', 'entered_disciplinary', 'accessed_training') THEN value END) AS w_num,
       SUM(CASE WHEN ethnicity = 'white'   AND measure IN ('shortlisted', 'workforce') THEN value END) AS w_den,
       SUM(CASE WHEN ethnicity = 'bme'     AND measure IN ('appointed', 'entered_disciplinary', 'accessed_training') THEN value END) AS b_num,
       SUM(CASE WHEN ethnicity = 'bme'     AND measure IN ('shortlisted', 'workforce') THEN value END) AS b_den,
       SUM(CASE WHEN ethnicity = 'unknown' AND measure IN ('appointed', 'entered_disciplinary', 'accessed_training') THEN value END) AS u_num,
       SUM(CASE WHEN ethnicity = 'unknown' AND measure IN ('shortlisted', 'workforce') THEN value END) AS u_den
FROM returns
WHERE indicator IN (2, 3, 4)
GROUP BY org_code, year, indicator;

-- The overall workforce: the indicator 1 total; where indicator 1 is missing,
-- indicator 3's workforce stands in (flag workforce_from_ind3).
CREATE TABLE om_overall AS
WITH i1_total AS (
    SELECT org_code, year,
           SUM(COALESCE(w, 0)) AS w, SUM(COALESCE(b, 0)) AS b, SUM(COALESCE(u, 0)) AS u
    FROM om_i1
    WHERE category <> 'senior_medical_manager'
    GROUP BY org_code, year
)
SELECT COALESCE(t.org_code, f.org_code) AS org_code,
       COALESCE(t.year, f.year) AS year,
       CASE WHEN t.org_code IS NOT NULL THEN t.w ELSE COALESCE(f.w_den, 0) END AS w,
       CASE WHEN t.org_code IS NOT NULL THEN t.b ELSE COALESCE(f.b_den, 0) END AS b,
       CASE WHEN t.org_code IS NOT NULL THEN t.u ELSE COALESCE(f.u_den, 0) END AS u,
       t.org_code IS NULL AS from_ind3
FROM i1_total t
FULL OUTER JOIN (SELECT * FROM om_pair WHERE indicator = 3) f
  ON t.org_code = f.org_code AND t.year = f.year;

-- Indicator 9: board members by category.
CREATE TABLE om_board AS
SELECT org_code, year, category,
       SUM(CASE WHEN ethnicity = 'white'   THEN value ELSE 0 END) AS w,
       SUM(CASE WHEN ethnicity = 'bme'     THEN value ELSE 0 END) AS b,
       SUM(CASE WHEN ethnicity = 'unknown' THEN value ELSE 0 END) AS u
FROM returns
WHERE indicator = 9 AND measure = 'members'
GROUP BY org_code, year, category;

-- Indicators 5-8: the survey percentage as supplied, with its responses, and
-- whether it is suppressed (fewer responses than min_responses).
CREATE TABLE om_survey AS
WITH sv AS (
    SELECT org_code, year, indicator, ethnicity,
           MAX(CASE WHEN measure = 'percent'   THEN value END) AS pct,
           MAX(CASE WHEN measure = 'responses' THEN value END) AS resp
    FROM returns
    WHERE indicator BETWEEN 5 AND 8
    GROUP BY org_code, year, indicator, ethnicity
)
SELECT sv.*,
       COALESCE(resp < p.min_responses, false) AS suppressed,
       p.small_numbers
FROM params p CROSS JOIN sv
WHERE pct IS NOT NULL;

WITH
i1 AS (SELECT * FROM om_i1),
pair AS (SELECT * FROM om_pair),
overall AS (SELECT * FROM om_overall),
board AS (SELECT * FROM om_board),
svp AS (SELECT * FROM om_survey),

-- Proportions x / n (value = 100 x / n, Wilson interval).
props AS (
    SELECT org_code, year, 'ind1.bme_pct' AS metric, staff_group, category, '' AS ethnicity,
           b AS x, COALESCE(w, 0) + COALESCE(b, 0) + COALESCE(u, 0) AS n, false AS from_ind3
    FROM i1
    UNION ALL
    SELECT org_code, year, 'ind1.bme_pct', 'all', 'all', '', b, w + b + u, from_ind3 FROM overall
    UNION ALL
    SELECT org_code, year, 'ind1.unknown_pct', 'all', 'all', '', u, w + b + u, from_ind3 FROM overall
    UNION ALL
    SELECT org_code, year,
           CASE indicator WHEN 2 THEN 'ind2.appointed_pct' WHEN 3 THEN 'ind3.disciplinary_pct' ELSE 'ind4.training_pct' END,
           '', '', e.ethnicity,
           CASE e.ethnicity WHEN 'white' THEN w_num WHEN 'bme' THEN b_num WHEN 'unknown' THEN u_num
                ELSE w_num + b_num + COALESCE(u_num, 0) END,
           CASE e.ethnicity WHEN 'white' THEN w_den WHEN 'bme' THEN b_den WHEN 'unknown' THEN u_den
                ELSE w_den + b_den + COALESCE(u_den, 0) END,
           false
    FROM (VALUES ('white'), ('bme'), ('unknown'), ('all')) AS e(ethnicity)
    CROSS JOIN pair
    UNION ALL
    SELECT org_code, year, 'ind9.board_bme_pct', '', category, '', b, w + b + u, false FROM board
),
prop_metrics AS (
    SELECT org_code, year, metric, staff_group, category, ethnicity,
           CASE WHEN n > 0 THEN 100.0 * x / n END AS value,
           x AS numerator, n AS denominator,
           100.0 * wilson_low(x, n)  AS ci_low,
           100.0 * wilson_high(x, n) AS ci_high,
           false AS suppressed,
           CAST(NULL AS DOUBLE) AS null_value,
           (x < p.small_numbers OR n < p.small_numbers) AS f_small,
           (n = 0) AS f_undef,
           from_ind3 AS f_ind3,
           false AS f_noresp,
           CAST(NULL AS VARCHAR) AS f_extra
    FROM params p CROSS JOIN props
    WHERE x IS NOT NULL AND n IS NOT NULL
),

-- Relative likelihoods: (a / n1) / (c / n2), each indicator in its own direction.
rr_in AS (
    -- 2: White appointed/shortlisted over BME (> 1: White applicants more likely)
    SELECT org_code, year, 'ind2.relative_likelihood' AS metric, w_num AS a, w_den AS n1, b_num AS c, b_den AS n2
    FROM pair WHERE indicator = 2
    UNION ALL
    -- 3: BME entered/workforce over White (> 1: BME staff more likely)
    SELECT org_code, year, 'ind3.relative_likelihood', b_num, b_den, w_num, w_den
    FROM pair WHERE indicator = 3
    UNION ALL
    -- 3, two years: this and the previous year's counts summed, when both exist
    SELECT cur.org_code, cur.year, 'ind3.relative_likelihood_2yr',
           cur.b_num + prev.b_num, cur.b_den + prev.b_den, cur.w_num + prev.w_num, cur.w_den + prev.w_den
    FROM pair cur
    JOIN pair prev ON prev.org_code = cur.org_code AND prev.year = cur.year - 1 AND prev.indicator = 3
    WHERE cur.indicator = 3
    UNION ALL
    -- 4: White accessed/workforce over BME (> 1: White staff more likely)
    SELECT org_code, year, 'ind4.relative_likelihood', w_num, w_den, b_num, b_den
    FROM pair WHERE indicator = 4
),
rr AS (
    SELECT *,
           CASE WHEN n1 <= 0 OR n2 <= 0 OR (a = 0 AND c = 0) THEN 'undefined'
                WHEN a = 0 THEN 'zero_count'
                WHEN c = 0 THEN 'infinite'
                ELSE 'finite' END AS rr_kind,
           -- 0.5 added to each cell where a numerator is zero.
           CASE WHEN a = 0 OR c = 0 THEN 0.5 ELSE 0.0 END AS k
    FROM rr_in
    WHERE a IS NOT NULL AND n1 IS NOT NULL AND c IS NOT NULL AND n2 IS NOT NULL
),
rr_katz AS (
    SELECT *,
           ln(((a + k) / (n1 + k)) / ((c + k) / (n2 + k))) AS ln_rr,
           sqrt(1.0 / (a + k) - 1.0 / (n1 + k) + 1.0 / (c + k) - 1.0 / (n2 + k)) AS se
    FROM rr
),
rr_metrics AS (
    SELECT org_code, year, metric, '' AS staff_group, '' AS category, '' AS ethnicity,
           CASE rr_kind WHEN 'finite' THEN (a / n1) / (c / n2) WHEN 'zero_count' THEN 0.0 END AS value,
           CAST(NULL AS DOUBLE) AS numerator,
           CAST(NULL AS DOUBLE) AS denominator,
           -- Katz: exp(ln RR -/+ z sqrt(1/a - 1/n1 + 1/c - 1/n2))
           CASE rr_kind WHEN 'finite' THEN exp(ln_rr - p.z * se)
                        WHEN 'zero_count' THEN 0.0
                        WHEN 'infinite' THEN exp(ln_rr - p.z * se) END AS ci_low,
           CASE rr_kind WHEN 'finite' THEN exp(ln_rr + p.z * se)
                        WHEN 'zero_count' THEN exp(ln_rr + p.z * se) END AS ci_high,
           false AS suppressed,
           1.0 AS null_value,
           (a < p.small_numbers OR n1 < p.small_numbers OR c < p.small_numbers OR n2 < p.small_numbers) AS f_small,
           rr_kind = 'undefined' AS f_undef,
           false AS f_ind3,
           false AS f_noresp,
           CASE WHEN rr_kind IN ('zero_count', 'infinite') THEN rr_kind END AS f_extra
    FROM params p CROSS JOIN rr_katz
),

sv_metrics AS (
    SELECT org_code, year, 'ind' || CAST(indicator AS VARCHAR) || '.pct' AS metric,
           '' AS staff_group, '' AS category, ethnicity,
           CASE WHEN NOT suppressed THEN pct END AS value,
           CASE WHEN NOT suppressed THEN round(pct * resp / 100.0) END AS numerator,
           resp AS denominator,
           CASE WHEN NOT suppressed THEN 100.0 * wilson_low(pct * resp / 100.0, resp) END AS ci_low,
           CASE WHEN NOT suppressed THEN 100.0 * wilson_high(pct * resp / 100.0, resp) END AS ci_high,
           suppressed,
           CAST(NULL AS DOUBLE) AS null_value,
           (round(pct * resp / 100.0) < small_numbers OR resp < small_numbers) AS f_small,
           false AS f_undef,
           false AS f_ind3,
           resp IS NULL AS f_noresp,
           CAST(NULL AS VARCHAR) AS f_extra
    FROM svp
),
-- Survey gap: BME pct - White pct, Newcombe's hybrid score interval (1998, method 10):
--   L = d - sqrt((p1 - l1)^2 + (u2 - p2)^2),  U = d + sqrt((u1 - p1)^2 + (p2 - l2)^2)
-- with p1 BME, p2 White and l, u their Wilson limits.
gap AS (
    SELECT b.org_code, b.year, b.indicator,
           b.pct / 100.0 AS p1, b.resp AS n1, w.pct / 100.0 AS p2, w.resp AS n2,
           (b.suppressed OR w.suppressed) AS suppressed,
           wilson_low(b.pct * b.resp / 100.0, b.resp)  AS l1,
           wilson_high(b.pct * b.resp / 100.0, b.resp) AS u1,
           wilson_low(w.pct * w.resp / 100.0, w.resp)  AS l2,
           wilson_high(w.pct * w.resp / 100.0, w.resp) AS u2,
           b.small_numbers
    FROM svp b
    JOIN svp w ON w.org_code = b.org_code AND w.year = b.year AND w.indicator = b.indicator
    WHERE b.ethnicity = 'bme' AND w.ethnicity = 'white'
),
gap_metrics AS (
    SELECT org_code, year, 'ind' || CAST(indicator AS VARCHAR) || '.gap_pp' AS metric,
           '' AS staff_group, '' AS category, '' AS ethnicity,
           CASE WHEN NOT suppressed THEN 100.0 * (p1 - p2) END AS value,
           CAST(NULL AS DOUBLE) AS numerator,
           CAST(NULL AS DOUBLE) AS denominator,
           CASE WHEN NOT suppressed THEN 100.0 * ((p1 - p2) - sqrt(power(p1 - l1, 2) + power(u2 - p2, 2))) END AS ci_low,
           CASE WHEN NOT suppressed THEN 100.0 * ((p1 - p2) + sqrt(power(u1 - p1, 2) + power(p2 - l2, 2))) END AS ci_high,
           suppressed,
           0.0 AS null_value,
           (n1 < small_numbers OR n2 < small_numbers OR round(p1 * n1) < small_numbers OR round(p2 * n2) < small_numbers) AS f_small,
           false AS f_undef,
           false AS f_ind3,
           (n1 IS NULL OR n2 IS NULL) AS f_noresp,
           CAST(NULL AS VARCHAR) AS f_extra
    FROM gap
),

-- Model Employer parity (bands 8a and above of the non-medical staff groups,
-- and `8a_plus`, those six bands summed): the BME headcount a band lacks to
-- mirror the workforce, max(0, round(overall BME share x band total) - B),
-- rounding half up; and the annual goal to the Model Employer year.
senior AS (
    SELECT org_code, year, staff_group, category,
           COALESCE(w, 0) + COALESCE(b, 0) + COALESCE(u, 0) AS total, COALESCE(b, 0) AS b
    FROM i1
    WHERE staff_group IN ('non_clinical', 'clinical')
      AND category IN ('band_8a', 'band_8b', 'band_8c', 'band_8d', 'band_9', 'vsm')
),
senior_bands AS (
    SELECT * FROM senior
    UNION ALL
    SELECT org_code, year, staff_group, '8a_plus', SUM(total), SUM(b)
    FROM senior
    GROUP BY org_code, year, staff_group
),
parity AS (
    SELECT s.org_code, s.year, s.staff_group, s.category, o.from_ind3,
           CASE WHEN o.w + o.b + o.u > 0 THEN
               greatest(0.0, floor(o.b * s.total / (o.w + o.b + o.u) + 0.5) - s.b)
           END AS gap
    FROM senior_bands s JOIN overall o ON o.org_code = s.org_code AND o.year = s.year
),
parity_metrics AS (
    SELECT org_code, year, 'ind1.parity_gap' AS metric, staff_group, category, '' AS ethnicity,
           gap AS value, CAST(NULL AS DOUBLE) AS numerator, CAST(NULL AS DOUBLE) AS denominator,
           CAST(NULL AS DOUBLE) AS ci_low, CAST(NULL AS DOUBLE) AS ci_high, false AS suppressed,
           CAST(NULL AS DOUBLE) AS null_value, false AS f_small, gap IS NULL AS f_undef, from_ind3 AS f_ind3, false AS f_noresp,
           CAST(NULL AS VARCHAR) AS f_extra
    FROM parity
    UNION ALL
    SELECT parity.org_code, parity.year, 'ind1.parity_annual_goal', staff_group, category, '',
           CASE WHEN parity.year < p.model_employer_year
                THEN gap / CAST(p.model_employer_year - parity.year AS DOUBLE) END,
           NULL, NULL, NULL, NULL, false, NULL, false,
           gap IS NULL AND parity.year < p.model_employer_year, from_ind3, false,
           CASE WHEN parity.year >= p.model_employer_year THEN 'goal_year_passed' END
    FROM params p CROSS JOIN parity
),
headcount_metrics AS (
    SELECT org_code, year, 'ind1.headcount' AS metric, staff_group, category, ethnicity,
           value, CAST(NULL AS DOUBLE) AS numerator, CAST(NULL AS DOUBLE) AS denominator,
           CAST(NULL AS DOUBLE) AS ci_low, CAST(NULL AS DOUBLE) AS ci_high, false AS suppressed,
           CAST(NULL AS DOUBLE) AS null_value, false AS f_small, false AS f_undef, false AS f_ind3, false AS f_noresp,
           CAST(NULL AS VARCHAR) AS f_extra
    FROM returns
    WHERE indicator = 1 AND measure = 'headcount'
),
-- Indicator 9: board BME % minus the workforce BME %, percentage points.
board_metrics AS (
    SELECT bd.org_code, bd.year, 'ind9.diff_pp' AS metric, '' AS staff_group, bd.category, '' AS ethnicity,
           CASE WHEN bd.w + bd.b + bd.u > 0 AND o.w + o.b + o.u > 0
                THEN 100.0 * bd.b / (bd.w + bd.b + bd.u) - 100.0 * o.b / (o.w + o.b + o.u) END AS value,
           CAST(NULL AS DOUBLE) AS numerator, CAST(NULL AS DOUBLE) AS denominator,
           CAST(NULL AS DOUBLE) AS ci_low, CAST(NULL AS DOUBLE) AS ci_high, false AS suppressed,
           CAST(NULL AS DOUBLE) AS null_value, false AS f_small,
           NOT (bd.w + bd.b + bd.u > 0 AND o.w + o.b + o.u > 0) AS f_undef,
           o.from_ind3 AS f_ind3, false AS f_noresp,
           CAST(NULL AS VARCHAR) AS f_extra
    FROM board bd JOIN overall o ON o.org_code = bd.org_code AND o.year = bd.year
),

all_metrics AS (
    SELECT * FROM headcount_metrics
    UNION ALL SELECT * FROM prop_metrics
    UNION ALL SELECT * FROM parity_metrics
    UNION ALL SELECT * FROM rr_metrics
    UNION ALL SELECT * FROM sv_metrics
    UNION ALL SELECT * FROM gap_metrics
    UNION ALL SELECT * FROM board_metrics
)
SELECT m.org_code, m.year, m.metric, m.staff_group, m.category, m.ethnicity,
       m.value, m.numerator, m.denominator, m.ci_low, m.ci_high, m.suppressed,
       array_compact(make_array(
           CASE WHEN m.ci_low > m.null_value OR m.ci_high < m.null_value THEN 'significant' END,
           CASE WHEN c.kind = 'relative_likelihood'
                 AND (m.value < p.parity_low OR m.value > p.parity_high OR m.f_extra = 'infinite')
                THEN 'outside_parity_band' END,
           CASE WHEN m.f_small THEN 'small_numbers' END,
           CASE WHEN m.f_undef THEN 'undefined' END,
           m.f_extra,
           CASE WHEN m.f_ind3 THEN 'workforce_from_ind3' END,
           CASE WHEN m.f_noresp THEN 'responses_missing' END,
           CASE WHEN m.suppressed THEN 'suppressed' END
       )) AS flags
FROM params p CROSS JOIN all_metrics m
JOIN metrics c ON c.code = m.metric
ORDER BY m.year, m.org_code, m.metric, m.staff_group, m.category, m.ethnicity
