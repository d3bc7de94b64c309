"""Graph views and route use on the bundled data and on hand-made tables."""

from __future__ import annotations

import pytest
from factories import tiny_data

from netdep.graph import coarsening, commodity_graph, cross_layer_graph, graphs, layer_graph, multigraph
from netdep.routes import is_open, route_use
from netdep.store import load


@pytest.fixture(scope="module")
def data():
    return load()


def test_multigraph_has_one_edge_per_flow_row(data):
    rows = [f for f in data.rows("flows") if f["year"] == 2023]
    G = multigraph(data, 2023)
    assert G.number_of_edges() == len(rows)
    key = ("energy", "pipeline_gas", "power_of_siberia_1")
    assert G["RUS"]["CHN"][key]["value"] == pytest.approx(21.294)
    assert G["RUS"]["CHN"][key]["unit"] == "bcm" and G["RUS"]["CHN"][key]["source_id"] == "ei_sr_2024"
    assert G.nodes["EU27"]["kind"] == "bloc"


def test_commodity_graph_sums_parallel_routes():
    data = tiny_data(flows=[("pipeline_gas", "A", "C", 3.0, "r1"), ("pipeline_gas", "A", "C", 2.0, None)],
                     routes=[("r1", "pipeline", "pipeline_gas", "A", "C", 10.0)])
    G = commodity_graph(data, 2023, "pipeline_gas")
    assert G["A"]["C"]["value"] == 5.0
    assert list(G.nodes) == ["A", "C"]  # only actors in the flows, sorted


def test_layer_graph_energy_in_ej_and_folds_eu_into_europe(data):
    G = layer_graph(data, 2023, "energy")
    assert G.graph["unit"] == "EJ"
    assert "EU27" not in G and "REG_EUROPE" in G and "NOR" not in G
    assert G.graph["folded"]["EU27"] == "REG_EUROPE"
    # RUS -> Europe in EJ = crude + products + coal (Europe) + gas to everything folded into Europe
    europe = {"REG_EUROPE"} | {a for a, r in G.graph["folded"].items() if r == "REG_EUROPE"}
    assert {"EU27", "NOR", "GBR", "TUR", "REG_REST_OF_EUROPE"} <= europe
    want = 0.0
    ej = {c["commodity"]: c["ej_per_unit"] for c in data.rows("commodities")}
    for f in data.rows("flows"):
        if f["year"] == 2023 and f["origin"] == "RUS" and f["destination"] in europe and f["layer"] == "energy":
            want += f["value"] * ej[f["commodity"]]
    assert G["RUS"]["REG_EUROPE"]["value"] == pytest.approx(want)


def test_coarsening_keeps_unrelated_actors(data):
    m = coarsening(data, ["EU27", "REG_REST_OF_EUROPE", "REG_EUROPE", "CHN", "ROW"])
    assert m == {"CHN": "CHN", "EU27": "REG_EUROPE", "REG_EUROPE": "REG_EUROPE",
                 "REG_REST_OF_EUROPE": "REG_EUROPE", "ROW": "ROW"}
    assert coarsening(data, ["EU27", "NOR"]) == {"EU27": "EU27", "NOR": "NOR"}  # no region present: nothing folds


def test_cross_layer_graph_in_usd(data):
    G = cross_layer_graph(data, 2023)
    assert G.graph["layer"] == "all" and G.graph["unit"] == "USD_bn"
    assert all(w >= 0 for *_, w in G.edges(data="value"))
    assert not any(u == v for u, v in G.edges)


def test_graphs_are_deterministic(data):
    a, b = graphs(data, 2023), graphs(data, 2023)
    assert list(a) == list(b)
    for k in a:
        assert list(a[k].nodes) == sorted(a[k].nodes)
        assert list(a[k].edges(data=True)) == list(b[k].edges(data=True))


@pytest.mark.parametrize("lo,hi,status,year,expected", [
    (None, None, "operating", 2023, True),
    (None, None, "planned", 2023, False),
    (None, None, "destroyed", 2021, False),
    (2011, 2022, "destroyed", 2021, True),
    (2011, 2022, "destroyed", 2023, False),
    (None, 2024, "offline", 2023, True),
    (None, 2024, "offline", 2025, False),
    (2027, None, "planned", 2025, False),
])
def test_is_open(lo, hi, status, year, expected):
    assert is_open({"open_from": lo, "open_to": hi, "status": status}, year) is expected


def test_route_use_fills_links_then_gates():
    data = tiny_data(
        flows=[("pipeline_gas", "A", "C", 50.0, None), ("lng", "B", "C", 10.0, None), ("lng", "A", "C", 6.0, None)],
        routes=[("a_c", "pipeline", "pipeline_gas", "A", "C", 40.0), ("regas", "lng", "lng", "ROW", "C", 25.0),
                ("plant", "lng", "lng", "A", "ROW", 8.0)])
    use = route_use(data, 2023)
    assert use.use["a_c"] == pytest.approx(40.0)  # pipeline up to capacity
    assert use.unrouted[("pipeline_gas", "A", "C")] == pytest.approx(10.0)  # no other known route: unrouted
    assert use.use["regas"] == pytest.approx(16.0)  # all LNG into C
    assert use.use["plant"] == pytest.approx(6.0)  # A's LNG exports
    assert use.spare("regas") == pytest.approx(9.0) and use.spare("a_c") == 0.0


def test_route_use_on_bundled_data(data):
    use = route_use(data, 2023)
    assert use.use["power_of_siberia_1"] == pytest.approx(21.294)  # the flow names its route
    assert use.use["eu_lng_regas"] == pytest.approx(sum(
        f["value"] for f in data.rows("flows") if f["year"] == 2023 and f["commodity"] == "lng"
        and f["destination"] == "EU27"))
    assert not use.open["nord_stream_1"] and use.spare("nord_stream_1") == 0.0
