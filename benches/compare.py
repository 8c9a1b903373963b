#!/usr/bin/env python3
"""Issue 14's table: every stage of wresbench and of the Python + DuckDB +
xlsxwriter pipeline (benches/python_pipeline.py), side by side, on the same
generated returns, time and peak memory, for the national decade and for
`--scale 4` and `--scale 20`.

    python3 benches/compare.py [--scales 1,4,20] [--runs 3] [--bin target/release/wresbench]
                               [--work DIR] [--json FILE] [--settle 61]

`make bench` runs it. For each scale it generates ten years of CSV returns
(`wresbench generate --scale K`, the seed fixed), then times each stage as its
own process with GNU time (`/usr/bin/time -f "%e %M"`: wall seconds and the
peak resident set of the largest process; the Python export's two workers
are counted one at a time, as GNU time reports them), each stage from the
previous stage's output: ingest into an empty warehouse, benchmark, export;
then `run` end to end from nothing. Before each stage the file system is
synced (`os.sync()`), so that no stage pays for writing back what an earlier
one left in the page cache. With --runs N the median of N is shown
(the decade; larger scales run once unless --runs-large says otherwise).

Nothing is deleted just before it is measured: each pass writes to folders
of its own, removed only when that pipeline's passes are done, and then the
script waits --settle seconds (61) before the next pipeline. On an ext4
file system without a journal (this VM's) a new file skips every inode freed
in the last 60 seconds, one inode-table lookup each (the kernel's
`recently_deleted`), so creating files straight after deleting thousands
costs time quadratic in their number: wresbench's ingest, which keeps every
input byte for byte (2,060 files at the decade), measured 1.0-1.15 s that
way against 0.55-0.6 s with nothing freed nearby (`perf`: a third of its
time in `find_get_block_common` and `recently_deleted`). A user does not
delete a warehouse before each ingest.

It also checks the two pipelines computed the same thing: the same row
counts in the five result tables and the same sums of value and ci_low over
org_metrics (to 1e-9 relative), and fails (exit 1) if not.

Prints a markdown table (the one in BENCHMARKS.md) on stdout; progress on
stderr. Needs the duckdb and xlsxwriter Python modules (pip install duckdb
xlsxwriter) and GNU time; without them it says so and exits 0.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PY = [sys.executable, os.path.join(HERE, "python_pipeline.py")]
sys.path.insert(0, HERE)
from agreement import QUERIES, agree, wres_sums  # noqa: E402

try:
    import duckdb  # noqa: F401
    import xlsxwriter  # noqa: F401
except ImportError:
    print("benches/compare.py needs the duckdb and xlsxwriter Python modules "
          "(pip install duckdb xlsxwriter): skipping", file=sys.stderr)
    sys.exit(0)
if not os.path.exists("/usr/bin/time"):
    print("benches/compare.py needs GNU time (/usr/bin/time; apt-get install time): skipping", file=sys.stderr)
    sys.exit(0)


def timed(cmd, ok=(0,)):
    """Runs cmd under GNU time; returns (seconds, peak MiB). An exit code
    outside `ok` stops the comparison (wresbench's 1, finished with rejected
    input, is allowed for it; a Python exception also exits 1)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as t:
        r = subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", t.name] + cmd,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if r.returncode not in ok:
            sys.exit(f"failed ({r.returncode}): {' '.join(cmd)}\n{r.stderr}")
        secs, kb = t.read().split()[-2:]
    return float(secs), int(kb) / 1024


def fresh(*paths):
    for p in paths:
        shutil.rmtree(p, ignore_errors=True)


def wres_stages(b, data, wh, out, reg):
    common = ["-q", "--no-progress"]
    inputs = [os.path.join(data, "returns"), os.path.join(data, "survey")]
    return {
        "ingest": [b] + common + ["ingest", "--register", reg, "--warehouse", wh] + inputs,
        "benchmark": [b] + common + ["benchmark", "--rebuild", "--register", reg, "--warehouse", wh],
        "export": [b] + common + ["export", "--register", reg, "--warehouse", wh, "--out", out],
        "run": [b] + common + ["run", "--register", reg, "--warehouse", wh, "--out", out] + inputs,
    }


def py_stages(data, wh, out, reg, cat):
    return {
        "ingest": PY + ["ingest", data, wh, "--register", reg],
        "benchmark": PY + ["benchmark", wh, "--register", reg, "--catalogue", cat],
        "export": PY + ["export", wh, out, "--register", reg],
        "run": PY + ["run", data, wh, out, "--register", reg, "--catalogue", cat],
    }


