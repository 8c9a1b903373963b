-- national_metrics: national figures for every metric and year, two ways.
--
-- pooled: sum the numerators and denominators over every trust, then apply
--   the metric's formula (spec/indicators.md, "National"), chosen by the
--   metric's kind in the catalogue table `metrics`:
--   proportion: 100 * sum(x) / sum(n);
--   survey_pct: response-weighted, sum(pct * responses) / sum(responses);
--   relative_likelihood: the pooled likelihood of the first group over the
--     other's (metrics.first_group, from the counts of metrics.source_metric),
--     over the trusts with both denominators above 0; the two-year indicator 3
--     (window_years = 2) over the trusts with both years;
--   gap: pooled BME % minus pooled White %, over the trusts that have both
--     groups unsuppressed with their responses;
--   board_diff: pooled board BME % minus pooled workforce BME %;
--   count: summed (people); the annual goal as the summed gap over the
--     years left to the Model Employer year (the sum of the trusts' goals,
--     computed without rounding each).
-- median, q1, q3 (type 7), n_orgs: of trust values, with infinite ratios as
--   +infinity as in group_metrics.sql; NULL for counts (no group statistics
--   for count metrics) and where the statistic is itself infinite.
-- share_significant_above_1: for relative likelihoods, the share (0-1) of
--   trusts whose 95% interval lies wholly above 1 (infinite ratios included),
--   out of the trusts with both denominators above 0.

-- Rows read several times below are computed once, each into a table of its
-- own (DataFusion computes a WITH clause again wherever it is read); the
-- engine drops these nm_* tables when the query ends. The last statement
-- gives the result.

-- Every trust value that counts: infinite ratios as +infinity, none
-- suppressed or missing.
CREATE TABLE nm_vals AS
WITH eff AS (
    SELECT m.*, c.kind, c.source_metric, c.group_stats,
           CASE WHEN array_has(m.flags, 'infinite') THEN CAST('inf' AS DOUBLE) ELSE m.value END AS v
    FROM org_metrics m JOIN metrics c ON c.code = m.metric
)
SELECT * FROM eff WHERE v IS NOT NULL AND NOT suppressed;

-- Proportions and survey percentages, from summed counts.
CREATE TABLE nm_pooled_pct AS
WITH vals AS (SELECT * FROM nm_vals)
SELECT year, metric, staff_group, category, ethnicity,
       CASE WHEN kind = 'survey_pct'
            THEN SUM(value * denominator) / SUM(denominator)
            ELSE 100.0 * SUM(numerator) / SUM(denominator)
       END AS pooled
FROM vals
WHERE kind IN ('proportion', 'survey_pct')
  AND numerator IS NOT NULL AND denominator IS NOT NULL AND denominator > 0
GROUP BY year, metric, staff_group, category, ethnicity, kind;

-- The counts behind each trust's relative likelihood: a / n1 of the first
-- group, c / n2 of the other, from the source percentage's rows.
CREATE TABLE nm_grp AS
SELECT org_code, year, metric, ethnicity, numerator AS x, denominator AS n
FROM org_metrics
WHERE ethnicity IN ('white', 'bme') AND numerator IS NOT NULL AND denominator IS NOT NULL;

-- Each trust's relative likelihood counts, where both denominators are above 0.
CREATE TABLE nm_rr_both AS
WITH grp AS (SELECT * FROM nm_grp),
rr_counts AS (
    SELECT c.code AS metric, f.org_code, f.year, f.x AS a, f.n AS n1, o.x AS c, o.n AS n2
    FROM metrics c
    JOIN grp f ON f.metric = c.source_metric AND f.ethnicity = c.first_group
    JOIN grp o ON o.org_code = f.org_code AND o.year = f.year AND o.metric = f.metric AND o.ethnicity <> f.ethnicity
    WHERE c.kind = 'relative_likelihood' AND c.window_years = 1
    UNION ALL
    SELECT c.code, f.org_code, f.year, f.x + fp.x, f.n + fp.n, o.x + op.x, o.n + op.n
    FROM metrics c
    JOIN grp f  ON f.metric = c.source_metric AND f.ethnicity = c.first_group
    JOIN grp o  ON o.org_code = f.org_code AND o.year = f.year AND o.metric = f.metric AND o.ethnicity <> f.ethnicity
    JOIN grp fp ON fp.org_code = f.org_code AND fp.year = f.year - 1 AND fp.metric = f.metric AND fp.ethnicity = f.ethnicity
    JOIN grp op ON op.org_code = f.org_code AND op.year = f.year - 1 AND op.metric = f.metric AND op.ethnicity = o.ethnicity
    WHERE c.kind = 'relative_likelihood' AND c.window_years = 2
)
SELECT * FROM rr_counts WHERE n1 > 0 AND n2 > 0;

