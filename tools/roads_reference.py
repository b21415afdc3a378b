#!/usr/bin/env python3
"""Independent reference computation of street (road-network) distances on
John Snow's 1854 Soho map, for testing catchment's Rust road-network code.

Usage:
    python3 -m venv /tmp/venv-ref && /tmp/venv-ref/bin/pip install networkx
    /tmp/venv-ref/bin/python tools/roads_reference.py \
        /work/shared/data/snow_soho tests/fixtures/snow_soho

Input dir must hold SohoPeople.geojson (houses, Points), SohoWater.geojson
(pumps, Points) and Soho_Network.geojson (streets, LineStrings). Writes
    <out>/expected_nearest_pump.csv  house_index,pump_index,street_m,straight_m
    <out>/expected_all_pumps.csv     house_index,pump_index,street_m
(indices = 0-based feature order in the files; metres to 0.001 m) and prints
network statistics and sanity checks. Only dependency: networkx (any 3.x).
This file is written from the semantics below, NOT from the Rust code.

Semantics (the contract the Rust code implements too):
- Points are lon/lat WGS84. The distance between two points is the haversine
  distance on a sphere of radius R = 6,371,008.8 m.
- Local metric projection for geometric operations (snapping, noding):
  equirectangular about lat0 = the mean latitude of all street vertices
  (every vertex of every LineString, in file order, repeats counted):
  x = R * cos(lat0) * lon_rad, y = R * lat_rad.
- Graph nodes: every street vertex; vertices with exactly equal coordinates
  are one node. Edges: consecutive vertices of each line, length = haversine
  between the two vertices; undirected (walking). Parallel edges keep the
  shortest length.
- Noding: for each line END vertex E (first and last vertex of each
  LineString), look at the segments of OTHER lines that do not already have
  E as an endpoint; if the nearest such segment is within 1.0 m of E
  (point-to-segment distance in the projection; ties: first in file order)
  join E there: the nearest point P on that segment (in the projection, P
  converted back to lon/lat) splits the segment into two edges (each with
  haversine length), unless P is within 1e-6 m of a segment endpoint, in
  which case that endpoint is used; then add an edge E-P of length
  haversine(E, P) (zero-length if equal). Ends are processed in input order
  and always split against the ORIGINAL segments (if two ends hit the same
  segment, the segment gets both split points, ordered along it).
- Snapping a point X (house or pump): the nearest segment of the noded
  network in the projection (ties: the first; order = lines in file order,
  each original segment replaced by its split pieces in order along it,
  then the E-P connector edges in end order). S = nearest point on it, at
  fraction f along the segment (0 at its first vertex A, 1 at B); the access
  leg is haversine(X, S); from S one reaches A at f * len(AB) and B at
  (1 - f) * len(AB).
- Street distance house -> pump = access(house) + shortest way from S_house
  to S_pump + access(pump), the shortest way being the min over the four end
  combinations of (along-edge to an end) + (graph shortest path between the
  ends) + (along-edge from the end), and, if both snap to the same segment,
  also |f_house - f_pump| * len.
- Pumps have ample capacity: each house goes to its nearest pump by street
  distance (exact ties: lowest pump index).
"""

import csv
import json
import math
import os
import sys

import networkx as nx

R = 6_371_008.8
SNAP_TOL_M = 1.0
ENDPOINT_TOL_M = 1e-6
NEAR_TIE_M = 1.0


def haversine(a, b):
    lon1, lat1 = math.radians(a[0]), math.radians(a[1])
    lon2, lat2 = math.radians(b[0]), math.radians(b[1])
    dlat = lat2 - lat1
    dlon = lon2 - lon1
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * R * math.asin(min(1.0, math.sqrt(h)))


class Proj:
    def __init__(self, lat0_deg):
        self.lat0 = lat0_deg
        self.kx = R * math.cos(math.radians(lat0_deg))

    def fwd(self, p):
        return (self.kx * math.radians(p[0]), R * math.radians(p[1]))

    def inv(self, q):
        return (math.degrees(q[0] / self.kx), math.degrees(q[1] / R))


