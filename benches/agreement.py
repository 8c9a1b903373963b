"""What benches/compare.py and benches/duckdb_compare.py compare to say two
engines computed the same thing: the row count of each result table and the
sums of value and ci_low (and the count of values) over org_metrics."""
import subprocess

QUERIES = ["org_metrics", "group_metrics", "region_metrics", "national_metrics", "org_positions"]


def wres_sums(binary, wh):
    """The figures of a wresbench warehouse, read through `wresbench sql` (so
    only the current snapshot's files count, not superseded ones on disk)."""
    def one(sql):
        out = subprocess.run([binary, "sql", "--warehouse", wh, "--format", "csv", sql],
                             check=True, capture_output=True, text=True).stdout.splitlines()[1]
        return [float(x) if "." in x or "e" in x else int(x) for x in out.split(",")]
    counts = {q: one(f"SELECT COUNT(*) FROM {q}")[0] for q in QUERIES}
    return counts, tuple(one("SELECT SUM(value), SUM(ci_low), COUNT(value) FROM org_metrics"))


def agree(a, b, rel=1e-9):
    """Same row counts; sums equal to `rel` relative (the engines add in other orders)."""
    return a[0] == b[0] and all(abs(x - y) <= rel * max(1.0, abs(x)) for x, y in zip(a[1], b[1]))
