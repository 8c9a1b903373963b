#!/usr/bin/env python3
"""The pipeline an analyst would write instead of wresbench, for issue 14's
side-by-side measurement: Python reads and checks the CSV returns, DuckDB
computes the same result tables with the same SQL (queries/*.sql), and the
packs are written with xlsxwriter and json in two processes.

    python3 benches/python_pipeline.py ingest    DATA WH --register R
    python3 benches/python_pipeline.py benchmark WH --register R --catalogue C
    python3 benches/python_pipeline.py export    WH OUT --register R
    python3 benches/python_pipeline.py run       DATA WH OUT --register R --catalogue C

DATA is what `wresbench generate` writes (DATA/returns/YYYY/*.csv and
DATA/survey/*.csv); R is its register.csv; C is the metric catalogue as CSV
(`wresbench sql --format csv "SELECT * FROM metrics"`: configuration, the
analyst's lookup table). The outputs are those of `wresbench export` less
the HTML: for the latest year, per trust a JSON pack (every figure of the
year with its group and regional position, the group median and the national
figure, and the trend of every figure over the years held) and an Excel pack
(summary, figures, a trend sheet with one native line chart per indicator);
per region an Excel and a JSON pack; a national JSON and Excel summary.

It is a fair opponent, not a strawman: validation checks what returns.md
asks of a CSV (header, codes, whole counts, duplicate keys, register),
file by file, and a rejected file is listed, not loaded; DuckDB reads the
accepted files in one go and writes Parquet; the SQL is the same.
"""
import argparse
import csv
import glob
import json
import math
import multiprocessing
import os
import re
import shutil
import sys
import time

import duckdb
import xlsxwriter

from agreement import QUERIES  # the five result tables, in the order they are computed

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
Z = 1.959963984540054
PARAMS = dict(min_responses=11.0, small_numbers=10.0, z=Z, parity_low=0.8, parity_high=1.25,
              model_employer_year=2028, min_count=8.0, min_trusts=5)
HEADLINES = [
    ("ind1.bme_pct", "all", "all", ""), ("ind2.relative_likelihood", "", "", ""),
    ("ind3.relative_likelihood", "", "", ""), ("ind4.relative_likelihood", "", "", ""),
    ("ind5.pct", "", "", "bme"), ("ind6.pct", "", "", "bme"), ("ind7.pct", "", "", "bme"),
    ("ind8.pct", "", "", "bme"), ("ind9.diff_pp", "", "voting", ""),
]

# ---------------------------------------------------------------- ingest
COLUMNS = ["org_code", "year", "indicator", "measure", "staff_group", "category", "ethnicity", "value"]
BANDS = ["under_band_1"] + [f"band_{i}" for i in range(1, 8)] + ["band_8a", "band_8b", "band_8c", "band_8d", "band_9", "vsm"]
MEDICAL = ["consultant", "senior_medical_manager", "non_consultant_career_grade", "trainee", "other"]
MEASURES = {1: {"headcount"}, 2: {"shortlisted", "appointed"}, 3: {"workforce", "entered_disciplinary"},
            4: {"workforce", "accessed_training"}, 5: {"percent", "responses"}, 6: {"percent", "responses"},
            7: {"percent", "responses"}, 8: {"percent", "responses"}, 9: {"members"}}


def check_row(r, orgs):
    org, year, ind, measure, group, cat, eth, value = r
    if org not in orgs:
        return f"organisation {org!r} is not in the register"
    try:
        year = int(year)
        ind = int(ind)
        v = float(value)
    except ValueError:
        return "year, indicator and value must be numbers"
    if ind not in MEASURES or measure not in MEASURES[ind]:
        return f"measure {measure!r} is not one of indicator {ind}'s"
    if ind == 1:
        cats = MEDICAL if group == "medical" else BANDS if group in ("non_clinical", "clinical") else None
        if cats is None or cat not in cats:
            return f"staff group/category {group!r}/{cat!r}"
    elif ind == 9:
        if group or cat not in ("total", "voting", "executive"):
            return f"board category {cat!r}"
    elif group or cat:
        return "staff_group and category must be empty"
    if eth not in (("white", "bme") if 5 <= ind <= 8 else ("white", "bme", "unknown")):
        return f"ethnicity {eth!r}"
    if not math.isfinite(v) or v < 0:
        return f"value {value!r} must be a non-negative number"
    if measure == "percent":
        if v > 100:
            return f"percent {value!r} above 100"
    elif v != int(v):
        return f"count {value!r} is not whole"
    return None


