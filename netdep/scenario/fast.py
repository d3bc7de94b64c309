"""Measures for many scenario states at once: only the graphs a state changes, in batched NumPy.

The reference path (:func:`.measures.measure_tables`) rebuilds every networkx graph and
recomputes every measure. Here, for a list of states of one base year:

1. the base year's measures of a graph are computed once, when some state leaves that graph
   unchanged, and its rows repeated (by reference) for those states;
2. for each state, only the graphs fed by the rows it changed (its commodity graph, that
   layer's aggregate and the cross-layer graph) are rebuilt — as edge dictionaries, updated
   from the base edges by the changed rows only;
3. the states' versions of one graph are grouped by node list and stacked as arrays
   ``(states, n, n)``; steps with identical matrices share one computation, and small stacks
   (the base graphs) of one size class are padded with edgeless nodes into one stack. Every
   measure is computed for the whole stack at once: shares and HHI from row and column sums;
   PageRank (importer- and exporter-side), eigenvector and Katz with the exact iterations and stopping
   rules of :mod:`netdep.metrics.centrality` (each state stops at its own iteration, as networkx would;
   eigenvector only where the stack's matrix is strongly connected, by a batched transitive closure);
   Katz's spectral radius from the eigenvalues of the core left after peeling nodes without in- or
   out-edges; betweenness by Floyd–Warshall on distance =
   1/weight (once, then the edges whose length varies inserted into every step), the
   shortest-path DAG of each source (ties within 1e-12 relative; only rows whose distances differ
   from the first step's are tested again), and path counts σ and Brandes dependencies δ as two
   batched triangular-like linear systems, (I − Mᵀ) σ = e_s and (I − B) δ = B 1 with
   B_vw = M_vw σ_v / σ_w (Brandes 2001, eq. for δ), steps with the same DAGs sharing one solve
   (steps whose weights span so many orders of magnitude that the tolerance could join nodes
   take networkx's own betweenness); supply- and market-side dependence and coverage from
   row and column sums. The cross-layer graph (goods ex-energy plus energy) is not additive in the
   rows, so a state that changes it rebuilds it whole.

Output is the long table of :mod:`.measures` with a ``step`` column, assembled column-wise:
constant columns are slices of one array per value, label columns are taken once per block and
shared by its measure blocks. ``scripts/bench_sweep.py`` checks it against the reference path to 1e-9.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pyarrow as pa

from ..geography import LAYER_ORDER, cross_layer
from ..graph import LAYER_WEIGHTS, coarsening, fuels
from ..metrics.registry import centrality_names
from ..metrics.tables import asymmetry_actors
from ..store import Data
from .engine import State, initial_state
from .measures import FIELDS, LONG_SCHEMA, consumption, layers_of, remainders_of

__all__ = ["FastMeasures"]

GKey = tuple[str, str]



def _key_order(key: tuple) -> tuple:
    """A sort key for flow keys that may hold None (no route): hash-seed-independent order."""
    return tuple("" if x is None else str(x) for x in key)


class FastMeasures:
    """Measures of many states of ``year`` (see the module docstring)."""

    def __init__(self, data: Data, year: int, layers: tuple[str, ...] | None = None):
        self.data, self.year = data, year
        self.layers = layers if layers is not None else layers_of(data, year)
        self.rem = remainders_of(data)
        self.cons = consumption(data, year)
        com = {c["commodity"]: c for c in data.rows("commodities")}
        self.ej = {c: com[c]["ej_per_unit"] for c in com}
        self.base_state = initial_state(data, year)
        rows = list(self.base_state.rows.values())
        self.gkeys: list[GKey] = []
        self.fuels = {f: set(ms) for f, ms in fuels(data).items()}
        for layer in LAYER_ORDER:
            if layer in self.layers:
                cs = sorted({f["commodity"] for f in rows if f["layer"] == layer})
                fs = [f for f, ms in self.fuels.items() if com[f]["layer"] == layer and ms <= set(cs)]
                self.gkeys += [(layer, c) for c in cs] + [(layer, f) for f in fs] + ([(layer, "*")] if cs else [])
        if cross_layer(self.layers) and cross_layer(f["layer"] for f in rows):
            self.gkeys.append(("all", "*"))
        self.maps: dict[GKey, dict[str, str]] = {}
        self._fed: dict[tuple[str, str], list[GKey]] = {}
        for g in self.gkeys:
            if g[1] == "*":
                sub = [f for f in rows if self._feeds(g, f) and (g[0] != "all" or f["value_usd_bn"] is not None)]
                self.maps[g] = coarsening(data, {f["origin"] for f in sub} | {f["destination"] for f in sub})
        self.base_edges = {g: {k: (v[0], v[1]) for k, v in self._edges_full(g, rows).items()} for g in self.gkeys}
        self._mats: dict[GKey, tuple] = {}
        self._base_parts: dict[GKey, pa.Table] = {}
        self._base_vul: pa.Table | None = None
        self.consts = _Consts()

    def _ensure_base(self, gs: list[GKey]) -> None:
        """Compute the base year's rows of the graphs ``gs`` not yet computed (together)."""
        todo = [g for g in gs if g not in self._base_parts]
        jobs = []
        for g in todo:
            nodes, _, A0, E0, _ = self._base_matrix(g)
            jobs.append((g, nodes, [0], A0[None].copy(), E0[None].copy()))
        for g, t in zip(todo, _blocks(self, jobs)):
            self._base_parts[g] = t.drop_columns(["step"]).combine_chunks()  # repeated per step: one chunk

    def base_part(self, g: GKey) -> pa.Table:
        """The base year's rows of graph ``g`` (no ``step`` column), computed on first use."""
        self._ensure_base([g])
        return self._base_parts[g]

    @property
    def base_long(self) -> pa.Table:
        """The base year's rows of every graph."""
        self._ensure_base(self.gkeys)
        return pa.concat_tables([self._base_parts[g] for g in self.gkeys])

    # ---- edges -------------------------------------------------------------------------------------------
    def _weight(self, g: GKey, f: dict) -> float | None:
        layer, c = g
        if c != "*":
            return f["value"]
        if layer == "energy":
            k = self.ej[f["commodity"]]
            return None if k is None else f["value"] * k
        if layer == "all":
            return f["value_usd_bn"]
        return f["value_usd_bn"] if f["value_usd_bn"] is not None else f["value"]

    def _feeds(self, g: GKey, f: dict) -> bool:
        layer, c = g
        if c in self.fuels:
            return f["commodity"] in self.fuels[c]
        if c != "*":
            return f["commodity"] == c
        return f["layer"] in ("trade", "energy") if layer == "all" else f["layer"] == layer

    def _fed_by(self, layer: str, commodity: str) -> list[GKey]:
        """The graphs a row of ``layer`` and ``commodity`` feeds (cached)."""
        key = (layer, commodity)
        if key not in self._fed:
            f = {"commodity": commodity, "layer": layer}
            self._fed[key] = [g for g in self.gkeys if self._feeds(g, f)]
        return self._fed[key]

    def _edge(self, g: GKey, f: dict) -> tuple[str, str] | None:
        if g[1] != "*":
            return f["origin"], f["destination"]
        m = self.maps[g]
        o, d = m[f["origin"]], m[f["destination"]]
        return None if o == d else (o, d)

    def _edges_full(self, g: GKey, rows) -> dict[tuple[str, str], list]:
        if g == ("all", "*"):
            return self._cross_edges(rows)
        out: dict[tuple[str, str], list] = defaultdict(lambda: [0.0, 0])
        for f in rows:
            if not self._feeds(g, f):
                continue
            w = self._weight(g, f)
            e = self._edge(g, f)
            if w is None or e is None:
                continue
            out[e][0] += w
            out[e][1] += 1
        return dict(out)

    def _cross_edges(self, rows) -> dict[tuple[str, str], list]:
        """The cross-layer graph's edges as :func:`netdep.graph.cross_layer_graph` builds them (goods ex-energy
        plus energy, not additive in the rows, so always rebuilt whole)."""
        g = ("all", "*")
        goods: dict[tuple[str, str], float] = defaultdict(float)
        energy: dict[tuple[str, str], float] = defaultdict(float)
        cnt: dict[tuple[str, str], int] = defaultdict(int)
        for f in rows:
            if not self._feeds(g, f) or f["value_usd_bn"] is None:
                continue
            e = self._edge(g, f)
            if e is None:
                continue
            (goods if f["layer"] == "trade" else energy)[e] += f["value_usd_bn"]
            cnt[e] += 1
        w = LAYER_WEIGHTS
        return {e: [w["trade"] * max(goods.get(e, 0.0) - energy.get(e, 0.0), 0.0) + w["energy"] * energy.get(e, 0.0),
                    cnt[e]] for e in sorted(cnt)}

    def edges(self, state: State) -> dict[GKey, tuple[str, dict]]:
        """For each graph the state changed: ``("delta", {edge: [weight, rows]})`` with only the changed
        edges (``rows == 0``: the edge is gone), or ``("full", {edge: weight})`` when an actor new to an
        aggregate graph means folding again. Graphs not listed are the base year's."""
        base_rows = self.base_state.rows
        by_graph: dict[GKey, list] = {}
        for k in sorted(state.changed, key=_key_order):  # a fixed order: the float sums below depend on it
            for g in self._fed_by(k[0], k[1]):
                by_graph.setdefault(g, []).append(k)
        out: dict[GKey, tuple[str, dict]] = {}
        for g in self.gkeys:
            ch = by_graph.get(g)
            if not ch:
                continue
            if g == ("all", "*"):  # not additive in the rows: rebuilt whole
                rows = [f for f in state.rows.values() if self._feeds(g, f) and f["value_usd_bn"] is not None]
                if any(a not in self.maps[g] for f in rows for a in (f["origin"], f["destination"])):
                    saved = self.maps[g]
                    self.maps[g] = coarsening(self.data, {f["origin"] for f in rows} | {f["destination"] for f in rows})
                    e = self._edges_full(g, rows)
                    self.maps[g] = saved
                else:
                    e = self._edges_full(g, rows)
                out[g] = ("full", {k: v[0] for k, v in e.items()})
                continue
            if g[1] == "*" and any(a not in self.maps[g] for k in ch if k in state.rows for a in (k[2], k[3])):
                rows = [f for f in state.rows.values() if self._feeds(g, f)]  # a new actor: fold again
                saved = self.maps[g]
                self.maps[g] = coarsening(self.data, {f["origin"] for f in rows} | {f["destination"] for f in rows})
                e = self._edges_full(g, rows)
                self.maps[g] = saved
                out[g] = ("full", {k: v[0] for k, v in e.items()})
                continue
            base = self.base_edges[g]
            delta: dict[tuple[str, str], list] = {}
            for k in ch:
                for f, sign in ((base_rows.get(k), -1), (state.rows.get(k), 1)):
                    if f is None:
                        continue
                    w, ed = self._weight(g, f), self._edge(g, f)
                    if w is None or ed is None:
                        continue
                    cur = delta.get(ed)
                    if cur is None:
                        cur = delta[ed] = list(base.get(ed, (0.0, 0)))
                    cur[0] += sign * w
                    cur[1] += sign
            out[g] = ("delta", delta)
        return out

    def _base_matrix(self, g: GKey):
        if g not in self._mats:
            e = self.base_edges[g]
            nodes = tuple(sorted({a for k in e for a in k}))
            pos = {a: i for i, a in enumerate(nodes)}
            A = np.zeros((len(nodes), len(nodes)))
            E = np.zeros_like(A, dtype=bool)
            deg: dict[str, int] = defaultdict(int)
            for (o, d), (w, _) in e.items():
                A[pos[o], pos[d]] = w
                E[pos[o], pos[d]] = True
                deg[o] += 1
                deg[d] += 1
            self._mats[g] = (nodes, pos, A, E, dict(deg))
        return self._mats[g]

    # ---- measures ------------------------------------------------------------------------------------------
    def long(self, states: list[State], scenario: str | list[str] = "") -> pa.Table:
        """The long table (with ``step`` = index in ``states``) of every measure of every state."""
        S = len(states)
        per_state = [self.edges(s) for s in states]
        jobs: list[tuple] = []  # (graph, nodes, steps, A, E): the stacks to measure, in output order
        for g in self.gkeys:
            idx = [i for i in range(S) if g in per_state[i]]
            if not idx:
                continue
            nodes, pos, A0, E0, deg0 = self._base_matrix(g)
            same, other = [], defaultdict(list)
            for i in idx:
                kind, e = per_state[i][g]
                if kind == "delta":
                    dd: dict[str, int] = {}
                    base_e = self.base_edges[g]
                    for (o, d), (_, cnt) in e.items():
                        was = (o, d) in base_e
                        step = 1 if cnt > 0 and not was else -1 if cnt <= 0 and was else 0
                        dd[o], dd[d] = dd.get(o, 0) + step, dd.get(d, 0) + step
                    if all(a in pos and deg0[a] + v > 0 for a, v in dd.items()):
                        same.append(i)
                        continue
                    full = {k: v[0] for k, v in self.base_edges[g].items()}
                    for k, (w, cnt) in e.items():
                        if cnt > 0:
                            full[k] = w
                        else:
                            full.pop(k, None)
                    per_state[i][g] = ("full", full)
                full = per_state[i][g][1]
                other[tuple(sorted({a for k in full for a in k}))].append(i)
            if same:
                A = np.repeat(A0[None], len(same), axis=0)
                E = np.repeat(E0[None], len(same), axis=0)
                for s_, i in enumerate(same):
                    for (o, d), (w, cnt) in per_state[i][g][1].items():
                        A[s_, pos[o], pos[d]] = w if cnt > 0 else 0.0
                        E[s_, pos[o], pos[d]] = cnt > 0
                jobs.append((g, nodes, same, A, E))
            for nds, steps in other.items():
                p2 = {a: j for j, a in enumerate(nds)}
                A = np.zeros((len(steps), len(nds), len(nds)))
                E = np.zeros(A.shape, dtype=bool)
                for s_, i in enumerate(steps):
                    for (o, d), w in per_state[i][g][1].items():
                        A[s_, p2[o], p2[d]] = w
                        E[s_, p2[o], p2[d]] = True
                jobs.append((g, nds, steps, A, E))
        chunks = _blocks(self, jobs)
        # untouched graphs: the base rows, once per state that did not change them
        untouched = {g: [i for i in range(S) if g not in per_state[i]] for g in self.gkeys}
        self._ensure_base([g for g, steps in untouched.items() if steps])
        for g in self.gkeys:
            steps = untouched[g]
            if not steps:
                continue
            sub = self._base_parts[g]
            if sub.num_rows == 0:
                continue
            rep = pa.concat_tables([sub] * len(steps)) if len(steps) > 1 else sub
            st = np.repeat(np.asarray(steps, dtype=np.int64), sub.num_rows)
            chunks.append(rep.append_column("step", pa.array(st)))
        if "energy" in self.layers:  # vulnerability: per state, the base's rows where energy and routes are unchanged
            for i, st in enumerate(states):
                same = not any(k[0] == "energy" for k in st.changed) and st.routes == self.base_state.routes
                if same:
                    if self._base_vul is None:
                        self._base_vul = _vulnerability(self, self.base_state, 0)
                    t = self._base_vul
                    if t is not None:
                        t = t.set_column(t.schema.get_field_index("step"), "step",
                                         pa.array(np.full(t.num_rows, i, dtype=np.int64)))
                else:
                    t = _vulnerability(self, st, i)
                if t is not None:
                    chunks.append(t)
        out = pa.concat_tables([c.select([*LONG_SCHEMA.names, "step"]) for c in chunks])
        if isinstance(scenario, str):
            return out.set_column(0, "scenario", self.consts.column(out.num_rows, scenario))
        return out.set_column(0, "scenario", _dict_col(out.column("step").to_numpy(), list(scenario)))


