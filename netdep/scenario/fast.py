"""Measures for many scenario states at once: only the graphs a state changes, in batched NumPy.

The reference path (:func:`.measures.measure_tables`) rebuilds every networkx graph and
recomputes every measure. Here, for a list of states of one base year:

1. the base year's measures are computed once by the reference path;
2. for each state, only the graphs fed by the rows it changed (its commodity graph, that
   layer's aggregate and the cross-layer graph) are rebuilt — as edge dictionaries, updated
   from the base edges by the changed rows only;
3. the states' versions of one graph are grouped by node list and stacked as arrays
   ``(states, n, n)``, and every measure is computed for the whole stack at once:
   shares and HHI from row and column sums; PageRank, eigenvector and Katz with the exact
   iterations and stopping rules of :mod:`netdep.metrics.centrality` (each state stops at its
   own iteration, as networkx would); Bonacich power by batched solves; betweenness by
   batched Floyd–Warshall on distance = 1/weight, the shortest-path DAG of each source
   (ties within 1e-12 relative), and path counts σ and Brandes dependencies δ as two
   batched triangular-like linear systems, (I − Mᵀ) σ = e_s and (I − B) δ = B 1 with
   B_vw = M_vw σ_v / σ_w (Brandes 2001, eq. for δ); dependency centrality as PageRank of the
   batched dependency matrices.

Output is the long table of :mod:`.measures` with a ``step`` column. ``scripts/bench_sweep.py``
checks it against the reference path to 1e-9.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pyarrow as pa

from ..graph import coarsening
from ..store import Data
from .engine import State, initial_state
from .measures import LONG_SCHEMA, consumption, layers_of, remainders_of

__all__ = ["FastMeasures"]

GKey = tuple[str, str]


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
        for layer in ("energy", "investment", "trade"):
            if layer in self.layers:
                cs = sorted({f["commodity"] for f in rows if f["layer"] == layer})
                self.gkeys += [(layer, c) for c in cs] + ([(layer, "*")] if cs else [])
        if len(self.layers) == 3 and rows:
            self.gkeys.append(("all", "*"))
        self.maps: dict[GKey, dict[str, str]] = {}
        for g in self.gkeys:
            if g[1] == "*":
                sub = [f for f in rows if g[0] == "all" or f["layer"] == g[0]]
                self.maps[g] = coarsening(data, {f["origin"] for f in sub} | {f["destination"] for f in sub})
        self.base_edges = {g: {k: (v[0], v[1]) for k, v in self._edges_full(g, rows).items()} for g in self.gkeys}
        self._mats: dict[GKey, tuple] = {}
        self.base_parts: dict[GKey, pa.Table] = {}
        for g in self.gkeys:
            nodes, _, A0, E0, _ = self._base_matrix(g)
            self.base_parts[g] = _batch(self, g, nodes, [0], A0[None].copy(), E0[None].copy()).drop_columns(["step"])
        self.base_long = pa.concat_tables(list(self.base_parts.values()))

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
        return f["commodity"] == c if c != "*" else (layer == "all" or f["layer"] == layer)

    def _edge(self, g: GKey, f: dict) -> tuple[str, str] | None:
        if g[1] != "*":
            return f["origin"], f["destination"]
        m = self.maps[g]
        o, d = m[f["origin"]], m[f["destination"]]
        return None if o == d else (o, d)

    def _edges_full(self, g: GKey, rows) -> dict[tuple[str, str], list]:
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

    def edges(self, state: State) -> dict[GKey, tuple[str, dict]]:
        """For each graph the state changed: ``("delta", {edge: [weight, rows]})`` with only the changed
        edges (``rows == 0``: the edge is gone), or ``("full", {edge: weight})`` when an actor new to an
        aggregate graph means folding again. Graphs not listed are the base year's."""
        base_rows = self.base_state.rows
        out: dict[GKey, tuple[str, dict]] = {}
        for g in self.gkeys:
            ch = [k for k in state.changed if self._feeds(g, {"commodity": k[1], "layer": k[0]})]
            if not ch:
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
        chunks = []
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
                chunks.append(_batch(self, g, nodes, same, A, E))
            for nds, steps in other.items():
                p2 = {a: j for j, a in enumerate(nds)}
                A = np.zeros((len(steps), len(nds), len(nds)))
                E = np.zeros(A.shape, dtype=bool)
                for s_, i in enumerate(steps):
                    for (o, d), w in per_state[i][g][1].items():
                        A[s_, p2[o], p2[d]] = w
                        E[s_, p2[o], p2[d]] = True
                chunks.append(_batch(self, g, nds, steps, A, E))
        # untouched graphs: the base rows, once per state that did not change them
        for g in self.gkeys:
            sub = self.base_parts[g]
            steps = [i for i in range(S) if g not in per_state[i]]
            if not steps or sub.num_rows == 0:
                continue
            rep = pa.concat_tables([sub] * len(steps)) if len(steps) > 1 else sub
            st = np.repeat(np.asarray(steps, dtype=np.int64), sub.num_rows)
            chunks.append(rep.append_column("step", pa.array(st)))
        out = pa.concat_tables([c.select([*LONG_SCHEMA.names, "step"]) for c in chunks])
        if isinstance(scenario, str):
            return out.set_column(0, "scenario", _const(out.num_rows, scenario))
        return out.set_column(0, "scenario", _dict_col(out.column("step").to_numpy(), list(scenario)))