# Free disk a scale uses at most, per multiple of the 205 trusts: `--scale 20`
# took 15.1 GB (`df` every 5 s during `make bench` on 306c302), a pipeline's
# two passes of packs on disk at once.
DISK_PER_SCALE = 0.8e9


def enough_disk(work, k):
    """Stops before generating a scale the disk cannot hold (a full disk
    part way through would fail a pass and leave its folders behind)."""
    need, free = DISK_PER_SCALE * k, shutil.disk_usage(work).free
    if free < need:
        sys.exit(f"--scale {k} needs about {need / 1e9:.0f} GB free under {work}; "
                 f"{free / 1e9:.0f} GB is. Free some, pass --work on a larger disk, "
                 f"or leave the scale out (BENCH_SCALES=1,4 make bench).")


def settle(seconds):
    """Lets the inodes freed by the last deletion age past ext4's
    `recently_deleted` window (see the top of this file)."""
    os.sync()
    if seconds > 0:
        print(f"  (waiting {seconds:.0f} s after deleting: ext4 skips recently freed inodes)", file=sys.stderr)
        time.sleep(seconds)


def measure(make_stages, base, runs, ok, label):
    """Median time and the largest peak over `runs` passes of the stages;
    each measurement is printed on stderr as it is made, so a late failure
    loses nothing. `make_stages(wh, out)` gives the commands for one pair of
    folders; every pass (and `run`) gets new ones under `base`, so nothing is
    deleted before a stage. Returns the figures and the first pass's
    warehouse (for the agreement check); the caller deletes `base`."""
    got = {s: [] for s in ("ingest", "benchmark", "export", "run")}

    def one(s, stages):
        # Each stage starts with nothing of the earlier steps waiting to be
        # written back: wresbench's ingest and run end with syncfs (their
        # durability), which would otherwise also write back the previous
        # stage's packs and the deleted folders, the other pipeline's
        # included (decade ingest 0.6 s measured as 1.8 s after a Python
        # export).
        os.sync()
        t, m = timed(stages[s], ok)
        print(f"  {label} {s}: {t:.2f} s, {m:,.0f} MiB", file=sys.stderr)
        got[s].append((t, m))

    def folders(name):
        return os.path.join(base, name, "wh"), os.path.join(base, name, "out")

    for i in range(runs):
        stages = make_stages(*folders(f"stages-{i}"))
        for s in ("ingest", "benchmark", "export"):
            one(s, stages)
        one("run", make_stages(*folders(f"run-{i}")))
    figures = {s: (statistics.median(t for t, _ in v), max(m for _, m in v)) for s, v in got.items()}
    return figures, folders("stages-0")[0]