def _dict_col(idx: np.ndarray, labels: list[str | None]) -> pa.Array:
    """``labels[idx]`` as a string array (``None`` labels give nulls)."""
    return pa.array(labels, pa.string()).take(pa.array(idx, pa.int32()))


def _const(n: int, v, typ=pa.string()) -> pa.Array:
    return pa.repeat(pa.scalar(v, typ), n)


class _Consts:
    """Constant columns as slices (zero-copy) of one array per value of at most ``CHUNK`` values: a long
    table's constant string column would otherwise hold a copy of the string for every row."""

    CHUNK = 1 << 13

    def __init__(self):
        self._arr: dict[tuple, pa.Array] = {}

    def _slice(self, n: int, v, typ: pa.DataType) -> pa.Array:
        a = self._arr.get((v, typ))
        if a is None or len(a) < n:
            a = self._arr[(v, typ)] = _const(max(n, 2 * len(a) if a is not None else 256), v, typ)
        return a.slice(0, n)

    def _chunks(self, n: int, v, typ: pa.DataType) -> list[pa.Array]:
        full, rest = divmod(n, self.CHUNK)
        return [self._slice(self.CHUNK, v, typ)] * full + ([self._slice(rest, v, typ)] if rest or not full else [])

    def __call__(self, n: int, v, typ: pa.DataType = pa.string()) -> pa.ChunkedArray:
        """``v`` n times."""
        return pa.chunked_array(self._chunks(n, v, typ), typ)

    column = __call__

    def blocks(self, values: list[str], m: int) -> pa.ChunkedArray:
        """``values[0]`` m times, then ``values[1]`` m times, …"""
        return pa.chunked_array([c for v in values for c in self._chunks(m, v, pa.string())], pa.string())


