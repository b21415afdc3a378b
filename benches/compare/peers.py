#!/usr/bin/env python3
"""Solve a `catchment-transport 1` instance with the Python peers and compare.

Used by benches/compare/run.sh; see benches/compare/README.md.

    peers.py solve  INSTANCE --solver ortools|scipy [--repeat 3]
        One solver in this process; prints one JSON object (objective, build
        and solve seconds, peak RSS of this process).
    peers.py compare INSTANCE --ours OURS.json [--timeout 600] [--repeat 3]
        Each peer in its own child process (so peak memory is the solver's
        own), killed after --timeout seconds; prints one JSON row with ours
        and the peers' results and whether the objectives are equal.
    peers.py table ROW.json ... [--json results.json]
        The Markdown table of the rows; writes them all to --json.

The instance format and the scalar model (an "unplaced" arc from every unit
to the sink at UNPLACED_MM per student, which gives the same optimum as the
crate's lexicographic model) are documented in examples/compare_instance.rs.
Objectives are exact integers: unplaced * UNPLACED_MM + mm. OR-Tools works
in 64-bit integers; linprog's solution is rounded to integers (each value
must be within 1e-6 of one), checked feasible, and its objective recomputed
exactly, and its float objective must agree within 1e-6 relative.
"""

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time

MAGIC = "catchment-transport 1"


def peak_rss_mb():
    # ru_maxrss is KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def read_instance(path):
    import numpy as np

    with open(path, "rb") as f:
        first = f.readline().decode("ascii", "replace").rstrip("\n")
        if first != MAGIC:
            sys.exit(f"{path}: line 1: expected {MAGIC!r}, found {first!r}")
        nums = np.fromfile(f, dtype=np.int64, sep=" ")
    if len(nums) < 4:
        sys.exit(f"{path}: expected a header of 4 integers, found {len(nums)} numbers")
    units, schools, arcs, unplaced_mm = (int(v) for v in nums[:4])
    want = 4 + schools + units + 3 * arcs
    if len(nums) != want:
        sys.exit(f"{path}: expected {want} numbers for {units} units, {schools} schools, "
                 f"{arcs} arcs, found {len(nums)}")
    o = 4
    capacity = nums[o:o + schools].copy()
    o += schools
    supply = nums[o:o + units].copy()
    o += units
    triples = nums[o:].reshape(arcs, 3)
    unit = triples[:, 0].copy()
    school = triples[:, 1].copy()
    mm = triples[:, 2].copy()
    del nums, triples
    return {
        "units": units, "schools": schools, "arcs": arcs, "unplaced_mm": unplaced_mm,
        "capacity": capacity, "supply": supply, "unit": unit, "school": school, "mm": mm,
    }


def exact_objective(inst, x, y):
    """Unplaced, mm and objective of integer flows x (arcs) and y (units),
    after checking conservation and seats exactly."""
    import numpy as np

    units, schools = inst["units"], inst["schools"]
    if (x < 0).any() or (y < 0).any():
        raise ValueError("negative flow")
    placed = np.zeros(units, dtype=np.int64)
    np.add.at(placed, inst["unit"], x)
    if not np.array_equal(placed + y, inst["supply"]):
        raise ValueError("a unit's students do not add up")
    load = np.zeros(schools, dtype=np.int64)
    np.add.at(load, inst["school"], x)
    if (load > inst["capacity"]).any():
        raise ValueError("a school over its seats")
    unplaced = int(y.sum())
    if int(inst["mm"].max(initial=0)) * int(inst["supply"].sum()) < 2**62:
        mm = int((x * inst["mm"]).sum())  # cannot overflow int64
    else:
        mm = sum(int(a) * int(b) for a, b in zip(x[x > 0], inst["mm"][x > 0]))
    return unplaced, mm, unplaced * inst["unplaced_mm"] + mm


def solve_ortools(inst):
    import numpy as np
    from ortools.graph.python import min_cost_flow

    units, schools, arcs = inst["units"], inst["schools"], inst["arcs"]
    sink = units + schools
    students = int(inst["supply"].sum())
    clock = time.perf_counter()
    smcf = min_cost_flow.SimpleMinCostFlow()
    # unit -> school (travel), school -> sink (seats), unit -> sink (unplaced).
    tails = np.concatenate([inst["unit"], units + np.arange(schools), np.arange(units)])
    heads = np.concatenate([units + inst["school"], np.full(schools, sink),
                            np.full(units, sink)])
    caps = np.concatenate([inst["supply"][inst["unit"]], inst["capacity"], inst["supply"]])
    costs = np.concatenate([inst["mm"], np.zeros(schools, dtype=np.int64),
                            np.full(units, inst["unplaced_mm"], dtype=np.int64)])
    arc_ids = smcf.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    supplies = np.concatenate([inst["supply"], np.zeros(schools, dtype=np.int64),
                               np.array([-students], dtype=np.int64)])
    smcf.set_nodes_supplies(np.arange(sink + 1), supplies)
    build = time.perf_counter() - clock
    clock, cpu = time.perf_counter(), time.process_time()
    status = smcf.solve()
    solve, cpu = time.perf_counter() - clock, time.process_time() - cpu
    if status != smcf.OPTIMAL:
        return {"status": f"not optimal: {status}", "build_seconds": build, "solve_seconds": solve, "solve_cpu_seconds": cpu}
    flows = smcf.flows(arc_ids)
    x = flows[:arcs].astype(np.int64)
    y = flows[arcs + schools:].astype(np.int64)
    unplaced, mm, objective = exact_objective(inst, x, y)
    if objective != smcf.optimal_cost():
        return {"status": f"OptimalCost {smcf.optimal_cost()} != flows' {objective}"}
    return {"status": "optimal", "build_seconds": build, "solve_seconds": solve, "solve_cpu_seconds": cpu,
            "unplaced": unplaced, "mm": mm, "objective": objective}