def _dict_col(idx: np.ndarray, labels: list[str | None]) -> pa.Array:
    return pa.DictionaryArray.from_arrays(pa.array(idx.astype(np.int32)), pa.array(labels, pa.string())).cast(
        pa.string())


def _const(n: int, v, typ=pa.string()) -> pa.Array:
    return pa.repeat(pa.scalar(v, typ), n)


def _table(n: int, year: int, layer: str, commodity: str, table: str, step: np.ndarray, value: np.ndarray,
           origin=None, destination=None, actor=None, side=None, measure=None, top=None) -> pa.Table:
    def col(v):
        return v if isinstance(v, pa.Array) else _const(n, v)

    return pa.table({"scenario": _const(n, ""), "table": _const(n, table), "year": pa.array(np.full(n, year)),
                     "layer": _const(n, layer), "commodity": _const(n, commodity), "origin": col(origin),
                     "destination": col(destination), "actor": col(actor), "side": col(side),
                     "measure": col(measure), "value": pa.array(value, pa.float64(), from_pandas=True),
                     "top_partner": col(top), "step": pa.array(step.astype(np.int64))})


def _batch(fm: FastMeasures, g: GKey, nodes: tuple[str, ...], steps: list[int], A: np.ndarray,
           E: np.ndarray) -> pa.Table:
    c = g[1]
    stp = np.asarray(steps)
    out = [_deps(fm, g, nodes, stp, A, E)]
    if c != "*":
        out.append(_conc(fm, g, nodes, stp, A, E))
    out.append(_centrality(fm, g, nodes, stp, A, E))
    return pa.concat_tables(out)


def _deps(fm, g, nodes, stp, A, E) -> pa.Table:
    layer, c = g
    inn, out = A.sum(axis=1), A.sum(axis=2)
    s, i, j = np.nonzero(E)
    w = A[s, i, j]
    ti, to = inn[s, j], out[s, i]
    share_in = np.where(ti != 0, w / np.where(ti != 0, ti, 1), np.nan)
    share_out = np.where(to != 0, w / np.where(to != 0, to, 1), np.nan)
    cons = fm.cons.get(c) if c != "*" else None
    cv = np.array([(cons or {}).get(a) or 0.0 for a in nodes])[j]
    soc = np.where(cv != 0, w / np.where(cv != 0, cv, 1), np.nan)
    m = len(w)
    names = ["value", "share_in", "share_out", "share_of_consumption"]
    return _table(4 * m, fm.year, layer, c, "dependencies", np.tile(stp[s], 4),
                  np.concatenate([w, share_in, share_out, soc]), origin=_dict_col(np.tile(i, 4), list(nodes)),
                  destination=_dict_col(np.tile(j, 4), list(nodes)),
                  measure=_dict_col(np.repeat(np.arange(4), m), names))