def _table(fm: FastMeasures, n: int, layer: str, commodity: str, table: str, step, value: np.ndarray,
           origin=None, destination=None, actor=None, side=None, measure=None, top=None) -> pa.Table:
    """One block of the long table; string columns given as a value (constant) or as (chunked) arrays."""
    k = fm.consts

    def col(v):
        return v if isinstance(v, (pa.Array, pa.ChunkedArray)) else k(n, v)

    return pa.table({"scenario": k(n, ""), "table": k(n, table), "year": k(n, fm.year, pa.int64()),
                     "layer": k(n, layer), "commodity": k(n, commodity), "origin": col(origin),
                     "destination": col(destination), "actor": col(actor), "side": col(side),
                     "measure": col(measure), "value": _values(value),
                     "top_partner": col(top),
                     "step": step if isinstance(step, pa.ChunkedArray) else pa.array(step.astype(np.int64))})


def _values(v: np.ndarray) -> pa.Array:
    """A float column with NaN as null (as ``from_pandas=True``; zero-copy when there is no NaN)."""
    v = np.asarray(v, dtype=np.float64)
    nan = np.isnan(v)
    return pa.array(v, mask=nan) if nan.any() else pa.array(v)


def _times(a: pa.Array, k: int) -> pa.ChunkedArray:
    """``a`` k times over, by reference."""
    return pa.chunked_array([a] * k, a.type)


