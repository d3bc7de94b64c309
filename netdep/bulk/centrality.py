"""PageRank on every product layer at once: one block-diagonal sparse system, networkx's exact semantics.

PageRank (Brin & Page 1998, doi:10.1016/S0169-7552(98)00110-X) of layer l with N_l nodes, row-normalised
weights P_uv = w_uv / sum_v w_uv, damping alpha, is the fixed point of

    x' = alpha * (x P + (sum_{u dangling} x_u) / N_l) + (1 - alpha) / N_l

iterated from x = 1/N_l, as ``networkx.pagerank`` does (its ``_pagerank_scipy``; personalization None,
dangling mass spread uniformly, alpha=0.85, max_iter=100, tol=1e-6). The stopping rule is networkx's, per
layer: stop after the first iteration with sum_u |x'_u - x_u| < N_l * tol, returning x' (taken at that
iteration while the other layers go on). All layers share one vector and one sparse matrix (the block
diagonal of their P), so an iteration is one pass over all edges of all layers whatever their number. P is
held in CSR with one row per source node: the import writes the rows sorted by product, origin, destination,
so the edge arrays already are its CSR arrays (no COO conversion, no sort), and x P is the CSC mat-vec of
its transpose (scipy, no copy).

Equality with networkx: the same iterations, with the terms formed as networkx forms them (row sums by
``reduceat`` over each row, weights times 1/S, dangling mass summed in node order times 1/N, teleport
(1 - alpha) * (1/N)); only the order of the additions inside x P may differ, so the results agree to
rounding (the tests require max |difference| <= 1e-12 on sampled layers; observed maxima are a few
1e-16); a layer's nodes are the actors with at least one flow in it, as in a graph built from the edges.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from ..errors import NetdepError
from ._write import partition_years, unit

__all__ = ["layer_pagerank", "pagerank_layers", "LayerGraphs", "read_layers", "write_pagerank", "PAGERANK_SCHEMA",
           "PAGERANK_DIR", "PowerIterationFailedConvergence", "layers_from_table", "pagerank_table",
           "read_edges"]

PAGERANK_DIR = "hs6_pagerank"
PAGERANK_SCHEMA = pa.schema([("commodity", pa.string()), ("actor", pa.string()), ("pagerank", pa.float64())])


class PowerIterationFailedConvergence(NetdepError, ArithmeticError):
    """Some layers did not converge within ``max_iter`` iterations (networkx raises the same)."""


@dataclass
class LayerGraphs:
    """Many directed weighted graphs (layers) as flat arrays over one global node numbering.

    ``node_layer[g]`` is the layer of node g (nodes of a layer are contiguous, layers in order);
    ``src``/``dst`` are global node ids of the edges and ``weight`` their weights. From
    :func:`read_layers`, ``node_actor[g]`` is node g's index in ``actor_names`` and ``node_names[g]`` its
    name, and the edges are sorted by source node (as the Parquet rows are), which saves a sort.
    """

    node_layer: np.ndarray
    src: np.ndarray
    dst: np.ndarray
    weight: np.ndarray
    layer_names: list[str] | None = None
    node_names: np.ndarray | None = None  # actor name per node
    node_actor: np.ndarray | None = None  # actor index (into actor_names) per node
    actor_names: list[str] | None = None

    @property
    def n_layers(self) -> int:
        return int(self.node_layer.max()) + 1 if len(self.node_layer) else 0


def _index_dtype(*maxvals: int):
    return np.int32 if max(maxvals, default=0) < 2**31 - 1 else np.int64


def _transition(src: np.ndarray, dst: np.ndarray, w: np.ndarray, m: int):
    """P = row-normalised weights as CSR arrays (indptr, indices = dst, data) and the dangling mask.

    Rows are source nodes and the edges come sorted by source, so the CSR arrays are the edge arrays
    themselves: no COO conversion, no sort. ``P.T @ x`` (CSC mat-vec) then adds into each y_v in increasing
    source order, as a CSR of P transposed with sorted columns would. Row sums are taken as networkx takes
    them (``A.sum(axis=1)`` of a CSR array: ``np.add.reduceat`` over each row).
    """
    it = _index_dtype(m, len(src))
    indptr = np.zeros(m + 1, dtype=it)
    s = np.zeros(m)
    if len(src) == 0:
        return indptr, np.zeros(0, dtype=it), np.zeros(0), np.ones(m, dtype=bool)
    if src[0] < 0 or src[-1] >= m or dst.min() < 0 or dst.max() >= m:  # the mat-vec does not check
        raise ValueError("edges must join nodes of one layer (node ids out of range)")
    change = src[1:] != src[:-1]
    run = np.flatnonzero(np.concatenate(([True], change)))  # first edge of each source's row
    rows = src[run]
    runlen = np.diff(np.append(run, len(src)))
    indptr[rows + 1] = runlen
    np.cumsum(indptr, out=indptr)
    s[rows] = np.add.reduceat(w, run)
    inv = np.zeros(m)
    nz = s != 0
    inv[nz] = 1.0 / s[nz]  # as networkx: A scaled by 1/S, not divided by S
    data = np.repeat(inv[rows], runlen)
    data *= w
    return indptr, np.ascontiguousarray(dst, dtype=it), data, ~nz


def layer_pagerank(g: LayerGraphs, alpha: float = 0.85, max_iter: int = 100, tol: float = 1.0e-6,
                   threads: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """PageRank of every node of every layer (module doc); returns (x, iterations per layer).

    Nodes of a layer must be contiguous (as :func:`read_layers` gives them). A layer's result is taken at
    the iteration where it meets its stopping rule; it may go on iterating with the others (blocks are
    independent, so that changes nothing), and the system is compacted to the unfinished layers whenever
    they hold less than half of its edges, so late iterations cost what the slow layers cost.

    ``threads`` splits the layers into that many groups of about equal edge counts, each built and iterated
    in its own thread (the sparse mat-vec and numpy release the GIL); default 2 from a million edges on a
    machine with 2 or more CPUs, else 1. Layers are independent blocks, so the result does not depend on
    it, bit for bit.

    Raises :class:`PowerIterationFailedConvergence` naming the layers that did not converge.
    """
    m = len(g.node_layer)
    if m == 0:
        return np.zeros(0), np.zeros(0, dtype=np.int64)
    node_layer = np.asarray(g.node_layer)
    if np.any(node_layer[1:] < node_layer[:-1]):
        raise ValueError("nodes of a layer must be contiguous, layers in increasing order")
    n_layers = int(node_layer[-1]) + 1
    sizes = np.bincount(node_layer, minlength=n_layers)
    src, dst, w = np.asarray(g.src), np.asarray(g.dst), np.asarray(g.weight, dtype=np.float64)
    if len(src) > 1 and not (src[1:] >= src[:-1]).all():  # not sorted by source: sort once (stable)
        order = np.argsort(src, kind="stable")
        src, dst, w = src[order], dst[order], w[order]
    result = np.empty(m)
    iters = np.zeros(n_layers, dtype=np.int64)
    layers = np.flatnonzero(sizes)
    lstart = np.concatenate(([0], np.cumsum(sizes[layers])))  # first node of each (non-empty) layer
    # groups of whole layers with about equal edge counts, one per thread (edges of a group: a src range)
    if threads is None:
        threads = min(_cpus(), 2 if len(src) >= 1_000_000 else 1)
    k = max(1, min(int(threads), len(layers)))
    edge_at = np.searchsorted(src, lstart.astype(src.dtype))  # same dtype: no converted copy of src
    cuts = np.unique(np.concatenate(([0], np.searchsorted(edge_at, len(src) * np.arange(1, k) / k),
                                     [len(layers)])))

    def run(la: int, lb: int) -> np.ndarray:
        n0, n1 = int(lstart[la]), int(lstart[lb])
        e0, e1 = int(edge_at[la]), int(edge_at[lb])
        s_, d_ = (src[e0:e1] - src.dtype.type(n0), dst[e0:e1] - dst.dtype.type(n0)) if n0 else (src[e0:e1], dst[e0:e1])
        indptr, indices, data, dangling = _transition(s_, d_, w[e0:e1], n1 - n0)
        return _iterate(indptr, indices, data, dangling, layers[la:lb], sizes[layers[la:lb]],
                        np.arange(n0, n1), alpha=alpha, max_iter=max_iter, tol=tol, result=result, iters=iters)

    groups = list(zip(cuts[:-1].tolist(), cuts[1:].tolist()))
    if len(groups) == 1:
        bad = run(*groups[0])
    else:
        from concurrent.futures import ThreadPoolExecutor

        import scipy.sparse  # noqa: F401 - imported here, not first in a worker thread

        with ThreadPoolExecutor(len(groups) - 1) as ex:
            futures = [ex.submit(run, *grp) for grp in groups[1:]]
            bad = np.concatenate([run(*groups[0])] + [f.result() for f in futures])
    if len(bad):
        names = [g.layer_names[i] for i in bad[:10]] if g.layer_names else bad[:10].tolist()
        raise PowerIterationFailedConvergence(f"{len(bad)} layer(s) did not converge in {max_iter} "
                                              f"iterations: {', '.join(map(str, names))}")
    return result, iters


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _iterate(indptr, indices, data, dangling, layers, lsize, nodes, *, alpha, max_iter, tol, result, iters):
    """The power iteration on a block-diagonal system of whole layers (ids ``layers``, global node ids
    ``nodes``); writes ``result[nodes]`` and ``iters[layers]`` and returns the layers that did not converge."""
    import scipy.sparse as sp

    # the current system: its layers (ids), their sizes and edge counts, its nodes (global ids)
    ledges = np.add.reduceat(np.diff(indptr), np.concatenate(([0], np.cumsum(lsize)[:-1])))
    open_ = np.ones(len(layers), dtype=bool)  # not yet converged

    def system():
        # per-system constants: layer starts, dangling nodes and their layer (positions in the system),
        # 1/N per layer and the teleport term (1 - alpha) / N per node, as networkx forms them from p = 1/N
        starts = np.concatenate(([0], np.cumsum(lsize)[:-1]))
        node_pos = np.repeat(np.arange(len(lsize)), lsize)  # layer position of each node
        d_pos = np.flatnonzero(dangling)
        inv_n = 1.0 / lsize
        tele = np.repeat((1.0 - alpha) * inv_n, lsize)
        return starts, node_pos, d_pos, node_pos[d_pos], inv_n, tele

    n = len(nodes)
    pt = sp.csr_array((data, indices, indptr), shape=(n, n)).T  # y = P^T x: CSC mat-vec
    starts, node_pos, d_pos, d_layer, inv_n, tele = system()
    x = np.repeat(inv_n, lsize)
    for it in range(1, max_iter + 1):
        # dangling mass per layer, summed in node order as networkx's sum(x[is_dangling])
        dsum = np.bincount(d_layer, weights=x[d_pos], minlength=len(lsize))
        x_new = pt @ x
        x_new += (dsum * inv_n)[node_pos]
        x_new *= alpha
        x_new += tele
        diff = np.subtract(x_new, x, out=x)
        np.abs(diff, out=diff)
        err = np.add.reduceat(diff, starts)
        x = x_new
        done = open_ & (err < lsize * tol)
        if done.any():
            sel = np.repeat(done, lsize)
            result[nodes[sel]] = x[sel]
            iters[layers[done]] = it
            open_ &= ~done
            if not open_.any():
                return layers[:0]
            if ledges[open_].sum() < len(data) / 2:  # compact to the unfinished layers (blocks: no sort)
                keep = np.repeat(open_, lsize)
                # runs of consecutive open layers: their edges, and the shift of their node ids, are one block
                edge0 = np.concatenate(([0], np.cumsum(ledges)))
                new_start = np.cumsum(np.where(open_, lsize, 0)) - lsize  # new first node of kept layers
                shift = starts - new_start
                edge_o = np.diff(np.concatenate(([0], open_.view(np.int8), [0])))
                r0, r1 = np.flatnonzero(edge_o == 1), np.flatnonzero(edge_o == -1)  # runs [r0, r1) of layers
                data = np.concatenate([data[edge0[i]:edge0[j]] for i, j in zip(r0, r1)])
                indices = np.concatenate([indices[edge0[i]:edge0[j]] for i, j in zip(r0, r1)])
                indices -= np.repeat(shift[r0].astype(indices.dtype), edge0[r1] - edge0[r0])
                rowlen = np.diff(indptr)[keep]
                indptr = np.zeros(len(rowlen) + 1, dtype=indptr.dtype)
                np.cumsum(rowlen, out=indptr[1:])
                nodes, x, dangling = nodes[keep], x[keep], dangling[keep]
                layers, lsize, ledges, open_ = layers[open_], lsize[open_], ledges[open_], open_[open_]
                n = len(nodes)
                pt = sp.csr_array((data, indices, indptr), shape=(n, n)).T
                starts, node_pos, d_pos, d_layer, inv_n, tele = system()
    return layers[open_]


# numpy <-> Arrow without pa.array / Array.to_numpy: both import pandas on first use (~0.15 s), which this
# module does not otherwise need
def _arrow(x: np.ndarray) -> pa.Array:
    """A contiguous numeric numpy array as an Arrow array (zero copy)."""
    x = np.ascontiguousarray(x)
    return pa.Array.from_buffers(pa.from_numpy_dtype(x.dtype), len(x), [None, pa.py_buffer(x)])


def _numpy(a: pa.Array, dtype) -> np.ndarray:
    """A numeric Arrow array without nulls as numpy (zero copy, read-only)."""
    if a.null_count:
        raise ValueError("unexpected null values")
    return np.frombuffer(a.buffers()[1], dtype=dtype, count=len(a), offset=a.offset * np.dtype(dtype).itemsize)


def _strings(values: list[str]) -> pa.Array:
    """Python strings as an Arrow string array."""
    data = [v.encode() for v in values]
    offsets = np.zeros(len(data) + 1, dtype=np.int32)
    np.cumsum([len(b) for b in data], out=offsets[1:])
    return pa.Array.from_buffers(pa.string(), len(data), [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(data))])


def _dict_chunk(a: pa.Array) -> pa.DictionaryArray:
    return a if pa.types.is_dictionary(a.type) else a.dictionary_encode()


def _dict_key(d: pa.Array) -> tuple:
    """Identity of a dictionary's memory: batches cut from one Parquet row group share their dictionary."""
    return (d.offset, len(d), tuple(0 if b is None else b.address for b in d.buffers()))


