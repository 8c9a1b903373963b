-- region_metrics: the same comparison per NHS England region and per ICB.
--
-- level = 'region' (area: the region's name) or 'icb' (area: the ICB code).
-- median, q1, q3 (linear interpolation, type 7), min, max, n_orgs and
-- n_infinite over the trusts of the area with a value, by the rules of
-- group_metrics.sql: zeros count, infinite ratios enter as +infinity, a
-- statistic that is itself infinite is NULL, no rows for count metrics.
-- Units: those of the metric (see org_metrics.sql).

WITH v AS (
    SELECT o.region, o.icb_code, m.year, m.metric, m.staff_group, m.category, m.ethnicity,
           CASE WHEN array_has(m.flags, 'infinite') THEN CAST('inf' AS DOUBLE) ELSE m.value END AS v,
           array_has(m.flags, 'infinite') AS inf
    FROM org_metrics m
    JOIN metrics c ON c.code = m.metric AND c.group_stats
    JOIN organisations o ON o.org_code = m.org_code
    WHERE NOT m.suppressed
),
-- Each value twice, once per level: one pass over v (a UNION ALL of two
-- SELECTs from v would compute v's joins twice).
placed AS (
    SELECT l.level, CASE l.level WHEN 'region' THEN v.region ELSE v.icb_code END AS area,
           v.year, v.metric, v.staff_group, v.category, v.ethnicity, v.v, v.inf
    FROM (VALUES ('region'), ('icb')) AS l(level) CROSS JOIN v
)
SELECT level, area, year, metric, staff_group, category, ethnicity,
       finite(median(v))                AS median,
       finite(percentile_cont(v, 0.25)) AS q1,
       finite(percentile_cont(v, 0.75)) AS q3,
       finite(MIN(v))                   AS min,
       finite(MAX(v))                   AS max,
       COUNT(v)                         AS n_orgs,
       SUM(CASE WHEN inf THEN 1 ELSE 0 END) AS n_infinite
FROM placed
WHERE v IS NOT NULL
GROUP BY level, area, year, metric, staff_group, category, ethnicity
ORDER BY year, level, area, metric, staff_group, category, ethnicity
