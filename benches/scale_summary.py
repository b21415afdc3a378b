#!/usr/bin/env python3
"""Summaries for benches/scale.sh (plain python3, no packages).

    scale_summary.py WORK row NAME   WORK/NAME/row.json from that run's files
                                     (time.txt from /usr/bin/time -v, exit_code,
                                     scenario.toml, out/timings.json, out/summary.json)
    scale_summary.py WORK table      the Markdown table and WORK/results.json
                                     from every WORK/{county,prefecture,province}/row.json
"""
import json
import os
import re
import sys

ORDER = ["county", "prefecture", "province"]


def row(work, name):
    d = os.path.join(work, name)
    t = open(os.path.join(d, "time.txt")).read()

    def field(label):
        m = re.search(re.escape(label) + r":\s*(.+)", t)
        return m.group(1).strip() if m else None

    wall = field("Elapsed (wall clock) time (h:mm:ss or m:ss)")
    parts = [float(p) for p in wall.split(":")] if wall else []
    wall_s = sum(p * 60 ** i for i, p in enumerate(reversed(parts))) if parts else None
    head = open(os.path.join(d, "scenario.toml")).readline().strip()
    out = os.path.join(d, "out")
    files = {}
    if os.path.isdir(out):
        for r, _, fs in os.walk(out):
            for f in fs:
                p = os.path.join(r, f)
                files[os.path.relpath(p, out)] = round(os.path.getsize(p) / 1e6, 1)
    timings = {}
    if os.path.exists(os.path.join(out, "timings.json")):
        timings = json.load(open(os.path.join(out, "timings.json")))
    summary = {}
    if os.path.exists(os.path.join(out, "summary.json")):
        s = json.load(open(os.path.join(out, "summary.json")))
        summary = {"students": s.get("students"), "placed": s.get("placed"),
                   "unplaced": s.get("unplaced"), "roads": s.get("roads"),
                   "status": s.get("status"),
                   "solver_rounds": {k: v.get("solver_rounds")
                                     for k, v in s.get("levels", {}).items()}}
    code = int(open(os.path.join(d, "exit_code")).read())
    args = {k: int(v) for k, v in re.findall(r"--(units|schools|road-nodes) (\d+)", head)}
    r = {
        "scenario": name, "generated_by": head.lstrip("# "), "args": args,
        "exit_code": code, "timed_out": code == 124,
        "wall_seconds": wall_s,
        "user_seconds": float(field("User time (seconds)") or "nan"),
        "system_seconds": float(field("System time (seconds)") or "nan"),
        "peak_rss_mb": int(field("Maximum resident set size (kbytes)") or 0) / 1024.0,
        "timings_seconds": timings.get("seconds"),
        "solve_seconds": timings.get("solve_seconds"),
        "input_mb": {f: round(os.path.getsize(os.path.join(d, f)) / 1e6, 1)
                     for f in ("households.geojson", "schools.geojson", "roads.geojson")},
        "output_mb": round(sum(files.values()), 1),
        "output_files_mb": dict(sorted(files.items())),
        "load_average_when_summarised": os.getloadavg(),
        "summary": summary,
    }
    with open(os.path.join(d, "row.json"), "w") as f:
        json.dump(r, f, indent=1)


def table(work):
    rows = [json.load(open(os.path.join(work, n, "row.json"))) for n in ORDER
            if os.path.exists(os.path.join(work, n, "row.json"))]
    with open(os.path.join(work, "results.json"), "w") as f:
        json.dump({"cpus": os.cpu_count(), "rows": rows}, f, indent=1)

    def num(v, p=1):
        return "-" if v is None else f"{v:.{p}f}"

    print("| scenario | units x schools, road nodes | students | wall s | CPU s "
          "| timings seconds | solve_seconds | peak RSS MB | inputs MB | outputs MB | exit |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        st = r["summary"].get("students") or {}
        a = r["args"]
        exit_text = "timeout" if r["timed_out"] else str(r["exit_code"])
        print(f"| {r['scenario']} | {a.get('units', 0):,} x {a.get('schools', 0):,}, "
              f"{a.get('road-nodes', 0):,} | {st.get('total', 0):,} | {num(r['wall_seconds'])} "
              f"| {num(r['user_seconds'] + r['system_seconds'])} | {num(r['timings_seconds'])} "
              f"| {num(r['solve_seconds'], 2)} | {r['peak_rss_mb']:.0f} "
              f"| {sum(r['input_mb'].values()):.0f} | {r['output_mb']:.0f} | {exit_text} |")
    print(f"(wrote {os.path.join(work, 'results.json')})", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[2] == "row":
        row(sys.argv[1], sys.argv[3])
    elif len(sys.argv) == 3 and sys.argv[2] == "table":
        table(sys.argv[1])
    else:
        sys.exit(__doc__)