class _Ranker:
    """Maps dictionary indices to ranks in a sorted universe: one small lookup table per distinct dictionary."""

    def __init__(self, dicts: list[pa.Array], scale: int = 1):
        self.distinct: dict[tuple, pa.Array] = {}
        for d in dicts:
            self.distinct.setdefault(_dict_key(d), d)
        values: set[str] = set()
        for d in self.distinct.values():
            values.update(d.to_pylist())
        self.universe = sorted(values)
        self.scale = scale
        self._maps: dict[tuple, pa.Array] = {}

    def ranks(self, chunk: pa.DictionaryArray, dtype) -> pa.Array:
        """``rank * scale`` of each row of ``chunk`` (an Arrow integer array: ``pc.take`` keeps int32 indices)."""
        import pyarrow.compute as pc

        k = _dict_key(chunk.dictionary)
        pos = self._maps.get(k)
        if pos is None:  # a Python dict over the (small) dictionary: pc.index_in's first call costs ~0.15 s
            rank = {v: i * self.scale for i, v in enumerate(self.universe)}
            pos = self._maps[k] = _arrow(np.array([rank[v] for v in chunk.dictionary.to_pylist()], dtype=dtype))
        return pc.take(pos, chunk.indices)


def read_layers(data_dir: str | Path, year: int) -> LayerGraphs:
    """The product layers of ``<data>/hs6/year=YYYY`` as :class:`LayerGraphs` (weight = value).

    Layers sorted by commodity, nodes within a layer by actor code, so results are in a stable order.
    """
    return layers_from_table(read_edges(data_dir, year))