def _blocks(fm: FastMeasures, jobs: list[tuple]) -> list[pa.Table]:
    """The long-table rows (dependencies, concentration, centrality) of each job ``(graph, nodes, steps, A,
    E)``; the centrality of small stacks is computed for all of them at once (see :func:`_centralities`)."""
    with_cent = [i for i, job in enumerate(jobs) if job[0][1] not in fm.fuels]  # fuel graphs: no centrality
    cents = dict(zip(with_cent, _centralities(fm, [jobs[i] for i in with_cent])))
    out = []
    for i, (g, nodes, steps, A, E) in enumerate(jobs):
        stp = np.asarray(steps)
        parts = [_deps(fm, g, nodes, stp, A, E)]
        if g[1] != "*":
            parts.append(_conc(fm, g, nodes, stp, A, E))
        else:
            parts.append(_asym(fm, g, nodes, stp, A, E))
        if i in cents:
            parts.append(cents[i])
        out.append(pa.concat_tables(parts))
    return out


def _coverage(fm, nodes, A, E) -> tuple[np.ndarray, np.ndarray]:
    """(coverage of each node's imports, of its exports), steps × nodes, NaN where the world total is unknown
    or the total is zero — :func:`netdep.metrics.coverage.coverage` for a stack."""
    rem = np.array([a in fm.rem for a in nodes], dtype=bool)
    complete = (E & rem[None, :, None] & rem[None, None, :]).any(axis=(1, 2))  # an edge remainder -> remainder
    inn, out = A.sum(axis=1), A.sum(axis=2)
    named_in = np.where(rem[None, :, None], 0.0, A).sum(axis=1)  # from named origins
    named_out = np.where(rem[None, None, :], 0.0, A).sum(axis=2)  # to named destinations
    known_in = complete[:, None] | (E & rem[None, :, None]).any(axis=1)
    known_out = complete[:, None] | (E & rem[None, None, :]).any(axis=2)
    cin = np.where(known_in & (inn > 0), named_in / np.where(inn > 0, inn, 1), np.nan)
    cout = np.where(known_out & (out > 0), named_out / np.where(out > 0, out, 1), np.nan)
    return cin, cout


def _deps(fm, g, nodes, stp, A, E) -> pa.Table:
    layer, c = g
    inn, out = A.sum(axis=1), A.sum(axis=2)
    cin, cout = _coverage(fm, nodes, A, E)
    s, i, j = np.nonzero(E)
    w = A[s, i, j]
    ti, to = inn[s, j], out[s, i]
    share_in = np.where(ti != 0, w / np.where(ti != 0, ti, 1), np.nan)
    share_out = np.where(to != 0, w / np.where(to != 0, to, 1), np.nan)
    cons = fm.cons.get(c) if c != "*" else None
    cv = np.array([(cons or {}).get(a) or 0.0 for a in nodes])[j]
    soc = np.where(cv != 0, w / np.where(cv != 0, cv, 1), np.nan)
    m = len(w)
    names = list(FIELDS["dependencies"])  # the record spec's measure fields (netdep.schema)
    k = len(names)
    return _table(fm, k * m, layer, c, "dependencies", _times(pa.array(stp[s].astype(np.int64)), k),
                  np.concatenate([w, share_in, share_out, soc, cin[s, j], cout[s, i]]),
                  origin=_times(_dict_col(i, list(nodes)), k),
                  destination=_times(_dict_col(j, list(nodes)), k), measure=fm.consts.blocks(names, m))


