#!/usr/bin/env python3
"""Runs the SQL of queries/ in DuckDB over the same Parquet warehouse that
`wresbench benchmark` reads, and times both (median of N runs).

    python3 benches/duckdb_compare.py WAREHOUSE [--runs 5] [--bin target/release/wresbench] [--register R]

Skips quietly (exit 0) when the duckdb Python module is not installed. The
only changes to the SQL are spellings DuckDB lacks: percentile_cont(v, p) ->
quantile_cont(v, p), make_array -> list_value, array_compact(l) ->
list_filter(l, lambda x: x IS NOT NULL), and the Wilson UDF as a SQL macro. Both
engines read Parquet, compute the five result tables and write them as Parquet.
It also checks the two engines agree (row counts and sums of values).
"""
import argparse
import os
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
sys.path.insert(0, HERE)
# The same DuckDB set-up as the comparison pipeline: the SQL translation,
# the Wilson and finite() macros, organisations, params and metrics tables.
from agreement import QUERIES, agree, wres_sums  # noqa: E402
from python_pipeline import connect, run_query_file, translate  # noqa: E402


def run_duckdb(wh, out, register, catalogue):
    con = connect(wh, register, catalogue)
    counts = {}
    for q in QUERIES:
        sql = translate(open(os.path.join(ROOT, "queries", f"{q}.sql")).read())
        run_query_file(con, q, sql)
        con.execute(f"COPY {q} TO '{out}/{q}' (FORMAT parquet, PARTITION_BY (year), OVERWRITE_OR_IGNORE)")
        counts[q] = con.execute(f"SELECT COUNT(*) FROM {q}").fetchone()[0]
    total = con.execute("SELECT SUM(value), SUM(ci_low), COUNT(value) FROM org_metrics").fetchone()
    return counts, total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("warehouse")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "wresbench"))
    ap.add_argument("--register", default=os.path.join(ROOT, "data", "organisations.csv"))
    a = ap.parse_args()
    wh = os.path.abspath(a.warehouse)
    catalogue = os.path.join(tempfile.mkdtemp(), "metrics.csv")
    with open(catalogue, "w") as f:
        subprocess.run([a.bin, "sql", "--warehouse", wh, "--format", "csv", "SELECT * FROM metrics"], stdout=f, check=True)

    df_times = []
    for _ in range(a.runs):
        t = time.perf_counter()
        subprocess.run([a.bin, "-q", "benchmark", "--rebuild", "--register", a.register, "--warehouse", wh], check=True)
        df_times.append(time.perf_counter() - t)

    dd_times = []
    for _ in range(a.runs):
        out = tempfile.mkdtemp()
        t = time.perf_counter()
        counts, total = run_duckdb(wh, out, a.register, catalogue)
        dd_times.append(time.perf_counter() - t)
        shutil.rmtree(out)

    # Agreement: DataFusion's results, read through wresbench itself.
    df_counts, df_total = wres_sums(a.bin, wh)
    same = agree((df_counts, df_total), (counts, total), rel=1e-6)
    d, k = statistics.median(df_times), statistics.median(dd_times)
    print(f"rows: DataFusion {df_counts}")
    print(f"rows: DuckDB     {counts}")
    print(f"org_metrics sum(value), sum(ci_low), count: DataFusion {df_total} / DuckDB {total}")
    print(f"results agree: {same}")
    print(f"wresbench benchmark (DataFusion, whole command): median {d:.2f} s of {a.runs}")
    print(f"DuckDB {duckdb.__version__} (same SQL, Parquet in and out, 2 threads): median {k:.2f} s of {a.runs}")
    print(f"ratio DataFusion / DuckDB: {d / k:.2f}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
