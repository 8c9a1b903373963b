#!/usr/bin/env python3
"""Runs the SQL of queries/ in DuckDB over the same Parquet warehouse that
`wresbench benchmark` reads, and times both (median of N runs).

    python3 benches/duckdb_compare.py WAREHOUSE [--runs 5] [--bin target/release/wresbench]

Skips quietly (exit 0) when the duckdb Python module is not installed. The
only changes to the SQL are spellings DuckDB lacks: percentile_cont(v, p) ->
quantile_cont(v, p), make_array -> list_value, array_compact(l) ->
list_filter(l, lambda x: x IS NOT NULL), and the Wilson UDF as a SQL macro. Both
engines read Parquet, compute the five result tables and write them as Parquet.
It also checks the two engines agree (row counts and sums of values).
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

try:
    import duckdb
except ImportError:
    print("duckdb not installed: skipping the comparison (pip install duckdb)")
    sys.exit(0)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
QUERIES = ["org_metrics", "group_metrics", "region_metrics", "national_metrics", "org_positions"]
Z = 1.959963984540054

WILSON = f"""
CREATE MACRO wilson_low(x, n) AS CASE WHEN n > 0 AND x >= 0 AND x <= n THEN greatest(0.0,
  ((x / n) + {Z}^2 / (2 * n) - {Z} * sqrt((x / n) * (1 - x / n) / n + {Z}^2 / (4 * n * n))) / (1 + {Z}^2 / n)) END;
CREATE MACRO wilson_high(x, n) AS CASE WHEN n > 0 AND x >= 0 AND x <= n THEN least(1.0,
  ((x / n) + {Z}^2 / (2 * n) + {Z} * sqrt((x / n) * (1 - x / n) / n + {Z}^2 / (4 * n * n))) / (1 + {Z}^2 / n)) END;
"""


def translate(sql):
    sql = re.sub(r"percentile_cont\(", "quantile_cont(", sql)
    sql = sql.replace("array_compact(make_array(", "list_filter(list_value(")
    # close list_filter: the make_array(...) call ends with "))" before " AS flags"
    sql = sql.replace(")) AS flags", "), lambda x: x IS NOT NULL) AS flags")
    return sql


def run_duckdb(wh, out):
    con = duckdb.connect()
    con.execute("SET threads TO 2")
    con.execute(WILSON)
    con.execute(f"CREATE VIEW returns AS SELECT * FROM read_parquet('{wh}/returns/*/*.parquet')")
    con.execute(f"CREATE TABLE organisations AS SELECT * FROM read_csv('{ROOT}/data/organisations.csv', header=true, all_varchar=true)")
    con.execute(f"CREATE TABLE params AS SELECT 11.0 AS min_responses, 10.0 AS small_numbers, {Z} AS z, 0.8 AS parity_low, 1.25 AS parity_high, 2028 AS model_employer_year")
    counts = {}
    for q in QUERIES:
        sql = translate(open(os.path.join(ROOT, "queries", f"{q}.sql")).read())
        con.execute(f"CREATE TABLE {q} AS {sql}")
        con.execute(f"COPY {q} TO '{out}/{q}' (FORMAT parquet, PARTITION_BY (year), OVERWRITE_OR_IGNORE)")
        counts[q] = con.execute(f"SELECT COUNT(*) FROM {q}").fetchone()[0]
    total = con.execute("SELECT SUM(value), SUM(ci_low), COUNT(value) FROM org_metrics").fetchone()
    return counts, total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("warehouse")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "wresbench"))
    a = ap.parse_args()
    wh = os.path.abspath(a.warehouse)

    df_times = []
    for _ in range(a.runs):
        t = time.perf_counter()
        subprocess.run([a.bin, "-q", "benchmark", "--warehouse", wh], check=True)
        df_times.append(time.perf_counter() - t)

    dd_times = []
    for _ in range(a.runs):
        out = tempfile.mkdtemp()
        t = time.perf_counter()
        counts, total = run_duckdb(wh, out)
        dd_times.append(time.perf_counter() - t)
        shutil.rmtree(out)

    # Agreement: DataFusion's results, read back by DuckDB.
    con = duckdb.connect()
    df_counts = {q: con.execute(f"SELECT COUNT(*) FROM read_parquet('{wh}/results/{q}/*/*.parquet')").fetchone()[0] for q in QUERIES}
    df_total = con.execute(f"SELECT SUM(value), SUM(ci_low), COUNT(value) FROM read_parquet('{wh}/results/org_metrics/*/*.parquet')").fetchone()
    agree = df_counts == counts and all(abs(x - y) <= 1e-6 * max(1.0, abs(x)) for x, y in zip(df_total, total))
    d, k = statistics.median(df_times), statistics.median(dd_times)
    print(f"rows: DataFusion {df_counts}")
    print(f"rows: DuckDB     {counts}")
    print(f"org_metrics sum(value), sum(ci_low), count: DataFusion {df_total} / DuckDB {total}")
    print(f"results agree: {agree}")
    print(f"wresbench benchmark (DataFusion, whole command): median {d:.2f} s of {a.runs}")
    print(f"DuckDB {duckdb.__version__} (same SQL, Parquet in and out, 2 threads): median {k:.2f} s of {a.runs}")
    print(f"ratio DataFusion / DuckDB: {d / k:.2f}")
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
