"""PageRank on every product layer at once: one block-diagonal sparse system, networkx's exact semantics.

PageRank (Brin & Page 1998, doi:10.1016/S0169-7552(98)00110-X) of layer l with N_l nodes, row-normalised
weights P_uv = w_uv / sum_v w_uv, damping alpha, is the fixed point of

    x' = alpha * (x P + (sum_{u dangling} x_u) / N_l) + (1 - alpha) / N_l

iterated from x = 1/N_l, as ``networkx.pagerank`` does (its ``_pagerank_scipy``; personalization None,
dangling mass spread uniformly, alpha=0.85, max_iter=100, tol=1e-6). The stopping rule is networkx's, per
layer: stop after the first iteration with sum_u |x'_u - x_u| < N_l * tol, returning x' (taken at that
iteration while the other layers go on). All layers share one vector and one sparse matrix (the block
diagonal of their P, stored transposed in CSR so x P is one sparse mat-vec), so an iteration is one pass
over all edges of all layers whatever their number.

Equality with networkx: the same iterations in the same order, so the results agree to rounding (the
tests require max |difference| <= 1e-12 on sampled layers and report the observed maximum, typically
~1e-17); a layer's nodes are the actors with at least one flow in it, as in a graph built from the edges.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from ..errors import NetdepError
from ._write import partition_years, write_partition

__all__ = ["layer_pagerank", "pagerank_layers", "LayerGraphs", "read_layers", "write_pagerank", "PAGERANK_SCHEMA",
           "PAGERANK_DIR", "PowerIterationFailedConvergence", "layers_from_table"]

PAGERANK_DIR = "hs6_pagerank"
PAGERANK_SCHEMA = pa.schema([("commodity", pa.string()), ("actor", pa.string()), ("pagerank", pa.float64())])


class PowerIterationFailedConvergence(NetdepError, ArithmeticError):
    """Some layers did not converge within ``max_iter`` iterations (networkx raises the same)."""


@dataclass
class LayerGraphs:
    """Many directed weighted graphs (layers) as flat arrays over one global node numbering.

    ``node_layer[g]`` is the layer of node g (nodes of a layer are contiguous, layers in order);
    ``src``/``dst`` are global node ids of the edges and ``weight`` their weights.
    """

    node_layer: np.ndarray
    src: np.ndarray
    dst: np.ndarray
    weight: np.ndarray
    layer_names: list[str] | None = None
    node_names: np.ndarray | None = None  # actor name per node

    @property
    def n_layers(self) -> int:
        return int(self.node_layer.max()) + 1 if len(self.node_layer) else 0


def layer_pagerank(g: LayerGraphs, alpha: float = 0.85, max_iter: int = 100, tol: float = 1.0e-6
                   ) -> tuple[np.ndarray, np.ndarray]:
    """PageRank of every node of every layer (module doc); returns (x, iterations per layer).

    Nodes of a layer must be contiguous (as :func:`read_layers` gives them). A layer's result is taken at
    the iteration where it meets its stopping rule; it may go on iterating with the others (blocks are
    independent, so that changes nothing), and the system is compacted to the unfinished layers whenever
    they hold less than half of its nodes, so late iterations cost what the slow layers cost.

    Raises :class:`PowerIterationFailedConvergence` naming the layers that did not converge.
    """
    import scipy.sparse as sp

    m = len(g.node_layer)
    if m == 0:
        return np.zeros(0), np.zeros(0, dtype=np.int64)
    if np.any(np.diff(g.node_layer) < 0):
        raise ValueError("nodes of a layer must be contiguous, layers in increasing order")
    n_layers = int(g.node_layer[-1]) + 1
    sizes = np.bincount(g.node_layer, minlength=n_layers)
    s = np.bincount(g.src, weights=g.weight, minlength=m)
    inv = np.zeros(m)
    nz = s != 0
    inv[nz] = 1.0 / s[nz]  # as networkx: A scaled by 1/S, not divided by S
    pt = sp.csr_array((g.weight * inv[g.src], (g.dst, g.src)), shape=(m, m))  # P transposed: y = P^T x
    result = np.empty(m)
    iters = np.zeros(n_layers, dtype=np.int64)
    # the current system: its layers (ids), their sizes, its nodes (global ids)
    layers = np.flatnonzero(sizes)
    lsize = sizes[layers]
    nodes = np.arange(m)
    dangling = (~nz).astype(float)
    x = np.repeat(1.0 / lsize, lsize)
    open_ = np.ones(len(layers), dtype=bool)  # not yet converged
    for it in range(1, max_iter + 1):
        starts = np.concatenate(([0], np.cumsum(lsize)[:-1]))
        dsum = np.add.reduceat(x * dangling, starts)
        x_new = pt @ x
        x_new += np.repeat(dsum / lsize, lsize)
        x_new *= alpha
        x_new += np.repeat((1.0 - alpha) / lsize, lsize)
        err = np.add.reduceat(np.abs(x_new - x), starts)
        x = x_new
        done = open_ & (err < lsize * tol)
        if done.any():
            sel = np.repeat(done, lsize)
            result[nodes[sel]] = x[sel]
            iters[layers[done]] = it
            open_ &= ~done
            if not open_.any():
                return result, iters
            keep = np.repeat(open_, lsize)
            if keep.sum() < len(keep) / 2:  # compact to the unfinished layers
                k = np.flatnonzero(keep)
                pt = pt[k][:, k]
                nodes, x, dangling = nodes[k], x[k], dangling[k]
                layers, lsize, open_ = layers[open_], lsize[open_], open_[open_]
    bad = layers[open_]
    names = [g.layer_names[i] for i in bad[:10]] if g.layer_names else bad[:10].tolist()
    raise PowerIterationFailedConvergence(f"{len(bad)} layer(s) did not converge in {max_iter} iterations: "
                                          f"{', '.join(map(str, names))}")


def _codes(col: pa.ChunkedArray) -> tuple[np.ndarray, list[str]]:
    """Integer codes and their dictionary for a (dictionary or plain) string column."""
    arr = col.combine_chunks()
    if not pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_encode()
    return arr.indices.to_numpy(zero_copy_only=False), arr.dictionary.to_pylist()


def _ranked(codes: np.ndarray, names: list[str], universe: list[str]) -> np.ndarray:
    pos = {a: i for i, a in enumerate(universe)}
    return np.array([pos[a] for a in names], dtype=np.int32)[codes]


def read_layers(data_dir: str | Path, year: int) -> LayerGraphs:
    """The product layers of ``<data>/hs6/year=YYYY`` as :class:`LayerGraphs` (weight = value).

    Layers sorted by commodity, nodes within a layer by actor code, so results are in a stable order.
    """
    import pyarrow.parquet as pq

    return layers_from_table(pq.read_table(Path(data_dir) / "hs6" / f"year={year}" / "part-0.parquet",
                                           columns=["commodity", "origin", "destination", "value"]))


def layers_from_table(t: pa.Table) -> LayerGraphs:
    """:class:`LayerGraphs` from a table with columns commodity, origin, destination, value."""
    c_codes, c_names = _codes(t.column("commodity"))
    o_codes, o_names = _codes(t.column("origin"))
    d_codes, d_names = _codes(t.column("destination"))
    products = sorted(set(c_names))
    actors = sorted(set(o_names) | set(d_names))
    a = len(actors)
    base = _ranked(c_codes, c_names, products).astype(np.int64) * a
    ko = base + _ranked(o_codes, o_names, actors)
    kd = base + _ranked(d_codes, d_names, actors)
    del base
    present = np.zeros(len(products) * a, dtype=bool)
    present[ko] = True
    present[kd] = True
    keys = np.flatnonzero(present)
    gid = np.full(len(present), -1, dtype=np.int32)
    gid[keys] = np.arange(len(keys), dtype=np.int32)
    return LayerGraphs(node_layer=keys // a, src=gid[ko], dst=gid[kd],
                       weight=t.column("value").to_numpy(), layer_names=products,
                       node_names=np.array(actors, dtype=object)[keys % a])


def pagerank_layers(data_dir: str | Path, year: int, alpha: float = 0.85, max_iter: int = 100,
                    tol: float = 1.0e-6) -> pa.Table:
    """PageRank of every actor in every product layer of one year: table (commodity, actor, pagerank)."""
    g = read_layers(data_dir, year)
    x, _ = layer_pagerank(g, alpha, max_iter, tol)
    names = pa.array(g.layer_names or [], pa.string())
    return pa.table({"commodity": names.take(pa.array(g.node_layer)), "actor": pa.array(g.node_names, pa.string()),
                     "pagerank": pa.array(x)}, schema=PAGERANK_SCHEMA)


def write_pagerank(data_dir: str | Path, years: list[int] | None = None, **kw) -> dict[int, int]:
    """Compute and write ``<data>/hs6_pagerank/year=YYYY/part-0.parquet`` (view ``hs6_pagerank``)."""
    d = Path(data_dir)
    out = {}
    for y in years if years is not None else partition_years(d / "hs6"):
        _, out[y] = write_partition(pagerank_layers(d, y, **kw).to_reader(), PAGERANK_SCHEMA, d / PAGERANK_DIR, y)
    return out
