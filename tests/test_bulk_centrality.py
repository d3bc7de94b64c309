"""Batched PageRank over all product layers equals networkx.pagerank layer by layer."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import networkx as nx
import numpy as np
import pyarrow.parquet as pq
import pytest

from netdep.bulk.baci import import_baci
from netdep.bulk.centrality import LayerGraphs, PowerIterationFailedConvergence, layer_pagerank, read_layers

ROOT = Path(__file__).resolve().parents[1]
ATOL = 1e-12  # the docstring's promise; observed differences are ~1e-16


@pytest.fixture(scope="session")
def hs6_dir(tmp_path_factory) -> Path:
    spec = importlib.util.spec_from_file_location("gen_baci", ROOT / "scripts" / "gen_baci.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    d = tmp_path_factory.mktemp("pr")
    files = gen.generate(d / "src" / "baci.csv", rows=200_000, years=1, seed=5)
    import_baci(files["csv"], country_codes=files["country_codes"], out=d)
    return d


def test_sampled_layers_equal_networkx(hs6_dir):
    g = read_layers(hs6_dir, 2020)
    x, iters = layer_pagerank(g)
    t = pq.read_table(hs6_dir / "hs6" / "year=2020" / "part-0.parquet",
                      columns=["commodity", "origin", "destination", "value"]).to_pandas()
    by_layer = {k: v for k, v in t.groupby(t.commodity.astype(str), observed=True)}
    rng = np.random.default_rng(0)
    sizes = np.bincount(g.node_layer)
    sample = list(rng.choice(g.n_layers, 40, replace=False)) + [int(sizes.argmax()), int(sizes.argmin())]
    worst = 0.0
    for layer in sample:
        e = by_layer[g.layer_names[layer]]
        G = nx.DiGraph()
        G.add_weighted_edges_from(zip(e.origin.astype(str), e.destination.astype(str), e.value), weight="value")
        ref = nx.pagerank(G, alpha=0.85, weight="value")
        idx = np.flatnonzero(g.node_layer == layer)
        mine = dict(zip(g.node_names[idx], x[idx]))
        assert mine.keys() == ref.keys()
        worst = max(worst, max(abs(mine[k] - ref[k]) for k in ref))
        assert sum(mine.values()) == pytest.approx(1.0, abs=1e-12)
    assert worst <= ATOL
    assert iters.min() >= 1 and iters.max() <= 100


def test_tiny_layers_with_dangling_nodes():
    # layer 0: a->b (2), a->c (1), b->c (1); c dangling. layer 1: d->e (5); e dangling. Different N.
    g = LayerGraphs(node_layer=np.array([0, 0, 0, 1, 1]), src=np.array([0, 0, 1, 3]), dst=np.array([1, 2, 2, 4]),
                    weight=np.array([2.0, 1.0, 1.0, 5.0]), layer_names=["l0", "l1"])
    x, iters = layer_pagerank(g)
    g0 = nx.DiGraph()
    g0.add_weighted_edges_from([("a", "b", 2.0), ("a", "c", 1.0), ("b", "c", 1.0)])
    g1 = nx.DiGraph()
    g1.add_weighted_edges_from([("d", "e", 5.0)])
    ref = list(nx.pagerank(g0).values()) + list(nx.pagerank(g1).values())
    np.testing.assert_allclose(x, ref, rtol=0, atol=ATOL)
    assert (iters >= 1).all()


def test_non_convergence_raises_like_networkx():
    g = LayerGraphs(node_layer=np.array([0, 0, 0]), src=np.array([0, 0, 1]), dst=np.array([1, 2, 0]),
                    weight=np.array([1.0, 3.0, 1.0]), layer_names=["only"])
    ref = nx.DiGraph()
    ref.add_weighted_edges_from([(0, 1, 1.0), (0, 2, 3.0), (1, 0, 1.0)])
    with pytest.raises(nx.PowerIterationFailedConvergence):
        nx.pagerank(ref, max_iter=2, tol=1e-12)
    with pytest.raises(PowerIterationFailedConvergence, match="only"):
        layer_pagerank(g, max_iter=2, tol=1e-12)
