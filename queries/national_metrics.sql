-- national_metrics: national figures for every metric and year, two ways.
--
-- pooled: sum the numerators and denominators over every trust, then apply
--   the metric's formula (spec/indicators.md, "National"):
--   proportions 100 * sum(x) / sum(n); survey percentages response-weighted,
--   sum(pct * responses) / sum(responses); relative likelihoods from the pooled
--   likelihoods of each group, in the indicator's own direction; survey gaps
--   as pooled BME minus pooled White; ind9.diff_pp as pooled board BME % minus
--   pooled workforce BME %; headcounts and parity gaps summed (people).
-- median, q1, q3, n_orgs: of trust values (type 7 quartiles), as in group_metrics.
-- share_significant_above_1: for relative likelihoods, the share (0-1) of
--   trusts with a value whose 95% interval lies wholly above 1.

WITH
vals AS (
    SELECT * FROM org_metrics WHERE value IS NOT NULL AND NOT suppressed
),
stats AS (
    SELECT year, metric, staff_group, category, ethnicity,
           median(value)                AS median,
           percentile_cont(value, 0.25) AS q1,
           percentile_cont(value, 0.75) AS q3,
           COUNT(value)                 AS n_orgs,
           CASE WHEN metric LIKE '%relative_likelihood%'
                THEN CAST(SUM(CASE WHEN array_has(flags, 'significant') AND value > 1 THEN 1 ELSE 0 END) AS DOUBLE)
                     / CAST(COUNT(value) AS DOUBLE)
           END AS share_significant_above_1
    FROM vals
    GROUP BY year, metric, staff_group, category, ethnicity
),
-- Pooled proportions and survey percentages.
pooled_pct AS (
    SELECT year, metric, staff_group, category, ethnicity,
           CASE WHEN metric LIKE 'ind5%' OR metric LIKE 'ind6%' OR metric LIKE 'ind7%' OR metric LIKE 'ind8%'
                THEN SUM(value * denominator) / SUM(denominator)
                ELSE 100.0 * SUM(numerator) / SUM(denominator)
           END AS pooled
    FROM vals
    WHERE numerator IS NOT NULL AND denominator IS NOT NULL AND denominator > 0
    GROUP BY year, metric, staff_group, category, ethnicity
),
-- Pooled relative likelihoods from the pooled likelihoods by ethnicity.
-- Only trusts with both groups' counts contribute.
both_groups AS (
    SELECT w.year, w.metric, w.numerator AS w_num, w.denominator AS w_den, b.numerator AS b_num, b.denominator AS b_den
    FROM org_metrics w
    JOIN org_metrics b ON b.org_code = w.org_code AND b.year = w.year AND b.metric = w.metric AND b.ethnicity = 'bme'
    WHERE w.ethnicity = 'white'
      AND w.metric IN ('ind2.appointed_pct', 'ind3.disciplinary_pct', 'ind4.training_pct')
      AND w.denominator > 0 AND b.denominator > 0
),
pooled_rr AS (
    SELECT year,
           CASE metric WHEN 'ind2.appointed_pct' THEN 'ind2.relative_likelihood'
                       WHEN 'ind3.disciplinary_pct' THEN 'ind3.relative_likelihood'
                       ELSE 'ind4.relative_likelihood' END AS metric,
           CASE WHEN metric = 'ind3.disciplinary_pct'
                THEN (SUM(b_num) / SUM(b_den)) / (SUM(w_num) / SUM(w_den))
                ELSE (SUM(w_num) / SUM(w_den)) / (SUM(b_num) / SUM(b_den))
           END AS pooled
    FROM both_groups
    GROUP BY year, metric
),
-- Pooled survey gaps: pooled BME minus pooled White (both groups present and unsuppressed).
pooled_gap AS (
    SELECT year, replace(metric, '.pct', '.gap_pp') AS metric,
           SUM(CASE WHEN ethnicity = 'bme' THEN value * denominator END) / SUM(CASE WHEN ethnicity = 'bme' THEN denominator END)
         - SUM(CASE WHEN ethnicity = 'white' THEN value * denominator END) / SUM(CASE WHEN ethnicity = 'white' THEN denominator END) AS pooled
    FROM vals
    WHERE metric IN ('ind5.pct', 'ind6.pct', 'ind7.pct', 'ind8.pct') AND denominator > 0
    GROUP BY year, metric
),
-- Pooled board difference: pooled board BME % minus pooled workforce BME %.
pooled_board AS (
    SELECT bd.year, 'ind9.diff_pp' AS metric, bd.category,
           bd.pooled - wf.pooled AS pooled
    FROM pooled_pct bd
    JOIN pooled_pct wf ON wf.year = bd.year AND wf.metric = 'ind1.bme_pct' AND wf.staff_group = 'all' AND wf.category = 'all'
    WHERE bd.metric = 'ind9.board_bme_pct'
),
-- Counts of people are summed.
pooled_sum AS (
    SELECT year, metric, staff_group, category, ethnicity, SUM(value) AS pooled
    FROM vals
    WHERE metric IN ('ind1.headcount', 'ind1.parity_gap', 'ind1.parity_annual_goal')
    GROUP BY year, metric, staff_group, category, ethnicity
),
pooled AS (
    SELECT year, metric, staff_group, category, ethnicity, pooled FROM pooled_pct
    UNION ALL SELECT year, metric, '', '', '', pooled FROM pooled_rr
    UNION ALL SELECT year, metric, '', '', '', pooled FROM pooled_gap
    UNION ALL SELECT year, metric, '', category, '', pooled FROM pooled_board
    UNION ALL SELECT year, metric, staff_group, category, ethnicity, pooled FROM pooled_sum
)
SELECT s.year, s.metric, s.staff_group, s.category, s.ethnicity,
       p.pooled, s.median, s.q1, s.q3, s.n_orgs, s.share_significant_above_1
FROM stats s
LEFT JOIN pooled p
  ON p.year = s.year AND p.metric = s.metric AND p.staff_group = s.staff_group
 AND p.category = s.category AND p.ethnicity = s.ethnicity
ORDER BY s.year, s.metric, s.staff_group, s.category, s.ethnicity