def validate_ms(b, data, reg, work, n=20):
    """Median wall milliseconds of `wresbench validate` on one return, a CSV
    (the first workforce return of the latest year) and the same trust's
    return as an Excel workbook (`generate --format xlsx`), each n times."""
    latest = sorted(os.listdir(os.path.join(data, "returns")))[-1]
    csv = sorted(f for f in os.listdir(os.path.join(data, "returns", latest)) if f.endswith("-workforce.csv"))[0]
    xl_data = os.path.join(work, "data-xlsx")
    fresh(xl_data)
    subprocess.run([b, "-q", "--no-progress", "generate", "--out", xl_data, "--format", "xlsx"], check=True)
    xlsx = os.path.join(xl_data, "returns", latest, csv.replace(".csv", ".xlsx"))
    out = {}
    for kind, path in (("CSV", os.path.join(data, "returns", latest, csv)), ("Excel", xlsx)):
        ts = []
        for _ in range(n):
            t = time.perf_counter()
            r = subprocess.run([b, "-q", "--no-progress", "validate", "--register", reg, path],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            ts.append(time.perf_counter() - t)
            if r.returncode != 0:
                sys.exit(f"validate failed ({r.returncode}) on {path}:\n{r.stderr}")
        out[kind] = (statistics.median(ts) * 1e3, os.path.getsize(path))
        print(f"  validate {kind} ({os.path.basename(path)}): {out[kind][0]:.1f} ms", file=sys.stderr)
    fresh(xl_data)
    return out


def sums(path):
    import duckdb
    con = duckdb.connect()
    rd = lambda q: f"read_parquet('{path}/{q}/**/*.parquet', hive_partitioning = true)"
    counts = {q: con.execute(f"SELECT COUNT(*) FROM {rd(q)}").fetchone()[0] for q in QUERIES}
    total = con.execute(f"SELECT SUM(value), SUM(ci_low), COUNT(value) FROM {rd('org_metrics')}").fetchone()
    return counts, total


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scales", default="1,4,20")
    ap.add_argument("--runs", type=int, default=3, help="passes at scale 1")
    ap.add_argument("--runs-large", type=int, default=1, help="passes at larger scales")
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "wresbench"))
    ap.add_argument("--work", default=None, help="scratch folder (default: a temporary one, removed after)")
    ap.add_argument("--json", default=None, help="also write the figures here")
    ap.add_argument("--settle", type=float, default=61,
                    help="seconds to wait after deleting before measuring (ext4's recently-freed inode window)")
    a = ap.parse_args()
    b = os.path.abspath(a.bin)
    work = a.work or tempfile.mkdtemp(prefix="wresbench-bench-")
    os.makedirs(work, exist_ok=True)
    rows, ok, validate = [], True, None
    try:
        for k in [int(s) for s in a.scales.split(",")]:
            enough_disk(work, k)
            data = os.path.join(work, f"data-{k}")
            fresh(data)
            subprocess.run([b, "-q", "--no-progress", "generate", "--out", data, "--scale", str(k)], check=True)
            reg = os.path.join(data, "register.csv")
            returns = [os.path.join(d, f) for sub in ("returns", "survey")
                       for d, _, fs in os.walk(os.path.join(data, sub)) for f in fs]
            nfiles = len(returns)
            mb = sum(os.path.getsize(p) for p in returns) / 1e6
            runs = a.runs if k == 1 else a.runs_large
            w_base, p_base = os.path.join(work, "wresbench"), os.path.join(work, "python")
            settle(a.settle)
            print(f"scale {k}: {nfiles} files, {mb:.0f} MB; wresbench x{runs}", file=sys.stderr)
            w, wh = measure(lambda wh, out: wres_stages(b, data, wh, out, reg), w_base, runs, (0, 1), "wresbench")
            w_sums = wres_sums(b, wh)
            cat = os.path.join(work, "catalogue.csv")
            with open(cat, "w") as f:
                subprocess.run([b, "sql", "--warehouse", wh, "--format", "csv", "SELECT * FROM metrics"],
                               stdout=f, check=True)
            fresh(w_base)
            settle(a.settle)
            print(f"scale {k}: Python + DuckDB x{runs}", file=sys.stderr)
            p, p_wh = measure(lambda wh, out: py_stages(data, wh, out, reg, cat), p_base, runs, (0,), "Python")
            p_sums = sums(os.path.join(p_wh, "results"))
            fresh(p_base)
            same = agree(w_sums, p_sums)
            ok &= same
            if not same:
                print(f"scale {k}: the pipelines disagree: wresbench {w_sums}, Python {p_sums}", file=sys.stderr)
            if k == 1:
                validate = validate_ms(b, data, reg, work)
            trusts = sum(1 for _ in open(reg)) - 1
            rows.append({"scale": k, "trusts": trusts, "files": nfiles, "mb": mb, "runs": runs,
                         "wresbench": w, "python": p, "agree": same})
            fresh(data)
    finally:
        if a.work is None:
            shutil.rmtree(work, ignore_errors=True)
    print("| data | stage | wresbench | Python + DuckDB | time ratio |")
    print("|---|---|---|---|---|")
    for r in rows:
        what = f"{r['trusts']:,} trusts x 10 years ({r['files']:,} files, {r['mb']:.0f} MB)"
        for s in ("ingest", "benchmark", "export", "run"):
            (wt, wm), (pt, pm) = r["wresbench"][s], r["python"][s]
            print(f"| {what} | {s} | {wt:.2f} s, {wm:,.0f} MiB | {pt:.2f} s, {pm:,.0f} MiB | {pt / wt:.1f}x |")
            what = ""
    if validate:
        print("\n`wresbench validate` of one return (median of 20 processes): "
              + ", ".join(f"{k} ({sz / 1e3:.0f} KB) {ms:.1f} ms" for k, (ms, sz) in validate.items()))
    print(f"\nResults agree (row counts, sums over org_metrics): {all(r['agree'] for r in rows)}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(rows, f, indent=1)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