def solve_scipy(inst):
    import numpy as np
    import scipy.sparse as sp
    from scipy.optimize import linprog

    units, schools, arcs = inst["units"], inst["schools"], inst["arcs"]
    clock = time.perf_counter()
    # Variables: x (arcs), then y (unplaced per unit).
    c = np.concatenate([inst["mm"], np.full(units, inst["unplaced_mm"])]).astype(np.float64)
    ones_x = np.ones(arcs)
    a_eq = sp.csr_matrix(
        (np.concatenate([ones_x, np.ones(units)]),
         (np.concatenate([inst["unit"], np.arange(units)]),
          np.arange(arcs + units))),
        shape=(units, arcs + units))
    a_ub = sp.csr_matrix((ones_x, (inst["school"], np.arange(arcs))),
                         shape=(schools, arcs + units))
    b_eq = inst["supply"].astype(np.float64)
    b_ub = inst["capacity"].astype(np.float64)
    build = time.perf_counter() - clock
    clock, cpu = time.perf_counter(), time.process_time()
    res = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=(0, None),
                  method="highs")
    solve, cpu = time.perf_counter() - clock, time.process_time() - cpu
    if res.status != 0:
        return {"status": f"not optimal: {res.status} {res.message}",
                "build_seconds": build, "solve_seconds": solve, "solve_cpu_seconds": cpu}
    v = np.rint(res.x)
    off = float(np.abs(res.x - v).max()) if len(v) else 0.0
    if off > 1e-6:
        return {"status": f"fractional solution (a value {off:g} from an integer)",
                "build_seconds": build, "solve_seconds": solve, "solve_cpu_seconds": cpu}
    v = v.astype(np.int64)
    try:
        unplaced, mm, objective = exact_objective(inst, v[:arcs], v[arcs:])
    except ValueError as e:
        return {"status": f"rounded solution infeasible: {e}",
                "build_seconds": build, "solve_seconds": solve, "solve_cpu_seconds": cpu}
    rel = abs(res.fun - objective) / max(1.0, abs(objective))
    return {"status": "optimal" if rel <= 1e-6 else f"float objective off by {rel:g} relative",
            "build_seconds": build, "solve_seconds": solve, "solve_cpu_seconds": cpu, "unplaced": unplaced, "mm": mm,
            "objective": objective, "objective_float": res.fun, "float_rel_error": rel,
            "max_fractionality": off}


SOLVERS = {"ortools": solve_ortools, "scipy": solve_scipy}


def cmd_solve(args):
    base = peak_rss_mb()
    clock = time.perf_counter()
    inst = read_instance(args.instance)
    read = time.perf_counter() - clock
    runs = []
    # Repeat for the best time, but not when one solve already takes long.
    spent = 0.0
    for _ in range(max(1, args.repeat)):
        r = SOLVERS[args.solver](inst)
        runs.append(r)
        spent += r.get("solve_seconds", 0.0)
        if r["status"] != "optimal" or spent > args.repeat_budget:
            break
    out = dict(runs[-1])
    out["solve_seconds"] = min(r.get("solve_seconds", float("inf")) for r in runs)
    out["solve_cpu_seconds"] = min(r.get("solve_cpu_seconds", float("inf")) for r in runs)
    out["build_seconds"] = min(r.get("build_seconds", float("inf")) for r in runs)
    out["solve_seconds_all"] = [r.get("solve_seconds") for r in runs]
    out.update({"solver": args.solver, "read_seconds": read,
                "peak_rss_mb": peak_rss_mb(), "rss_after_imports_mb": base})
    print(json.dumps(out))


def versions():
    v = {"python": platform.python_version()}
    for name in ("numpy", "scipy", "ortools"):
        try:
            mod = __import__(name)
            v[name] = getattr(mod, "__version__", "?")
        except ImportError:
            v[name] = None
    return v


