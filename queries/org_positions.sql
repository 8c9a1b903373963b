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
-- Each peer set's quartiles are computed in the windows that rank it, with
-- the functions group_metrics.sql / region_metrics.sql use over the same rows
-- (a value or infinite, not suppressed, a metric with group statistics, a
-- trust in the register), so they equal those tables' q1 / median / q3 and
-- COUNT(*) their n_orgs. Joining those tables back on six keys built a hash
-- table of every ranked row and was a third of this query's time.
-- A statistic that is infinite (finite() gives NULL) compares as +infinity.
ranked AS (
    SELECT v.*,
           RANK() OVER g AS group_rank,
           COUNT(*) OVER gp AS group_n,
           COALESCE(finite(percentile_cont(value, 0.25) OVER gp), CAST('inf' AS DOUBLE)) AS g_q1,
           COALESCE(finite(median(value) OVER gp), CAST('inf' AS DOUBLE)) AS g_median,
           COALESCE(finite(percentile_cont(value, 0.75) OVER gp), CAST('inf' AS DOUBLE)) AS g_q3,
           RANK() OVER r AS region_rank,
           COUNT(*) OVER rp AS region_n,
           COALESCE(finite(percentile_cont(value, 0.25) OVER rp), CAST('inf' AS DOUBLE)) AS r_q1,
           COALESCE(finite(median(value) OVER rp), CAST('inf' AS DOUBLE)) AS r_median,
           COALESCE(finite(percentile_cont(value, 0.75) OVER rp), CAST('inf' AS DOUBLE)) AS r_q3
    FROM v
    WINDOW g AS (PARTITION BY benchmark_group, year, metric, staff_group, category, ethnicity ORDER BY value DESC),
           gp AS (PARTITION BY benchmark_group, year, metric, staff_group, category, ethnicity),
           r AS (PARTITION BY region, year, metric, staff_group, category, ethnicity ORDER BY value DESC),
           rp AS (PARTITION BY region, year, metric, staff_group, category, ethnicity)
)
SELECT r.org_code, r.year, r.metric, r.staff_group, r.category, r.ethnicity, finite(r.value) AS value,
       r.group_rank, r.group_n,
       CASE WHEN r.value <= g_q1 THEN 1 WHEN r.value <= g_median THEN 2
            WHEN r.value <= g_q3 THEN 3 ELSE 4 END AS group_quartile,
       r.region_rank, r.region_n,
       CASE WHEN r.value <= r_q1 THEN 1 WHEN r.value <= r_median THEN 2
            WHEN r.value <= r_q3 THEN 3 ELSE 4 END AS region_quartile
FROM ranked r
ORDER BY r.year, r.org_code, r.metric, r.staff_group, r.category, r.ethnicity