WITH
eff AS (
    SELECT m.*, c.kind, c.source_metric, c.group_stats,
           CASE WHEN array_has(m.flags, 'infinite') THEN CAST('inf' AS DOUBLE) ELSE m.value END AS v
    FROM org_metrics m JOIN metrics c ON c.code = m.metric
),
vals AS (SELECT * FROM nm_vals),
stats AS (
    SELECT year, metric, staff_group, category, ethnicity,
           CASE WHEN bool_and(group_stats) THEN finite(median(v)) END                AS median,
           CASE WHEN bool_and(group_stats) THEN finite(percentile_cont(v, 0.25)) END AS q1,
           CASE WHEN bool_and(group_stats) THEN finite(percentile_cont(v, 0.75)) END AS q3,
           COUNT(v) AS n_orgs
    FROM vals
    GROUP BY year, metric, staff_group, category, ethnicity
),
pooled_pct AS (SELECT * FROM nm_pooled_pct),
rr_both AS (SELECT * FROM nm_rr_both),
pooled_rr AS (
    SELECT year, metric,
           CASE WHEN SUM(c) > 0 AND SUM(n1) > 0 THEN (SUM(a) / SUM(n1)) / (SUM(c) / SUM(n2)) END AS pooled
    FROM rr_both
    GROUP BY year, metric
),
rr_share AS (
    SELECT r.year, r.metric,
           CAST(SUM(CASE WHEN array_has(m.flags, 'significant')
                          AND (m.value > 1 OR array_has(m.flags, 'infinite')) THEN 1 ELSE 0 END) AS DOUBLE)
           / CAST(COUNT(*) AS DOUBLE) AS share
    FROM rr_both r
    JOIN org_metrics m ON m.org_code = r.org_code AND m.year = r.year AND m.metric = r.metric
    GROUP BY r.year, r.metric
),
-- Survey gaps: over the trusts with both groups unsuppressed and their responses.
gap_trusts AS (
    SELECT g.year, g.metric, b.value AS pb, b.denominator AS nb, w.value AS pw, w.denominator AS nw
    FROM eff g
    JOIN eff b ON b.org_code = g.org_code AND b.year = g.year AND b.metric = g.source_metric AND b.ethnicity = 'bme'
    JOIN eff w ON w.org_code = g.org_code AND w.year = g.year AND w.metric = g.source_metric AND w.ethnicity = 'white'
    WHERE g.kind = 'gap' AND g.value IS NOT NULL AND b.denominator > 0 AND w.denominator > 0
),
pooled_gap AS (
    SELECT year, metric, SUM(pb * nb) / SUM(nb) - SUM(pw * nw) / SUM(nw) AS pooled
    FROM gap_trusts
    GROUP BY year, metric
),
-- Board difference: pooled board BME % minus pooled workforce BME %.
pooled_board AS (
    SELECT bd.year, c.code AS metric, bd.category, bd.pooled - wf.pooled AS pooled
    FROM metrics c
    JOIN pooled_pct bd ON bd.metric = c.source_metric
    JOIN pooled_pct wf ON wf.year = bd.year AND wf.metric = 'ind1.bme_pct' AND wf.staff_group = 'all' AND wf.category = 'all'
    WHERE c.kind = 'board_diff'
),
-- Counts of people are summed. The annual goal, the one count that is not
-- whole, is the summed gap over the years left: adding the trusts' fractions
-- (0.1 + 0.1 + 0.1 = 0.30000000000000004) gave last digits that changed with
-- the order DataFusion added them in; the gaps' sum is exact. A trust has a
-- goal exactly when it has a gap and the year is before the Model Employer
-- year, so the two sums are over the same trusts.
pooled_sum AS (
    SELECT year, metric, staff_group, category, ethnicity, SUM(value) AS pooled
    FROM vals
    WHERE kind = 'count' AND metric <> 'ind1.parity_annual_goal'
    GROUP BY year, metric, staff_group, category, ethnicity
    UNION ALL
    SELECT g.year, 'ind1.parity_annual_goal', g.staff_group, g.category, g.ethnicity,
           SUM(g.value) / CAST(p.model_employer_year - g.year AS DOUBLE)
    FROM params p CROSS JOIN vals g
    WHERE g.metric = 'ind1.parity_gap' AND g.year < p.model_employer_year
    GROUP BY g.year, g.staff_group, g.category, g.ethnicity, p.model_employer_year
),
pooled AS (
    SELECT year, metric, staff_group, category, ethnicity, pooled FROM pooled_pct
    UNION ALL SELECT year, metric, '', '', '', pooled FROM pooled_rr
    UNION ALL SELECT year, metric, '', '', '', pooled FROM pooled_gap
    UNION ALL SELECT year, metric, '', category, '', pooled FROM pooled_board
    UNION ALL SELECT year, metric, staff_group, category, ethnicity, pooled FROM pooled_sum
)
SELECT s.year, s.metric, s.staff_group, s.category, s.ethnicity,
       p.pooled, s.median, s.q1, s.q3, s.n_orgs, sh.share AS share_significant_above_1
FROM stats s
LEFT JOIN pooled p
  ON p.year = s.year AND p.metric = s.metric AND p.staff_group = s.staff_group
 AND p.category = s.category AND p.ethnicity = s.ethnicity
LEFT JOIN rr_share sh
  ON sh.year = s.year AND sh.metric = s.metric AND s.staff_group = '' AND s.category = '' AND s.ethnicity = ''
ORDER BY s.year, s.metric, s.staff_group, s.category, s.ethnicity