def _conc(fm, g, nodes, stp, A, E) -> pa.Table:
    layer, c = g
    named = np.array([a not in fm.rem for a in nodes])
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
        vals = np.concatenate([hhi[s, a], top_share, unatt[s, a], cnt[s, a].astype(float)])
        parts.append(_table(4 * m, fm.year, layer, c, "concentration", np.tile(stp[s], 4), vals,
                            actor=_dict_col(np.tile(a, 4), list(nodes)), side=side,
                            measure=_dict_col(np.repeat(np.arange(4), m), ["hhi", "top_share", "unattributed_share",
                                                                           "partners"]),
                            top=_dict_col(np.tile(top_i, 4), [*nodes, None])))
    return pa.concat_tables(parts)


def _pagerank(A: np.ndarray, alpha: float = 0.85, max_iter: int = 100, tol: float = 1.0e-6) -> np.ndarray:
    """:func:`netdep.metrics.centrality.pagerank_array` for a stack; each matrix stops at its own iteration."""
    S, n, _ = A.shape
    rs = A.sum(axis=2)
    nz = rs != 0
    inv = np.where(nz, 1.0 / np.where(nz, rs, 1.0), 0.0)
    P = A * inv[:, :, None]
    p = np.full(n, 1.0 / n)
    x = np.tile(p, (S, 1))
    done = np.zeros(S, dtype=bool)
    for _ in range(max_iter):
        xlast = x
        dang = np.where(~nz, xlast, 0.0).sum(axis=1)
        xn = alpha * (np.matmul(xlast[:, None, :], P)[:, 0, :] + dang[:, None] * p) + (1 - alpha) * p
        x = np.where(done[:, None], xlast, xn)
        conv = np.abs(x - xlast).sum(axis=1) < n * tol
        done |= conv
        if done.all():
            return x
    raise ValueError("PageRank did not converge")  # networkx raises PowerIterationFailedConvergence


def _radius(A: np.ndarray) -> np.ndarray:
    rho = np.abs(np.linalg.eigvals(A)).max(axis=1)
    small = rho < 1e-12
    if small.any():
        rho[small] = np.linalg.norm(A[small], 2, axis=(1, 2))
    return rho