def _start_import(module: str) -> None:
    """Import ``module`` in a background thread (once): ~0.09 s for scipy.sparse, hidden behind I/O that
    releases the GIL. A later ``import`` of it waits for that import to finish, as imports do."""
    import sys
    import threading

    if module in sys.modules:
        return

    def work() -> None:
        try:
            __import__(module)
        except Exception:  # noqa: BLE001 - the real import, later, reports it
            pass

    threading.Thread(target=work, name=f"import {module}", daemon=True).start()


def read_edges(data_dir: str | Path, year: int) -> pa.Table:
    """The columns PageRank needs (commodity, origin, destination, value) of ``<data>/hs6/year=YYYY``.

    Read with ``ParquetFile`` (one chunk per row group, string columns as their Parquet dictionaries);
    ``pq.read_table`` would go through the dataset layer, whose first use costs an import of ~0.2 s.
    """
    import pyarrow.parquet as pq

    _start_import("scipy.sparse")  # needed next by layer_pagerank: imported while the file decodes
    with pq.ParquetFile(Path(data_dir) / "hs6" / f"year={year}" / "part-0.parquet") as f:
        return f.read(columns=["commodity", "origin", "destination", "value"])


def layers_from_table(t: pa.Table) -> LayerGraphs:
    """:class:`LayerGraphs` from a table with columns commodity, origin, destination, value.

    String columns are mapped to integer codes through their Arrow dictionaries (small: one per row
    group), never as Python objects per row; the rows are processed batch by batch.
    """
    import pyarrow.compute as pc

    batches = [b for b in t.select(["commodity", "origin", "destination"]).to_batches() if b.num_rows]
    batches = [[_dict_chunk(b.column(i)) for i in range(3)] for b in batches]
    actors_r = _Ranker([b[i].dictionary for b in batches for i in (1, 2)])
    actors = actors_r.universe
    a = len(actors)
    products_r = _Ranker([b[0].dictionary for b in batches], scale=a)
    products = products_r.universe
    kt = _index_dtype(len(products) * a)
    n = t.num_rows
    ko = np.empty(n, dtype=kt)
    kd = np.empty(n, dtype=kt)
    r = 0
    for c, o, d in batches:  # key = product rank * A + actor rank, batch-sized temporaries
        k = len(c)
        base = _numpy(products_r.ranks(c, kt), kt)
        np.add(base, _numpy(actors_r.ranks(o, kt), kt), out=ko[r:r + k])
        np.add(base, _numpy(actors_r.ranks(d, kt), kt), out=kd[r:r + k])
        r += k
    present = np.zeros(len(products) * a, dtype=bool)
    if n > 1 and (ko[1:] >= ko[:-1]).all():  # rows sorted by (commodity, origin): mark each source once
        present[ko[np.flatnonzero(np.concatenate(([True], ko[1:] != ko[:-1])))]] = True
    else:
        present[ko] = True
    present[kd] = True
    keys = np.flatnonzero(present)
    it = _index_dtype(len(keys))
    gid = _arrow(np.cumsum(present, dtype=it) - 1)  # node id of each present key
    src = _numpy(pc.take(gid, _arrow(ko)), it)
    dst = _numpy(pc.take(gid, _arrow(kd)), it)
    del ko, kd
    node_actor = (keys % a).astype(np.int32)
    return LayerGraphs(node_layer=keys // a, src=src, dst=dst,
                       weight=_float64(t.column("value")), layer_names=products,
                       node_names=np.array(actors, dtype=str)[node_actor] if a else np.array([], dtype=str),
                       node_actor=node_actor, actor_names=actors)