def cmd_compare(args):
    with open(args.ours) as f:
        ours = json.load(f)
    row = {"instance": os.path.basename(args.instance), "units": ours["units"],
           "schools": ours["schools"], "arcs": ours["arcs"], "students": ours["students"],
           "ours": ours, "peers": {}, "timeout_seconds": args.timeout,
           "load_average_at_start": os.getloadavg()}
    for name in args.solvers.split(","):
        cmd = [sys.executable, os.path.abspath(__file__), "solve", args.instance,
               "--solver", name, "--repeat", str(args.repeat),
               "--repeat-budget", str(args.repeat_budget)]
        clock = time.perf_counter()
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout)
        except subprocess.TimeoutExpired:
            row["peers"][name] = {"status": "timeout", "wall_seconds": args.timeout}
            print(f"  {name}: timeout after {args.timeout} s", file=sys.stderr)
            continue
        wall = time.perf_counter() - clock
        if p.returncode != 0:
            row["peers"][name] = {"status": f"failed (exit {p.returncode})",
                                  "stderr": p.stderr[-2000:]}
            print(f"  {name}: failed: {p.stderr[-500:]}", file=sys.stderr)
            continue
        r = json.loads(p.stdout.strip().splitlines()[-1])
        r["wall_seconds"] = wall
        r["equal"] = (r.get("status") == "optimal" and r.get("objective") == ours["objective"]
                      and r.get("unplaced") == ours["unplaced"] and r.get("mm") == ours["mm"])
        row["peers"][name] = r
        print(f"  {name}: {r['status']}, solve {r.get('solve_seconds', float('nan')):.3f} s, "
              f"peak {r['peak_rss_mb']:.0f} MB, objective equal: {r['equal']}", file=sys.stderr)
    finished = [r for r in row["peers"].values() if r.get("status") != "timeout"]
    row["objectives_equal"] = bool(finished) and all(r.get("equal") for r in finished)
    row["versions"] = versions()
    print(json.dumps(row))


def fmt_s(v):
    if v is None:
        return "-"
    return f"{v:.3f}" if v < 10 else f"{v:.1f}"


def peer_cell(r):
    if r is None:
        return "-", "-"
    if r.get("status") == "timeout":
        return f"timeout (> {r['wall_seconds']:.0f} s)", "-"
    if "peak_rss_mb" not in r:
        return r.get("status", "failed"), "-"
    mark = "" if r.get("equal") else " (not equal)"
    return fmt_s(r.get("solve_seconds")) + mark, f"{r['peak_rss_mb']:.0f}"


def cmd_table(args):
    rows = []
    for path in args.rows:
        with open(path) as f:
            rows.append(json.load(f))
    lines = [
        "| instance | students | ours solve s | OR-Tools s | SciPy/HiGHS s "
        "| ours MB | OR-Tools MB | SciPy MB | objectives equal |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        o = row["ours"]
        ort_s, ort_mb = peer_cell(row["peers"].get("ortools"))
        sci_s, sci_mb = peer_cell(row["peers"].get("scipy"))
        timed_out = [n for n, r in row["peers"].items() if r.get("status") == "timeout"]
        eq = "yes" if row["objectives_equal"] else "no"
        if timed_out and row["objectives_equal"]:
            eq += " (" + ", ".join(timed_out) + " timed out)"
        lines.append(
            f"| {row['units']:,} x {row['schools']} | {row['students']:,} "
            f"| {fmt_s(o['solve_seconds'])} | {ort_s} | {sci_s} "
            f"| {o['peak_rss_mb']:.0f} | {ort_mb} | {sci_mb} | {eq} |")
    lines += [
        "",
        "CPU seconds of the solve (user + system, all threads; less disturbed by other load):",
        "",
        "| instance | ours | OR-Tools | SciPy/HiGHS | load average at start |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        cpu = [row["ours"].get("solve_cpu_seconds")] + [
            row["peers"].get(n, {}).get("solve_cpu_seconds") for n in ("ortools", "scipy")]
        load = row.get("load_average_at_start")
        lines.append(f"| {row['units']:,} x {row['schools']} | "
                     + " | ".join(fmt_s(v) for v in cpu)
                     + (f" | {load[0]:.1f} |" if load else " | - |"))
    table = "\n".join(lines)
    print(table)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
                       "versions": rows[0]["versions"] if rows else versions(),
                       "table": table, "rows": rows}, f, indent=1)
            f.write("\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("solve")
    s.add_argument("instance")
    s.add_argument("--solver", choices=sorted(SOLVERS), required=True)
    s.add_argument("--repeat", type=int, default=3)
    s.add_argument("--repeat-budget", type=float, default=60.0,
                   help="no further repeat once the solves took this many seconds")
    s.set_defaults(func=cmd_solve)
    c = sub.add_parser("compare")
    c.add_argument("instance")
    c.add_argument("--ours", required=True)
    c.add_argument("--solvers", default="ortools,scipy")
    c.add_argument("--timeout", type=float, default=600.0)
    c.add_argument("--repeat", type=int, default=3)
    c.add_argument("--repeat-budget", type=float, default=60.0)
    c.set_defaults(func=cmd_compare)
    t = sub.add_parser("table")
    t.add_argument("rows", nargs="+")
    t.add_argument("--json")
    t.set_defaults(func=cmd_table)
    args = ap.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