def _eig_or_katz(A: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(values, is_katz) for a stack, as :func:`netdep.metrics.centrality.eigenvector_or_katz`."""
    S, n, _ = A.shape
    x = np.full((S, n), 1.0 / n)
    AT = np.swapaxes(A, 1, 2)
    done = np.zeros(S, dtype=bool)
    for _ in range(100):
        xlast = x
        y = xlast + np.matmul(AT, xlast[:, :, None])[:, :, 0]
        norm = np.sqrt((y ** 2).sum(axis=1))
        norm = np.where(norm == 0, 1.0, norm)
        y = y / norm[:, None]
        x = np.where(done[:, None], xlast, y)
        done |= np.abs(x - xlast).sum(axis=1) < n * 1.0e-6
        if done.all():
            break
    katz = ~done | ~np.isfinite(x).all(axis=1)
    if katz.any():
        K = A[katz]
        rho = _radius(K)
        alpha = np.where(rho > 0, 0.9 / np.where(rho > 0, rho, 1), 0.1)
        M = np.eye(n)[None] - alpha[:, None, None] * np.swapaxes(K, 1, 2)
        cen = np.linalg.solve(M, np.ones((K.shape[0], n, 1)))[:, :, 0]
        nrm = np.sign(cen.sum(axis=1)) * np.linalg.norm(cen, axis=1)
        x = x.copy()
        x[katz] = cen / nrm[:, None]
    return x, katz


def _bonacich(A: np.ndarray) -> np.ndarray:
    S, n, _ = A.shape
    rho = _radius(A)
    beta = np.where(rho > 0, -0.5 / np.where(rho > 0, rho, 1), 0.0)
    raw = np.linalg.solve(np.eye(n)[None] - beta[:, None, None] * A, A.sum(axis=2)[:, :, None])[:, :, 0]
    norm = np.sqrt((raw ** 2).sum(axis=1))
    scale = np.where(norm > 0, np.sqrt(n) / np.where(norm > 0, norm, 1), 0.0)
    return raw * scale[:, None]


def _betweenness(A: np.ndarray) -> np.ndarray:
    """Normalised directed betweenness with distance 1/w over positive edges (see the module docstring).

    Steps whose shortest-path DAGs are identical share one computation of σ and δ.
    """
    S, n, _ = A.shape
    if n < 3:
        return np.zeros((S, n))
    pos = A > 0
    with np.errstate(over="ignore"):  # 1/w of a subnormal weight is inf, as in the reference
        L = np.where(pos, 1.0 / np.where(pos, A, 1.0), np.inf)
    D = L.copy()
    D[:, np.arange(n), np.arange(n)] = 0.0
    tmp = np.empty_like(D)
    for k in range(n):
        np.add(D[:, :, k:k + 1], D[:, k:k + 1, :], out=tmp)
        np.minimum(D, tmp, out=D)
    eu, ev = np.nonzero(pos.any(axis=0))  # every edge present in some step
    # edge u->v is on a shortest path from s iff D[s,u] + L[u,v] == D[s,v] (to 1e-12 relative). Where the
    # left side is finite so is D[s,v]; where it is infinite, inf - x = inf or inf - inf = nan compare False.
    slack = D[:, :, eu]
    slack += L[:, eu, ev][:, None, :]
    tgt = D[:, :, ev]
    with np.errstate(invalid="ignore"):
        slack -= tgt
        tgt *= 1e-12
        on = slack <= tgt
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
    bc = delta.sum(axis=1) / ((n - 1) * (n - 2))
    return bc[inverse]


def _depcent(A: np.ndarray, keep: np.ndarray) -> np.ndarray:
    inn, out = A.sum(axis=1), A.sum(axis=2)
    # (0.5 w) / total, in the reference's order of operations (matters for subnormal weights)
    sup = np.where(inn[:, :, None] > 0, 0.5 * np.swapaxes(A, 1, 2) / np.where(inn > 0, inn, 1)[:, :, None], 0.0)
    buy = np.where(out[:, :, None] > 0, 0.5 * A / np.where(out > 0, out, 1)[:, :, None], 0.0)
    Dm = sup + buy
    Dm = Dm[:, keep][:, :, keep]
    k = Dm.shape[1]
    Dm[:, np.arange(k), np.arange(k)] = 0.0
    own = 1.0 - Dm.sum(axis=2)
    Dm[:, np.arange(k), np.arange(k)] = np.where(own > 1e-12, own, 0.0)
    return _pagerank(Dm)


def _centrality(fm, g, nodes, stp, A, E) -> pa.Table:
    layer, c = g
    S, n, _ = A.shape
    keep = np.array([a not in fm.rem for a in nodes])
    ev, is_katz = _eig_or_katz(A)
    cols = [("in_strength", A.sum(axis=1), None), ("out_strength", A.sum(axis=2), None),
            ("pagerank", _pagerank(A), None), ("eigenvector", ev, is_katz), ("betweenness", _betweenness(A), None),
            ("bonacich", _bonacich(A), None)]
    labels = [name for name, _, _ in cols] + ["katz", "dependency_centrality"]
    vals, meas, actors, steps = [], [], [], []
    for k, (_name, v, katz) in enumerate(cols):
        vals.append(v.reshape(-1))
        m = np.full(S * n, k)
        if katz is not None:
            m[np.repeat(katz, n)] = labels.index("katz")
        meas.append(m)
        actors.append(np.tile(np.arange(n), S))
        steps.append(np.repeat(stp, n))
    if keep.any():
        k = int(keep.sum())
        vals.append(_depcent(A, keep).reshape(-1))
        meas.append(np.full(S * k, len(labels) - 1))
        actors.append(np.tile(np.nonzero(keep)[0], S))
        steps.append(np.repeat(stp, k))
    total = sum(len(v) for v in vals)
    return _table(total, fm.year, layer, c, "centrality", np.concatenate(steps), np.concatenate(vals),
                  actor=_dict_col(np.concatenate(actors), list(nodes)),
                  measure=_dict_col(np.concatenate(meas), labels))
