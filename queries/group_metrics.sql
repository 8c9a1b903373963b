-- group_metrics: the benchmark-group comparison of every per-trust metric.
--
-- For each NHS Staff Survey benchmarking group, year, metric and breakdown:
-- median, q1, q3, min, max and n_orgs over the trusts with a value, and
-- n_infinite. This is the "Average calculated as the median for the
-- benchmark group" of trust reports: a median of trust values, not a pooled
-- figure and not a mean. Even counts take the mean of the middle two;
-- quartiles interpolate linearly between closest ranks (Excel QUARTILE.INC,
-- R type 7), which is what percentile_cont computes.
-- Zeros count; infinite relative likelihoods (flag infinite) enter as
-- +infinity, the most extreme results, since dropping them would bias the
-- median; suppressed and undefined figures are left out. A statistic that is
-- itself infinite is stored as NULL (finite()).
-- No rows for count metrics (metrics.group_stats is false for them).
-- Units: those of the metric (see org_metrics.sql).

WITH v AS (
    SELECT o.benchmark_group, m.year, m.metric, m.staff_group, m.category, m.ethnicity,
           CASE WHEN array_has(m.flags, 'infinite') THEN CAST('inf' AS DOUBLE) ELSE m.value END AS v,
           array_has(m.flags, 'infinite') AS inf
    FROM org_metrics m
    JOIN metrics c ON c.code = m.metric AND c.group_stats
    JOIN organisations o ON o.org_code = m.org_code
    WHERE NOT m.suppressed
)
SELECT benchmark_group, year, metric, staff_group, category, ethnicity,
       finite(median(v))                AS median,
       finite(percentile_cont(v, 0.25)) AS q1,
       finite(percentile_cont(v, 0.75)) AS q3,
       finite(MIN(v))                   AS min,
       finite(MAX(v))                   AS max,
       COUNT(v)                         AS n_orgs,
       SUM(CASE WHEN inf THEN 1 ELSE 0 END) AS n_infinite
FROM v
WHERE v IS NOT NULL
GROUP BY benchmark_group, year, metric, staff_group, category, ethnicity
ORDER BY year, benchmark_group, metric, staff_group, category, ethnicity
