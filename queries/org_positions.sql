-- org_positions: each trust's rank and quartile position among its peers.
--
-- For every org metric with a value (zeros included; infinite ratios as
-- +infinity, as in group_metrics.sql): rank within the trust's benchmark group
-- and within its NHS England region (1 = highest value; ties share a rank),
-- the number of trusts ranked, and the quartile position against that peer
-- set's q1 / median / q3 (1 = lowest quarter ... 4 = highest quarter).
-- Whether high is good depends on the metric (see org_metrics.sql).

WITH
v AS (
    SELECT m.org_code, m.year, m.metric, m.staff_group, m.category, m.ethnicity,
           CASE WHEN array_has(m.flags, 'infinite') THEN CAST('inf' AS DOUBLE) ELSE m.value END AS value,
           o.benchmark_group, o.region
    FROM org_metrics m
    JOIN metrics c ON c.code = m.metric AND c.group_stats
    JOIN organisations o ON o.org_code = m.org_code
    WHERE (m.value IS NOT NULL OR array_has(m.flags, 'infinite')) AND NOT m.suppressed
),
ranked AS (
    SELECT v.*,
           RANK() OVER (PARTITION BY benchmark_group, year, metric, staff_group, category, ethnicity ORDER BY value DESC) AS group_rank,
           RANK() OVER (PARTITION BY region, year, metric, staff_group, category, ethnicity ORDER BY value DESC)          AS region_rank
    FROM v
)
-- The number ranked is the peer set's n_orgs: group_metrics.sql and
-- region_metrics.sql count the same rows `v` holds (a value or infinite,
-- not suppressed, a metric with group statistics, a trust in the register),
-- so no window has to count them again.
-- A NULL (infinite) quartile statistic compares as +infinity.
SELECT r.org_code, r.year, r.metric, r.staff_group, r.category, r.ethnicity, finite(r.value) AS value,
       r.group_rank, g.n_orgs AS group_n,
       CASE WHEN r.value <= COALESCE(g.q1, CAST('inf' AS DOUBLE)) THEN 1 WHEN r.value <= COALESCE(g.median, CAST('inf' AS DOUBLE)) THEN 2
            WHEN r.value <= COALESCE(g.q3, CAST('inf' AS DOUBLE)) THEN 3 ELSE 4 END AS group_quartile,
       r.region_rank, rg.n_orgs AS region_n,
       CASE WHEN r.value <= COALESCE(rg.q1, CAST('inf' AS DOUBLE)) THEN 1 WHEN r.value <= COALESCE(rg.median, CAST('inf' AS DOUBLE)) THEN 2
            WHEN r.value <= COALESCE(rg.q3, CAST('inf' AS DOUBLE)) THEN 3 ELSE 4 END AS region_quartile
FROM ranked r
JOIN group_metrics g
  ON g.benchmark_group = r.benchmark_group AND g.year = r.year AND g.metric = r.metric
 AND g.staff_group = r.staff_group AND g.category = r.category AND g.ethnicity = r.ethnicity
JOIN region_metrics rg
  ON rg.level = 'region' AND rg.area = r.region AND rg.year = r.year AND rg.metric = r.metric
 AND rg.staff_group = r.staff_group AND rg.category = r.category AND rg.ethnicity = r.ethnicity
ORDER BY r.year, r.org_code, r.metric, r.staff_group, r.category, r.ethnicity
