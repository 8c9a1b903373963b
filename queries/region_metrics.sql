-- region_metrics: the same comparison per NHS England region and per ICB.
--
-- level = 'region' (area: the region's name) or 'icb' (area: the ICB code).
-- median, q1, q3 (linear interpolation, type 7), min, max, n_orgs over the
-- trusts of the area with a non-null, unsuppressed value of the metric.
-- Units: those of the metric (see org_metrics.sql).

WITH placed AS (
    SELECT 'region' AS level, o.region AS area, m.*
    FROM org_metrics m JOIN organisations o ON o.org_code = m.org_code
    UNION ALL
    SELECT 'icb', o.icb_code, m.*
    FROM org_metrics m JOIN organisations o ON o.org_code = m.org_code
)
SELECT level, area, year, metric, staff_group, category, ethnicity,
       median(value)                AS median,
       percentile_cont(value, 0.25) AS q1,
       percentile_cont(value, 0.75) AS q3,
       MIN(value)                   AS min,
       MAX(value)                   AS max,
       COUNT(value)                 AS n_orgs
FROM placed
WHERE value IS NOT NULL AND NOT suppressed
GROUP BY level, area, year, metric, staff_group, category, ethnicity
ORDER BY year, level, area, metric, staff_group, category, ethnicity