def closest_on_segment(p, a, b):
    """Projected points. Returns (distance, t in [0,1], closest point)."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    l2 = dx * dx + dy * dy
    if l2 == 0.0:
        t = 0.0
    else:
        t = ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / l2
        t = max(0.0, min(1.0, t))
    c = (a[0] + t * dx, a[1] + t * dy)
    return math.hypot(p[0] - c[0], p[1] - c[1]), t, c


def load_points(path):
    feats = json.load(open(path))["features"]
    out = []
    for f in feats:
        g = f["geometry"]
        assert g["type"] == "Point", g["type"]
        out.append((float(g["coordinates"][0]), float(g["coordinates"][1])))
    return out


def load_lines(path):
    feats = json.load(open(path))["features"]
    out = []
    for f in feats:
        g = f["geometry"]
        assert g["type"] == "LineString", g["type"]
        out.append([(float(c[0]), float(c[1])) for c in g["coordinates"]])
    return out


def add_edge(G, a, b):
    w = haversine(a, b)
    if a == b:
        # zero-length self loop carries no information for shortest paths
        G.add_node(a)
        return w
    if G.has_edge(a, b):
        G[a][b]["weight"] = min(G[a][b]["weight"], w)
    else:
        G.add_edge(a, b, weight=w)
    return w


def build(lines):
    allv = [v for ln in lines for v in ln]
    lat0 = sum(v[1] for v in allv) / len(allv)
    proj = Proj(lat0)

    # un-noded graph
    G0 = nx.Graph()
    for ln in lines:
        for v in ln:
            G0.add_node(v)
        for a, b in zip(ln, ln[1:]):
            add_edge(G0, a, b)

    # original segments: (line index, seg index, A, B)
    segs = []
    for li, ln in enumerate(lines):
        for si, (a, b) in enumerate(zip(ln, ln[1:])):
            segs.append((li, si, a, b))
    segs_p = [(proj.fwd(a), proj.fwd(b)) for (_, _, a, b) in segs]

    splits = {k: [] for k in range(len(segs))}  # seg idx -> [(t, node)]
    connectors = []  # (E, P)
    joins = []  # (line, end, seg idx, dist, t, snapped_to_vertex)
    for li, ln in enumerate(lines):
        for which, E in (("first", ln[0]), ("last", ln[-1])):
            Ep = proj.fwd(E)
            best = None
            for k, (sli, _, a, b) in enumerate(segs):
                if sli == li or a == E or b == E:
                    continue
                d, t, c = closest_on_segment(Ep, *segs_p[k])
                if best is None or d < best[0]:
                    best = (d, k, t, c)
            if best is None or best[0] > SNAP_TOL_M:
                continue
            d, k, t, c = best
            a, b = segs[k][2], segs[k][3]
            ap, bp = segs_p[k]
            if math.hypot(c[0] - ap[0], c[1] - ap[1]) <= ENDPOINT_TOL_M:
                P, at_vertex = a, True
            elif math.hypot(c[0] - bp[0], c[1] - bp[1]) <= ENDPOINT_TOL_M:
                P, at_vertex = b, True
            else:
                P, at_vertex = proj.inv(c), False
                splits[k].append((t, P))
            connectors.append((E, P))
            joins.append((li, which, k, d, t, at_vertex))

    # noded network: ordered list of segments (A, B) and the graph
    G = nx.Graph()
    noded = []
    for ln in lines:
        for v in ln:
            G.add_node(v)
    for k, (_, _, a, b) in enumerate(segs):
        pts = [a] + [P for _, P in sorted(splits[k], key=lambda x: x[0])] + [b]
        for u, v in zip(pts, pts[1:]):
            if u == v:
                continue
            add_edge(G, u, v)
            noded.append((u, v))
    for E, P in connectors:
        add_edge(G, E, P)
        noded.append((E, P))
    return proj, G0, G, noded, joins, splits


def snap(proj, noded_p, noded, X):
    Xp = proj.fwd(X)
    best = None
    for k, (ap, bp) in enumerate(noded_p):
        d, t, c = closest_on_segment(Xp, ap, bp)
        if best is None or d < best[0]:
            best = (d, k, t, c)
    d, k, t, c = best
    A, B = noded[k]
    S = proj.inv(c)
    L = haversine(A, B)
    return {"seg": k, "f": t, "A": A, "B": B, "L": L, "access": haversine(X, S), "proj_d": d}


def street_distance(h, p, dist):
    inf = math.inf
    best = inf
    if h["seg"] == p["seg"]:
        best = abs(h["f"] - p["f"]) * h["L"]
    h_ends = ((h["A"], h["f"] * h["L"]), (h["B"], (1 - h["f"]) * h["L"]))
    p_ends = ((p["A"], p["f"] * p["L"]), (p["B"], (1 - p["f"]) * p["L"]))
    for u, du in h_ends:
        du_map = dist[u]
        for v, dv in p_ends:
            g = du_map.get(v, inf)
            best = min(best, du + g + dv)
    return h["access"] + best + p["access"]


def main(argv):
    if len(argv) != 3:
        print(__doc__)
        return 2
    src, out = argv[1], argv[2]
    houses = load_points(os.path.join(src, "SohoPeople.geojson"))
    pumps = load_points(os.path.join(src, "SohoWater.geojson"))
    lines = load_lines(os.path.join(src, "Soho_Network.geojson"))

    proj, G0, G, noded, joins, splits = build(lines)
    print(f"lines={len(lines)} houses={len(houses)} pumps={len(pumps)} lat0={proj.lat0:.9f}")
    print(f"before noding: nodes={G0.number_of_nodes()} edges={G0.number_of_edges()} "
          f"components={nx.number_connected_components(G0)}")
    n_vertex = sum(1 for j in joins if j[5])
    n_split_segs = sum(1 for v in splits.values() if v)
    n_split_pts = sum(len(v) for v in splits.values())
    print(f"ends joined={len(joins)} (of {2 * len(lines)} ends; {n_vertex} onto an existing "
          f"vertex, {len(joins) - n_vertex} mid-segment; {n_split_pts} split points on "
          f"{n_split_segs} segments; max join distance={max(j[3] for j in joins):.4f} m)")
    multi = {k: len(v) for k, v in splits.items() if len(v) > 1}
    if multi:
        print(f"segments split more than once: {multi}")
    print(f"after noding: nodes={G.number_of_nodes()} edges={G.number_of_edges()} "
          f"components={nx.number_connected_components(G)} noded segments={len(noded)}")
    comps = sorted(nx.connected_components(G), key=len, reverse=True)
    if len(comps) > 1:
        print(f"  component sizes: {[len(c) for c in comps]}")

    noded_p = [(proj.fwd(a), proj.fwd(b)) for a, b in noded]
    hs = [snap(proj, noded_p, noded, h) for h in houses]
    ps = [snap(proj, noded_p, noded, p) for p in pumps]
    print(f"max access leg: houses={max(h['access'] for h in hs):.3f} m, "
          f"pumps={max(p['access'] for p in ps):.3f} m")

    dist = {}
    for u in {h["A"] for h in hs} | {h["B"] for h in hs}:
        dist[u] = nx.single_source_dijkstra_path_length(G, u, weight="weight")

    M = [[street_distance(h, p, dist) for p in ps] for h in hs]

    os.makedirs(out, exist_ok=True)
    counts = [0] * len(pumps)
    near_ties = []
    violations = []
    unreachable = 0
    with open(os.path.join(out, "expected_nearest_pump.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["house_index", "pump_index", "street_m", "straight_m"])
        for i, row in enumerate(M):
            j = min(range(len(row)), key=lambda k: (row[k], k))
            straight = haversine(houses[i], pumps[j])
            counts[j] += 1
            w.writerow([i, j, f"{row[j]:.3f}", f"{straight:.3f}"])
            order = sorted(range(len(row)), key=lambda k: (row[k], k))
            if len(order) > 1 and row[order[1]] - row[order[0]] < NEAR_TIE_M:
                near_ties.append((i, order[0], order[1], row[order[0]], row[order[1]]))
    with open(os.path.join(out, "expected_all_pumps.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["house_index", "pump_index", "street_m"])
        for i, row in enumerate(M):
            for j, d in enumerate(row):
                if math.isinf(d):
                    unreachable += 1
                    w.writerow([i, j, "inf"])
                else:
                    w.writerow([i, j, f"{d:.3f}"])
                s = haversine(houses[i], pumps[j])
                if d < s - 1e-9:
                    violations.append((i, j, d, s))

    print(f"pairs={len(houses) * len(pumps)} unreachable={unreachable}")
    print(f"street_m >= straight_m violations: {len(violations)}")
    for v in violations[:10]:
        print(f"  house {v[0]} pump {v[1]}: street {v[2]:.3f} < straight {v[3]:.3f}")
    print("houses per nearest pump (pump: houses, deaths):")
    deaths = [0] * len(pumps)
    feats = json.load(open(os.path.join(src, "SohoPeople.geojson")))["features"]
    with open(os.path.join(out, "expected_nearest_pump.csv")) as f:
        for r in csv.DictReader(f):
            deaths[int(r["pump_index"])] += int(feats[int(r["house_index"])]["properties"]["Count"])
    for j in range(len(pumps)):
        print(f"  pump {j:2d} {pumps[j]}: {counts[j]:3d} houses, {deaths[j]:3d} deaths")
    nearest_straight = [min(range(len(pumps)), key=lambda k: (haversine(h, pumps[k]), k))
                        for h in houses]
    nearest_street = [min(range(len(r)), key=lambda k: (r[k], k)) for r in M]
    print(f"houses whose nearest pump differs street vs straight: "
          f"{sum(a != b for a, b in zip(nearest_straight, nearest_street))}")
    print(f"near ties (2nd-best pump within {NEAR_TIE_M} m): {len(near_ties)}")
    for t in near_ties:
        print(f"  house {t[0]}: pump {t[1]} {t[3]:.3f} m vs pump {t[2]} {t[4]:.3f} m "
              f"(diff {t[4] - t[3]:.4f})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