def _asym(fm, g, nodes, stp, A, E) -> pa.Table:
    """Asymmetry rows of a layer aggregate: :func:`netdep.metrics.asymmetry.asymmetry_records` for a stack."""
    layer, c = g
    pos = {a: i for i, a in enumerate(nodes)}
    main = sorted(pos[a] for a in set(asymmetry_actors(nodes)) if a in pos)
    inn, out = A.sum(axis=1), A.sum(axis=2)
    cin, cout = _coverage(fm, nodes, A, E)
    cols: dict[str, list] = {k: [] for k in ("step", "s", "b", "w", "bd", "sd", "ci", "co")}
    for x in range(len(main)):  # pairs in sorted order, each relationship (i -> j, then j -> i)
        for y in range(x + 1, len(main)):
            for s_, b_ in ((main[x], main[y]), (main[y], main[x])):
                w = A[:, s_, b_]
                ok = E[:, s_, b_] & (w > 0) & (inn[:, b_] != 0) & (out[:, s_] != 0)
                for k in np.flatnonzero(ok):
                    cols["step"].append(stp[k])
                    cols["s"].append(s_)
                    cols["b"].append(b_)
                    cols["w"].append(w[k])
                    cols["bd"].append(w[k] / inn[k, b_])
                    cols["sd"].append(w[k] / out[k, s_])
                    cols["ci"].append(cin[k, b_])
                    cols["co"].append(cout[k, s_])
    m = len(cols["step"])
    bd, sd = np.array(cols["bd"], dtype=float), np.array(cols["sd"], dtype=float)
    names = list(FIELDS["asymmetry"])
    k = len(names)
    vals = np.concatenate([np.array(cols["w"], dtype=float), bd, sd, bd - sd, np.array(cols["ci"], dtype=float),
                           np.array(cols["co"], dtype=float)])
    return _table(fm, k * m, layer, c, "asymmetry", _times(pa.array(np.array(cols["step"], dtype=np.int64)), k),
                  vals, origin=_times(_dict_col(np.array(cols["s"], dtype=np.int64), list(nodes)), k),
                  destination=_times(_dict_col(np.array(cols["b"], dtype=np.int64), list(nodes)), k),
                  measure=fm.consts.blocks(names, m))


def _vulnerability(fm, state: State, step: int) -> pa.Table | None:
    """Vulnerability rows of one state (the reference function on the state's rows and routes)."""
    from ..metrics.tables import vulnerability_table

    def key(f):
        return (f["year"], f["layer"], f["commodity"], f["origin"], f["destination"], f["route"] is None,
                f["route"] or "")

    rows = sorted(state.rows.values(), key=key)  # the reference's (canonical) row order: fills routes alike
    routes = sorted(state.routes.values(), key=lambda r: r["route"])
    recs = vulnerability_table(fm.data, fm.year, ("energy",), rows, routes)
    if not recs:
        return None
    names = list(FIELDS["vulnerability"])
    n = len(names)
    m = len(recs)
    vals = np.array([np.nan if r[f] is None else r[f] for r in recs for f in names], dtype=float)

    def col(k):
        return pa.array([r[k] for r in recs for _ in names], pa.string())

    return pa.table({"scenario": fm.consts(n * m, ""), "table": fm.consts(n * m, "vulnerability"),
                     "year": fm.consts(n * m, fm.year, pa.int64()), "layer": col("layer"),
                     "commodity": col("commodity"),
                     "origin": col("partner"), "destination": col("actor"), "actor": fm.consts(n * m, None),
                     "side": fm.consts(n * m, None), "measure": pa.array(names * m, pa.string()),
                     "value": _values(vals), "top_partner": fm.consts(n * m, None),
                     "step": pa.array(np.full(n * m, step, dtype=np.int64))})


def _conc(fm, g, nodes, stp, A, E) -> pa.Table:
    layer, c = g
    named = np.array([a not in fm.rem for a in nodes])
    cov = dict(zip(("in", "out"), _coverage(fm, nodes, A, E)))
    parts = []
    for side in ("in", "out"):
        W = A if side == "out" else np.swapaxes(A, 1, 2)  # W[s, actor, partner]
        P = E if side == "out" else np.swapaxes(E, 1, 2)
        total = W.sum(axis=2)
        cnt = P.sum(axis=2)
        ok = (cnt > 0) & (total > 0)
        sh = W / np.where(total > 0, total, 1)[:, :, None]
        nm = P & named[None, None, :]
        hhi = np.where(nm, sh ** 2, 0.0).sum(axis=2)
        unatt = np.where(P & ~named[None, None, :], W, 0.0).sum(axis=2) / np.where(total > 0, total, 1)
        masked = np.where(nm, sh, -np.inf)
        top = masked.argmax(axis=2)
        has_top = nm.any(axis=2)
        s, a = np.nonzero(ok)
        m = len(s)
        top_i = np.where(has_top[s, a], top[s, a], len(nodes))  # index len(nodes): no named partner (None)
        top_share = np.where(has_top[s, a], np.take_along_axis(sh, top[:, :, None], 2)[:, :, 0][s, a], np.nan)
        vals = np.concatenate([hhi[s, a], top_share, unatt[s, a], cnt[s, a].astype(float), cov[side][s, a]])
        k = 5
        parts.append(_table(fm, k * m, layer, c, "concentration", _times(pa.array(stp[s].astype(np.int64)), k), vals,
                            actor=_times(_dict_col(a, list(nodes)), k), side=side,
                            measure=fm.consts.blocks(list(FIELDS["concentration"]), m),
                            top=_times(_dict_col(top_i, [*nodes, None]), k)))
    return pa.concat_tables(parts)


