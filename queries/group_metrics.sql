-- group_metrics: the benchmark-group comparison of every per-trust metric.
--
-- For each NHS Staff Survey benchmarking group, year, metric and breakdown:
-- median, q1, q3, min, max and n_orgs over the trusts with a non-null,
-- unsuppressed value. This is the "Average calculated as the median for the
-- benchmark group" of trust reports: a median of trust values, not a pooled
-- figure and not a mean. Even counts take the mean of the middle two;
-- quartiles interpolate linearly between closest ranks (Excel QUARTILE.INC,
-- R type 7), which is what percentile_cont computes.
-- Units: those of the metric (see org_metrics.sql).

SELECT o.benchmark_group,
       m.year, m.metric, m.staff_group, m.category, m.ethnicity,
       median(m.value)                AS median,
       percentile_cont(m.value, 0.25) AS q1,
       percentile_cont(m.value, 0.75) AS q3,
       MIN(m.value)                   AS min,
       MAX(m.value)                   AS max,
       COUNT(m.value)                 AS n_orgs
FROM org_metrics m
JOIN organisations o ON o.org_code = m.org_code
WHERE m.value IS NOT NULL AND NOT m.suppressed
GROUP BY o.benchmark_group, m.year, m.metric, m.staff_group, m.category, m.ethnicity
ORDER BY m.year, o.benchmark_group, m.metric, m.staff_group, m.category, m.ethnicity