def _float64(col: pa.ChunkedArray) -> np.ndarray:
    col = col.cast(pa.float64())
    if len(col.chunks) == 1:
        return _numpy(col.chunks[0], np.float64)
    return np.concatenate([_numpy(c, np.float64) for c in col.chunks]) if col.chunks else np.zeros(0)


def pagerank_table(g: LayerGraphs, x: np.ndarray) -> pa.Table:
    """The result table (commodity, actor, pagerank) of :func:`layer_pagerank` on ``g``, built from codes."""
    if g.node_actor is not None and g.actor_names is not None:
        actor = pa.DictionaryArray.from_arrays(_arrow(g.node_actor.astype(np.int32, copy=False)),
                                               _strings(g.actor_names)).cast(pa.string())
    else:
        actor = pa.array(g.node_names, pa.string())
    commodity = pa.DictionaryArray.from_arrays(_arrow(g.node_layer.astype(np.int32, copy=False)),
                                               _strings(g.layer_names or [])).cast(pa.string())
    return pa.Table.from_arrays([commodity, actor, _arrow(np.asarray(x, dtype=np.float64))],
                                schema=PAGERANK_SCHEMA)


def pagerank_layers(data_dir: str | Path, year: int, alpha: float = 0.85, max_iter: int = 100,
                    tol: float = 1.0e-6) -> pa.Table:
    """PageRank of every actor in every product layer of one year: table (commodity, actor, pagerank)."""
    g = read_layers(data_dir, year)
    x, _ = layer_pagerank(g, alpha, max_iter, tol)
    return pagerank_table(g, x)


def write_pagerank(data_dir: str | Path, years: list[int] | None = None, out: str | Path | None = None,
                   **kw) -> dict[int, int]:
    """Compute and write ``<data>/hs6_pagerank/year=YYYY/part-0.parquet`` (view ``hs6_pagerank``; under
    ``out`` instead of ``data_dir`` when given)."""
    d = Path(data_dir)
    res = {}
    with unit(Path(out or d)) as u:  # every year's PageRank becomes visible together
        for y in years if years is not None else partition_years(d / "hs6"):
            _, res[y] = u.partition(pagerank_layers(d, y, **kw).to_reader(), PAGERANK_SCHEMA, PAGERANK_DIR, y)
    return res