def _present(S: int, n: int, present: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """(start vector 1/N on each matrix's N present nodes, N), for stacks padded with absent nodes."""
    if present is None:
        return np.full((S, n), 1.0 / n), np.full(S, n)
    cnt = present.sum(axis=1)
    return np.where(present, 1.0 / np.maximum(cnt, 1)[:, None], 0.0), cnt


def _pagerank(A: np.ndarray, present: np.ndarray | None = None, alpha: float = 0.85, max_iter: int = 100,
              tol: float = 1.0e-6) -> np.ndarray:
    """:func:`netdep.metrics.centrality.pagerank_array` for a stack; each matrix stops at its own iteration.

    ``present`` (steps × nodes): the nodes of each matrix, for a stack padded with absent (edgeless) nodes.
    """
    S, n, _ = A.shape
    rs = A.sum(axis=2)
    nz = rs != 0
    inv = np.where(nz, 1.0 / np.where(nz, rs, 1.0), 0.0)
    P = A * inv[:, :, None]
    p, cnt = _present(S, n, present)
    tele = (1 - alpha) * p
    dangling = ~nz if present is None else ~nz & present
    thr = np.where(cnt > 0, cnt * tol, np.inf)
    out = np.empty((S, n))
    x = p
    act = np.arange(S)  # the steps still iterating; a converged step leaves the stack
    for _ in range(max_iter):
        dang = np.where(dangling, x, 0.0).sum(axis=1)
        xn = alpha * (np.matmul(x[:, None, :], P)[:, 0, :] + dang[:, None] * p) + tele
        conv = np.abs(xn - x).sum(axis=1) < thr
        x = xn
        if conv.any():
            out[act[conv]] = x[conv]
            if conv.all():
                return out
            left = ~conv
            act, x, P, dangling, p, tele, thr = (a[left] for a in (act, x, P, dangling, p, tele, thr))
    raise ValueError("PageRank did not converge")  # networkx raises PowerIterationFailedConvergence


def _radius(A: np.ndarray) -> np.ndarray:
    """Spectral radius of each matrix of the stack (its 2-norm where that is ~0, as the reference does).

    Eigenvalues are taken of the core only: a node with no out-edges (a zero row) or no in-edges (a zero
    column) contributes an eigenvalue 0 and leaves the others unchanged (permuted, the matrix is block
    triangular), so such nodes are peeled off repeatedly, on the stack's union pattern.
    """
    S, n, _ = A.shape
    nz = (A != 0).any(axis=0)
    core = np.ones(n, dtype=bool)
    while core.any():
        sub = nz[np.ix_(core, core)]
        drop = ~(sub.any(axis=0) & sub.any(axis=1))
        if not drop.any():
            break
        core[np.flatnonzero(core)[drop]] = False
    if core.all():
        rho = np.abs(np.linalg.eigvals(A)).max(axis=1)
    elif core.any():
        rho = np.abs(np.linalg.eigvals(A[:, core][:, :, core])).max(axis=1)
    else:
        rho = np.zeros(S)
    small = rho < 1e-12
    if small.any():
        rho[small] = np.linalg.norm(A[small], 2, axis=(1, 2))
    return rho


def _eig_or_katz(A: np.ndarray, rho: np.ndarray | None = None, present: np.ndarray | None = None
                 ) -> tuple[np.ndarray, np.ndarray]:
    """(values, is_katz) for a stack, as :func:`netdep.metrics.centrality.eigenvector_or_katz`
    (``rho``: the stack's spectral radii, if already known; ``present``: as for :func:`_pagerank`)."""
    S, n, _ = A.shape
    xa, cnt = _present(S, n, present)
    thr = np.where(cnt > 0, cnt * 1.0e-6, np.inf)
    AT = np.swapaxes(A, 1, 2)
    x = np.zeros((S, n))
    done = np.zeros(S, dtype=bool)
    strong = _strong(A, present)
    act = np.flatnonzero(strong)  # the steps still iterating (strongly connected ones only); converged ones leave
    xa, AT, thr = xa[act], AT[act], thr[act]
    for _ in range(100 if len(act) else 0):
        y = xa + np.matmul(AT, xa[:, :, None])[:, :, 0]
        norm = np.sqrt((y ** 2).sum(axis=1))
        norm[norm == 0] = 1.0
        y /= norm[:, None]
        conv = np.abs(y - xa).sum(axis=1) < thr
        xa = y
        if conv.any():
            x[act[conv]] = y[conv]
            done[act[conv]] = True
            if conv.all():
                break
            left = ~conv
            act, xa, AT, thr = act[left], xa[left], AT[left], thr[left]
    if not done.all():
        x[act] = xa
    katz = ~done | ~np.isfinite(x).all(axis=1)
    if katz.any():
        K = A[katz]
        r = _radius(K) if rho is None else rho[katz]
        alpha = np.where(r > 0, 0.9 / np.where(r > 0, r, 1), 0.1)
        M = np.eye(n)[None] - alpha[:, None, None] * np.swapaxes(K, 1, 2)
        rhs = np.ones((K.shape[0], n, 1)) if present is None else present[katz][:, :, None].astype(float)
        cen = np.linalg.solve(M, rhs)[:, :, 0]
        nrm = np.sign(cen.sum(axis=1)) * np.linalg.norm(cen, axis=1)
        x = x.copy()
        x[katz] = cen / nrm[:, None]
    return x, katz


def _strong(A: np.ndarray, present: np.ndarray | None = None) -> np.ndarray:
    """Whether each matrix's positive edges connect its present nodes strongly (as
    :func:`netdep.metrics.centrality.strongly_connected`): transitive closure by repeated squaring."""
    S, n, _ = A.shape
    pres = np.ones((S, n), dtype=bool) if present is None else present
    R = (A > 0) | np.eye(n, dtype=bool)[None]
    for _ in range(max(1, int(np.ceil(np.log2(max(n, 2)))))):
        R = np.matmul(R.astype(np.float64), R.astype(np.float64)) > 0
    need = pres[:, :, None] & pres[:, None, :]
    return (R | ~need).all(axis=(1, 2)) & (pres.sum(axis=1) > 0)


def _dependence(A: np.ndarray, keep: np.ndarray, side: str) -> np.ndarray:
    """Supply-side (``side="supply"``) or market-side dependence of each node (steps × nodes) — as
    :func:`netdep.metrics.centrality.supply_dependence` / ``market_dependence``; ``keep``: the named nodes
    (1-D, or per matrix for a padded stack)."""
    kp = keep if keep.ndim == 2 else np.broadcast_to(keep, A.shape[:2])
    if side == "supply":  # j's share of i's imports, summed over named importers i
        tot = A.sum(axis=1)
        sh = np.where(tot[:, None, :] > 0, A / np.where(tot > 0, tot, 1)[:, None, :], 0.0)
        val = np.where(kp[:, None, :], sh, 0.0).sum(axis=2)
    else:  # j's share of i's exports, summed over named exporters i
        tot = A.sum(axis=2)
        sh = np.where(tot[:, :, None] > 0, A / np.where(tot > 0, tot, 1)[:, :, None], 0.0)
        val = np.where(kp[:, :, None], sh, 0.0).sum(axis=1)
    return val


def _floyd(L: np.ndarray) -> np.ndarray:
    """All-pairs shortest distances of each length matrix of the stack (Floyd–Warshall, batched)."""
    n = L.shape[1]
    D = L.copy()
    D[:, np.arange(n), np.arange(n)] = 0.0
    tmp = np.empty_like(D)
    for k in range(n):
        np.add(D[:, :, k:k + 1], D[:, k:k + 1, :], out=tmp)
        np.minimum(D, tmp, out=D)
    return D


def _distances(L: np.ndarray) -> np.ndarray:
    """:func:`_floyd` of the stack, cheaply when few edges' lengths differ between steps.

    Floyd–Warshall once on the edges common to all steps, then each varying edge u→v inserted into every
    step at once: d'(x, y) = min(d(x, y), d(x, u) + l + d(v, y)) is exact for one added edge of length
    l ≥ 0 (a shortest path uses it at most once), so the insertions one after another give every step's
    distances.
    """
    S, n, _ = L.shape
    vu, vv = np.nonzero((L != L[:1]).any(axis=0))
    if S == 1 or len(vu) > n // 4:
        return _floyd(L)
    L0 = L[:1].copy()
    L0[0, vu, vv] = np.inf
    D = np.repeat(_floyd(L0), S, axis=0)
    for u, v in zip(vu.tolist(), vv.tolist()):
        cand = (D[:, :, u:u + 1] + L[:, u, v][:, None, None]) + D[:, v:v + 1, :]
        np.minimum(D, cand, out=D)
    return D


def _on_path(Du: np.ndarray, Luv: np.ndarray, Dv: np.ndarray) -> np.ndarray:
    """Edge u→v is on a shortest path from the source: Du + Luv == Dv to 1e-12 relative. Where the left
    side is finite so is Dv; where it is infinite, inf − x = inf or inf − inf = nan compare False."""
    slack = Du + Luv
    with np.errstate(invalid="ignore"):
        slack -= Dv
        return slack <= Dv * 1e-12


def _betweenness_reference(A: np.ndarray) -> np.ndarray:
    """:func:`netdep.metrics.centrality.betweenness` of one matrix, on the graph the reference path builds
    (nodes in order, edges in sorted order)."""
    import networkx as nx

    from ..metrics.centrality import betweenness

    n = A.shape[0]
    G = nx.DiGraph()
    G.add_nodes_from(range(n))
    for i, j in zip(*np.nonzero(A)):
        G.add_edge(int(i), int(j), value=float(A[i, j]))
    bc = betweenness(G)
    return np.array([bc[i] for i in range(n)])


def _betweenness(A: np.ndarray, cnt: np.ndarray | None = None) -> np.ndarray:
    """Normalised directed betweenness with distance 1/w over positive edges (see the module docstring).

    Steps whose shortest-path DAGs are identical share one computation of σ and δ. The DAGs are
    tested against the first step's: only the (step, source) rows whose distances differ from it and
    the edges whose length differs are tested again. ``cnt``: the number of present nodes of each
    matrix, for a stack padded with absent (edgeless) nodes.
    """
    S, n, _ = A.shape
    if (n if cnt is None else cnt.max(initial=0)) < 3:
        return np.zeros((S, n))
    pos = A > 0
    with np.errstate(over="ignore"):  # 1/w of a subnormal weight is inf, as in the reference
        L = np.where(pos, 1.0 / np.where(pos, A, 1.0), np.inf)
    D = _distances(L)
    # The 1e-12 tie tolerance needs every edge to be longer than the tolerance on any distance: then D
    # grows strictly along the edges kept, which form a DAG. Steps where some edge is not (weights
    # spanning ~11 orders of magnitude, or 1/w overflowing) take the reference (networkx) path instead.
    Dmax = np.where(np.isfinite(D), D, 0.0).max(axis=(1, 2))
    odd = (np.where(pos, L, np.inf).min(axis=(1, 2)) <= 1e-11 * Dmax) | (pos & np.isinf(L)).any(axis=(1, 2))
    if odd.any():
        out = np.empty((S, n))
        for i in np.flatnonzero(odd):
            c = n if cnt is None else int(cnt[i])
            out[i] = 0.0
            out[i, :c] = _betweenness_reference(A[i, :c, :c])
        if not odd.all():
            out[~odd] = _betweenness(A[~odd], None if cnt is None else cnt[~odd])
        return out
    eu, ev = np.nonzero(pos.any(axis=0))  # every edge present in some step
    Le = L[:, eu, ev]  # (S, edges)
    rs, rsrc = np.nonzero((D != D[:1]).any(axis=2))
    if 2 * len(rs) > S * n:  # mostly different from the first step (or a stack of different graphs)
        on = _on_path(D[:, :, eu], Le[:, None, :], D[:, :, ev])  # on[step, source, edge]
    else:
        on = np.empty((S, n, len(eu)), dtype=bool)
        on[:] = _on_path(D[0][:, eu], Le[0][None, :], D[0][:, ev])[None]
        if len(rs):
            Dr = D[rs, rsrc]  # (rows, n)
            on[rs, rsrc] = _on_path(Dr[:, eu], Le[rs], Dr[:, ev])
        ve = np.flatnonzero((Le != Le[:1]).any(axis=0))
        if len(ve):
            on[:, :, ve] = _on_path(D[:, :, eu[ve]], Le[:, None, ve], D[:, :, ev[ve]])
    keys = np.packbits(on.reshape(S, -1), axis=1)
    seen: dict[bytes, int] = {}
    first: list[int] = []
    inverse = np.empty(S, dtype=np.int64)
    for i in range(S):
        k = keys[i].tobytes()
        if k not in seen:
            seen[k] = len(first)
            first.append(i)
        inverse[i] = seen[k]
    U = len(first)
    M = np.zeros((U, n, n, n))
    M[:, :, eu, ev] = on[first]
    eye = np.eye(n)
    Mf = M.reshape(U * n, n, n)
    sigma = np.linalg.solve(eye[None] - np.swapaxes(Mf, 1, 2), np.tile(eye, (U, 1))[:, :, None])[:, :, 0]
    safe = np.where(sigma > 0, sigma, 1.0)
    B = Mf * sigma[:, :, None] / safe[:, None, :]
    delta = np.linalg.solve(eye[None] - B, B.sum(axis=2)[:, :, None])[:, :, 0]
    delta = delta.reshape(U, n, n) * (1 - eye)[None]  # drop delta_s(s)
    if cnt is None:
        return (delta.sum(axis=1) / ((n - 1) * (n - 2)))[inverse]
    c = cnt[:, None]
    return np.where(c >= 3, delta.sum(axis=1)[inverse] / np.maximum((c - 1) * (c - 2), 1), 0.0)


def _distinct(A: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(the distinct matrices of the stack in first-seen order, index of each step's among them)."""
    S = A.shape[0]
    seen: dict[bytes, int] = {}
    first: list[int] = []
    inverse = np.empty(S, dtype=np.int64)
    flat = A.reshape(S, -1)
    for i in range(S):
        k = flat[i].tobytes()
        if k not in seen:
            seen[k] = len(first)
            first.append(i)
        inverse[i] = seen[k]
    return (A, np.arange(S)) if len(first) == S else (A[first], inverse)


#: stacks with fewer than this many matrix entries (steps × nodes²) are measured together, padded
SMALL = 20_000


def _centrality_values(A: np.ndarray, keep: np.ndarray, cnt: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Every centrality measure of a stack (steps × nodes each; ``is_katz`` per step). ``keep``: see
    :func:`_depcent`; ``cnt``: the number of present nodes of each matrix of a padded stack."""
    present = None if cnt is None else np.arange(A.shape[1])[None, :] < cnt[:, None]
    ev, is_katz = _eig_or_katz(A, None, present)
    v = {"in_strength": A.sum(axis=1), "out_strength": A.sum(axis=2), "pagerank": _pagerank(A, present),
         "pagerank_exporter": _pagerank(np.ascontiguousarray(np.swapaxes(A, 1, 2)), present),
         "eigenvector": ev, "betweenness": _betweenness(A, cnt), "is_katz": is_katz}
    if keep.any():
        v["supply_dependence"] = _dependence(A, keep, "supply")
        v["market_dependence"] = _dependence(A, keep, "market")
    return v


def _centralities(fm: FastMeasures, jobs: list[tuple]) -> list[pa.Table]:
    """The centrality rows of each job. Steps with the same matrix share values (e.g. a graph only a later
    operation changes); the small stacks (the base year's graphs, a graph the same at every step) of one
    size class are padded with absent nodes to one size and measured as one stack, as per-call costs
    dominate there."""
    prep = []
    for _g, nodes, _steps, A, _E in jobs:
        Au, inv = _distinct(A)
        prep.append((Au, inv, np.array([a not in fm.rem for a in nodes], dtype=bool)))
    groups: dict[int, list[int]] = defaultdict(list)  # small stacks by size class (n ≤ 2^k), padded to one size
    vals: list[dict | None] = [None] * len(jobs)
    for i, (Au, _, keep) in enumerate(prep):
        if Au.shape[0] * Au.shape[1] ** 2 < SMALL:
            groups[(Au.shape[1] - 1).bit_length()].append(i)
        else:
            vals[i] = _centrality_values(Au, keep)
    for small in groups.values():
        if len(small) == 1:
            i = small[0]
            vals[i] = _centrality_values(prep[i][0], prep[i][2])
            continue
        N = max(prep[i][0].shape[1] for i in small)
        rows = sum(prep[i][0].shape[0] for i in small)
        A = np.zeros((rows, N, N))
        cnt = np.zeros(rows, dtype=np.int64)
        keep = np.zeros((rows, N), dtype=bool)
        spans, r = [], 0
        for i in small:
            Au, _, kp = prep[i]
            u, n = Au.shape[0], Au.shape[1]
            A[r:r + u, :n, :n] = Au
            cnt[r:r + u] = n
            keep[r:r + u, :n] = kp
            spans.append((i, r, r + u, n))
            r += u
        allv = _centrality_values(A, keep, cnt)
        for i, a, b, n in spans:
            vals[i] = {k: v[a:b, :n] if v.ndim == 2 else v[a:b] for k, v in allv.items()}
    return [_centrality_table(fm, g, nodes, np.asarray(steps), vals[i], prep[i][1], prep[i][2])
            for i, (g, nodes, steps, _A, _E) in enumerate(jobs)]


def _centrality_table(fm, g, nodes, stp, v: dict, inv: np.ndarray, keep: np.ndarray) -> pa.Table:
    layer, c = g
    S, n = len(stp), len(nodes)
    is_katz = v["is_katz"][inv]
    dep = ["supply_dependence", "market_dependence"]
    names = [x for x in centrality_names() if x not in ("katz", *dep)]  # netdep.metrics.registry
    labels = names + ["katz"] + dep
    vals, meas, actors, steps = [], [], [], []
    for k, name in enumerate(names):
        vals.append(v[name][inv].reshape(-1))
        m = np.full(S * n, k)
        if name == "eigenvector":
            m[np.repeat(is_katz, n)] = labels.index("katz")
        meas.append(m)
        actors.append(np.tile(np.arange(n), S))
        steps.append(np.repeat(stp, n))
    if keep.any():
        k = int(keep.sum())
        for name in dep:
            vals.append(v[name][inv][:, keep].reshape(-1))
            meas.append(np.full(S * k, labels.index(name)))
            actors.append(np.tile(np.nonzero(keep)[0], S))
            steps.append(np.repeat(stp, k))
    total = sum(len(x) for x in vals)
    return _table(fm, total, layer, c, "centrality", np.concatenate(steps), np.concatenate(vals),
                  actor=_dict_col(np.concatenate(actors), list(nodes)),
                  measure=_dict_col(np.concatenate(meas), labels))