def check_file(path, orgs):
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = csv.reader(f)
        header = [h.strip().lower() for h in next(rows, [])]
        if sorted(header) != sorted(COLUMNS):
            return f"{path}: header {header} is not {COLUMNS}"
        order = [header.index(c) for c in COLUMNS]
        seen = set()
        for n, row in enumerate(rows, start=2):
            r = [row[i].strip() for i in order]
            problem = check_row(r, orgs)
            if problem:
                return f"{path}: row {n}: {problem}"
            key = tuple(r[:7])
            if key in seen:
                return f"{path}: row {n}: duplicate of an earlier row"
            seen.add(key)
    return None


def read_register(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def ingest(data, wh, register):
    orgs = {r["org_code"] for r in read_register(register)}
    files = sorted(glob.glob(os.path.join(data, "returns", "*", "*.csv")) + glob.glob(os.path.join(data, "survey", "*.csv")))
    accepted, rejected = [], []
    for path in files:
        problem = check_file(path, orgs)
        (rejected if problem else accepted).append(problem or path)
    os.makedirs(wh, exist_ok=True)
    con = duckdb.connect()
    con.execute("SET threads TO 2")
    types = {c: "VARCHAR" for c in COLUMNS} | {"year": "INTEGER", "indicator": "INTEGER", "value": "DOUBLE"}
    # In batches: read_csv over a list opens every file of it at once, and
    # --scale 20's 41,000 files pass the open-files limit (20,000 here).
    select = ("SELECT * EXCLUDE (filename), regexp_extract(filename, '[^/]*$') AS submission_id "
              "FROM read_csv(?, header = true, columns = ?, nullstr = '\\N', filename = true, union_by_name = true)")
    con.execute(f"CREATE TABLE returns AS {select} LIMIT 0", [accepted[:1], types])
    for i in range(0, len(accepted), 2000):
        con.execute(f"INSERT INTO returns {select}", [accepted[i:i + 2000], types])
    shutil.rmtree(os.path.join(wh, "returns"), ignore_errors=True)
    con.execute(f"COPY returns TO '{wh}/returns' (FORMAT parquet, PARTITION_BY (year))")
    with open(os.path.join(wh, "rejects.txt"), "w") as f:
        f.writelines(p + "\n" for p in rejected)
    n = con.execute("SELECT COUNT(*) FROM returns").fetchone()[0]
    print(f"ingest: {len(accepted)} files accepted ({n} rows), {len(rejected)} rejected", file=sys.stderr)


# ---------------------------------------------------------------- benchmark
def translate(sql):
    """DataFusion spellings DuckDB lacks; nothing else in the SQL changes."""
    sql = re.sub(r"percentile_cont\(", "quantile_cont(", sql)
    sql = sql.replace("array_compact(make_array(", "list_filter(list_value(")
    # close list_filter: the make_array(...) call ends with "))" before " AS flags"
    sql = sql.replace(")) AS flags", "), lambda x: x IS NOT NULL) AS flags")
    return sql


MACROS = f"""
CREATE MACRO wilson_low(x, n) AS CASE WHEN n > 0 AND x >= 0 AND x <= n THEN greatest(0.0,
  ((x / n) + {Z}^2 / (2 * n) - {Z} * sqrt((x / n) * (1 - x / n) / n + {Z}^2 / (4 * n * n))) / (1 + {Z}^2 / n)) END;
CREATE MACRO wilson_high(x, n) AS CASE WHEN n > 0 AND x >= 0 AND x <= n THEN least(1.0,
  ((x / n) + {Z}^2 / (2 * n) + {Z} * sqrt((x / n) * (1 - x / n) / n + {Z}^2 / (4 * n * n))) / (1 + {Z}^2 / n)) END;
CREATE MACRO finite(x) AS CASE WHEN isfinite(x) THEN x END;
"""


def connect(wh, register, catalogue):
    con = duckdb.connect()
    con.execute("SET threads TO 2")
    con.execute(MACROS)
    con.execute(f"CREATE VIEW returns AS SELECT * FROM read_parquet('{wh}/returns/*/*.parquet', hive_partitioning = true)")
    con.execute("CREATE TABLE organisations AS SELECT * FROM read_csv(?, header = true, all_varchar = true)", [register])
    con.execute("CREATE TABLE metrics AS SELECT * FROM read_csv(?, header = true, nullstr = '')", [catalogue])
    cols = ", ".join(f"{v!r}::{'INTEGER' if k == 'model_employer_year' else 'BIGINT' if k == 'min_trusts' else 'DOUBLE'} AS {k}"
                     for k, v in PARAMS.items())
    con.execute(f"CREATE TABLE params AS SELECT {cols}")
    return con


def run_query_file(con, name, sql):
    """A file of queries/: its CREATE TABLE statements (tables its query reads
    several times), then its query, kept as the table `name`."""
    *first, last = con.extract_statements(sql)
    for statement in first:
        con.execute(statement.query)
    con.execute(f"CREATE TABLE {name} AS {last.query}")


def benchmark(wh, register, catalogue):
    con = connect(wh, register, catalogue)
    counts = {}
    for q in QUERIES:
        sql = translate(open(os.path.join(ROOT, "queries", f"{q}.sql")).read())
        run_query_file(con, q, sql)
        out = os.path.join(wh, "results", q)
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(os.path.dirname(out), exist_ok=True)
        con.execute(f"COPY {q} TO '{out}' (FORMAT parquet, PARTITION_BY (year))")
        counts[q] = con.execute(f"SELECT COUNT(*) FROM {q}").fetchone()[0]
    print(f"benchmark: {counts}", file=sys.stderr)
    return con


# ---------------------------------------------------------------- export
STATE = {}  # filled before the pool forks, read by the workers


def fetch(con, sql, params=None):
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def key(r):
    return (r["metric"], r["staff_group"], r["category"], r["ethnicity"])


def load_state(wh, register):
    con = duckdb.connect()
    con.execute("SET threads TO 2")
    res = lambda q: f"read_parquet('{wh}/results/{q}/*/*.parquet', hive_partitioning = true)"
    year = con.execute(f"SELECT MAX(year) FROM {res('org_metrics')}").fetchone()[0]
    orgs = {r["org_code"]: r for r in read_register(register)}
    metrics = fetch(con, f"SELECT * FROM {res('org_metrics')} ORDER BY org_code, year, metric, staff_group, category, ethnicity")
    positions = fetch(con, f"SELECT * FROM {res('org_positions')} WHERE year = ?", [year])
    groups = fetch(con, f"SELECT * FROM {res('group_metrics')} WHERE year = ?", [year])
    regions = fetch(con, f"SELECT * FROM {res('region_metrics')} WHERE year = ? AND level = 'region'", [year])
    national = fetch(con, f"SELECT * FROM {res('national_metrics')} ORDER BY year, metric, staff_group, category, ethnicity")
    by_org, trends = {}, {}
    for r in metrics:
        trends.setdefault(r["org_code"], {}).setdefault(key(r), []).append(
            {"year": r["year"], "value": None if r["suppressed"] else r["value"],
             "ci_low": r["ci_low"], "ci_high": r["ci_high"]})
        if r["year"] == year:
            by_org.setdefault(r["org_code"], []).append(r)
    pos = {(r["org_code"],) + key(r): r for r in positions}
    grp = {(r["benchmark_group"],) + key(r): r for r in groups}
    nat = {key(r): r for r in national if r["year"] == year}
    nat_trend = {}
    for r in national:
        nat_trend.setdefault(key(r), []).append({"year": r["year"], "pooled": r["pooled"], "median": r["median"]})
    STATE.update(year=year, orgs=orgs, by_org=by_org, trends=trends, pos=pos, grp=grp, nat=nat,
                 nat_trend=nat_trend, regions=regions)


def figure(org, r):
    s = STATE
    p = s["pos"].get((org["org_code"],) + key(r), {})
    g = s["grp"].get((org["benchmark_group"],) + key(r), {})
    n = s["nat"].get(key(r), {})
    hidden = r["suppressed"]
    return {
        "metric": r["metric"], "staff_group": r["staff_group"], "category": r["category"], "ethnicity": r["ethnicity"],
        "value": None if hidden else r["value"], "numerator": None if hidden else r["numerator"],
        "denominator": None if hidden else r["denominator"], "ci_low": None if hidden else r["ci_low"],
        "ci_high": None if hidden else r["ci_high"], "suppressed": hidden, "flags": list(r["flags"] or []),
        "group_rank": p.get("group_rank"), "group_n": p.get("group_n"), "group_quartile": p.get("group_quartile"),
        "region_rank": p.get("region_rank"), "region_n": p.get("region_n"),
        "group_median": g.get("median"), "group_q1": g.get("q1"), "group_q3": g.get("q3"),
        "national_pooled": n.get("pooled"), "national_median": n.get("median"),
    }


def trust_pack(code, out):
    s = STATE
    org = s["orgs"][code]
    figures = [figure(org, r) for r in s["by_org"][code]]
    trends = s["trends"][code]
    pack = {
        "schema": "python-pack/1", "org_code": code, "org_name": org["org_name"], "year": s["year"],
        "benchmark_group": org["benchmark_group"], "region": org["region"], "figures": figures,
        "trends": [{"metric": k[0], "staff_group": k[1], "category": k[2], "ethnicity": k[3], "points": v}
                   for k, v in sorted(trends.items())],
    }
    d = os.path.join(out, str(s["year"]), "trusts", code)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"{code}-{s['year']}.json"), "w") as f:
        json.dump(pack, f)

    wb = xlsxwriter.Workbook(os.path.join(d, f"{code}-{s['year']}.xlsx"))
    bold = wb.add_format({"bold": True})
    num = wb.add_format({"num_format": "0.00"})
    ws = wb.add_worksheet("Summary")
    ws.write_row(0, 0, [f"{org['org_name']} ({code}): WRES {s['year']}"], bold)
    ws.write_row(2, 0, ["Figure", "Trust", "Group median", "National", "Rank in group", "Trusts in group"], bold)
    by_key = {(f["metric"], f["staff_group"], f["category"], f["ethnicity"]): f for f in figures}
    for i, h in enumerate(HEADLINES):
        f = by_key.get(h, {})
        ws.write(3 + i, 0, h[0])
        for j, k in enumerate(["value", "group_median", "national_pooled"]):
            if f.get(k) is not None and math.isfinite(f[k]):
                ws.write_number(3 + i, 1 + j, f[k], num)
        for j, k in enumerate(["group_rank", "group_n"]):
            if f.get(k) is not None:
                ws.write_number(3 + i, 4 + j, f[k])
    ws.set_column(0, 0, 28)
    ws = wb.add_worksheet("Figures")
    cols = list(figures[0].keys()) if figures else []
    ws.write_row(0, 0, cols, bold)
    for i, f in enumerate(figures, start=1):
        for j, c in enumerate(cols):
            v = f[c]
            if isinstance(v, float):
                if math.isfinite(v):
                    ws.write_number(i, j, v)
            elif isinstance(v, list):
                ws.write_string(i, j, ",".join(v))
            elif v is not None:
                ws.write(i, j, v)
    ws.freeze_panes(1, 0)
    ws = wb.add_worksheet("Trends")
    row = 0
    for i, h in enumerate(HEADLINES):
        pts = trends.get(h, [])
        ws.write_row(row, 0, [h[0], "Trust", "National"], bold)
        nat = {p["year"]: p["pooled"] for p in s["nat_trend"].get(h, [])}
        for k, p in enumerate(pts, start=1):
            ws.write_number(row + k, 0, p["year"])
            if p["value"] is not None and math.isfinite(p["value"]):
                ws.write_number(row + k, 1, p["value"])
            if nat.get(p["year"]) is not None and math.isfinite(nat[p["year"]]):
                ws.write_number(row + k, 2, nat[p["year"]])
        if pts:
            chart = wb.add_chart({"type": "line"})
            for c in (1, 2):
                chart.add_series({"name": ["Trends", row, c], "categories": ["Trends", row + 1, 0, row + len(pts), 0],
                                  "values": ["Trends", row + 1, c, row + len(pts), c], "marker": {"type": "circle"}})
            chart.set_title({"name": h[0]})
            ws.insert_chart(row, 4, chart)
        row += max(len(pts) + 2, 16)
    wb.close()
    return code


def area_packs(out):
    s = STATE
    d = os.path.join(out, str(s["year"]), "regions")
    os.makedirs(d, exist_ok=True)
    for region in sorted({o["region"] for o in s["orgs"].values()}):
        members = sorted(c for c, o in s["orgs"].items() if o["region"] == region and c in s["by_org"])
        rows = []
        for c in members:
            by_key = {key(r): r for r in s["by_org"][c]}
            rows.append([c, s["orgs"][c]["org_name"]] + [None if (r := by_key.get(h)) is None or r["suppressed"] else r["value"]
                                                        for h in HEADLINES])
        stats = [r for r in s["regions"] if r["area"] == region]
        slug = re.sub(r"[^a-z0-9]+", "-", region.lower()).strip("-")
        with open(os.path.join(d, f"{slug}.json"), "w") as f:
            json.dump({"region": region, "year": s["year"], "trusts": rows, "stats": stats}, f, indent=1, default=str)
        wb = xlsxwriter.Workbook(os.path.join(d, f"{slug}.xlsx"))
        ws = wb.add_worksheet("Trusts")
        ws.write_row(0, 0, ["Code", "Name"] + [h[0] for h in HEADLINES])
        for i, r in enumerate(rows, start=1):
            for j, v in enumerate(r):
                if isinstance(v, float):
                    if math.isfinite(v):
                        ws.write_number(i, j, v)
                elif v is not None:
                    ws.write(i, j, v)
        wb.close()
    d = os.path.join(out, str(s["year"]), "national")
    os.makedirs(d, exist_ok=True)
    nat = [dict(zip(("metric", "staff_group", "category", "ethnicity"), k)) | {"trend": v} for k, v in sorted(s["nat_trend"].items())]
    with open(os.path.join(d, f"wres-national-{s['year']}.json"), "w") as f:
        json.dump(nat, f, indent=1)
    wb = xlsxwriter.Workbook(os.path.join(d, f"wres-national-{s['year']}.xlsx"))
    ws = wb.add_worksheet("National")
    ws.write_row(0, 0, ["metric", "staff_group", "category", "ethnicity", "year", "pooled", "median"])
    i = 1
    for r in nat:
        for p in r["trend"]:
            ws.write_row(i, 0, [r["metric"], r["staff_group"], r["category"], r["ethnicity"], p["year"]])
            for j, k in enumerate(["pooled", "median"]):
                if p[k] is not None and math.isfinite(p[k]):
                    ws.write_number(i, 5 + j, p[k])
            i += 1
    wb.close()


def export(wh, out, register):
    load_state(wh, register)
    codes = sorted(STATE["by_org"])
    # Two processes, as an analyst would use multiprocessing on 2 cores; fork
    # shares the loaded tables with the workers.
    with multiprocessing.get_context("fork").Pool(2) as pool:
        written = pool.starmap(trust_pack, [(c, out) for c in codes], chunksize=8)
    area_packs(out)
    print(f"export: {len(written)} trust packs for {STATE['year']}", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("stage", choices=["ingest", "benchmark", "export", "run"])
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--register", required=True)
    ap.add_argument("--catalogue")
    a = ap.parse_args()
    p = [os.path.abspath(x) for x in a.paths]
    t = time.perf_counter()
    if a.stage == "ingest":
        ingest(p[0], p[1], a.register)
    elif a.stage == "benchmark":
        benchmark(p[0], a.register, a.catalogue)
    elif a.stage == "export":
        export(p[0], p[1], a.register)
    else:
        ingest(p[0], p[1], a.register)
        benchmark(p[1], a.register, a.catalogue).close()
        export(p[1], p[2], a.register)
    print(f"{a.stage}: {time.perf_counter() - t:.2f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
