"""Dependency, concentration, asymmetry and vulnerability on hand-computed examples."""

from __future__ import annotations

import networkx as nx
import pytest
from factories import tiny_data

from netdep.metrics import asymmetry, concentration_records, dependency_records, hhi, vulnerability_records


def g(*edges, **graph) -> nx.DiGraph:
    G = nx.DiGraph(**graph)
    for o, d, w in edges:
        G.add_edge(o, d, value=w)
    return G


def test_dependency_shares_and_consumption():
    G = g(("A", "C", 3.0), ("B", "C", 1.0), ("A", "D", 1.0), year=2023, layer="energy", commodity="lng", unit="bcm")
    recs = {(r["origin"], r["destination"]): r for r in dependency_records(G, consumption={"C": 8.0})}
    assert recs[("A", "C")]["share_in"] == pytest.approx(0.75)
    assert recs[("A", "C")]["share_out"] == pytest.approx(0.75)  # A: 3 of its 4 to C
    assert recs[("A", "D")]["share_in"] == pytest.approx(1.0)
    assert recs[("A", "C")]["share_of_consumption"] == pytest.approx(3 / 8)
    assert recs[("A", "D")]["share_of_consumption"] is None
    assert recs[("A", "C")]["year"] == 2023 and recs[("A", "C")]["unit"] == "bcm"


def test_zero_value_flows_and_actor_without_imports():
    G = g(("A", "B", 0.0), ("A", "C", 2.0))
    recs = {(r["origin"], r["destination"]): r for r in dependency_records(G)}
    assert recs[("A", "B")]["share_in"] is None  # B's total imports are zero: no share
    assert recs[("A", "B")]["share_out"] == 0.0
    conc = concentration_records(G)
    assert not [r for r in conc if r["actor"] == "A" and r["side"] == "in"]  # A has no imports
    assert not [r for r in conc if r["actor"] == "B" and r["side"] == "in"]  # only a zero flow


def test_hhi_single_supplier_is_one():
    G = g(("A", "C", 5.0))
    (rec,) = [r for r in concentration_records(G) if r["actor"] == "C"]
    assert rec["hhi"] == 1.0 and rec["top_partner"] == "A" and rec["top_share"] == 1.0


def test_hhi_hand_example_and_remainders():
    assert hhi([0.5, 0.3, 0.2]) == pytest.approx(0.38)
    G = g(("A", "C", 5.0), ("B", "C", 3.0), ("ROW", "C", 2.0))
    (rec,) = [r for r in concentration_records(G, remainders={"ROW"}) if r["actor"] == "C" and r["side"] == "in"]
    assert rec["hhi"] == pytest.approx(0.5 ** 2 + 0.3 ** 2)  # ROW adds nothing to the squares
    assert rec["unattributed_share"] == pytest.approx(0.2)
    assert rec["partners"] == 3
    (rec_all,) = [r for r in concentration_records(G) if r["actor"] == "C" and r["side"] == "in"]
    assert rec_all["hhi"] == pytest.approx(0.38)


def test_top_partner_ties_break_alphabetically():
    G = g(("B", "C", 1.0), ("A", "C", 1.0))
    (rec,) = [r for r in concentration_records(G) if r["actor"] == "C"]
    assert rec["top_partner"] == "A"


def test_asymmetry_compares_two_sides_of_one_relationship():
    # Keohane & Nye: for "R supplies C", C's dependence on R as a supplier (8 of C's 17 imports) against
    # R's dependence on C as a buyer (8 of R's 10 exports). (The old measure compared C's and R's import
    # shares from each other, two different relationships; its values no longer apply.)
    G = g(("R", "C", 8.0), ("R", "E", 2.0), ("C", "R", 1.0), ("X", "C", 9.0))
    recs = {(r["supplier"], r["buyer"]): r for r in asymmetry(G, "R", "C")}
    rc = recs[("R", "C")]
    assert rc["buyer_dependence"] == pytest.approx(8 / 17) and rc["supplier_dependence"] == pytest.approx(0.8)
    assert rc["asymmetry"] == pytest.approx(8 / 17 - 0.8)  # < 0: R needs C as a buyer more than C needs R
    cr = recs[("C", "R")]  # C supplies all of R's imports (1 of 1), R buys 1 of C's 1 exports
    assert cr["buyer_dependence"] == pytest.approx(1.0) and cr["supplier_dependence"] == pytest.approx(1.0)
    assert cr["asymmetry"] == pytest.approx(0.0)
    assert asymmetry(G, "C", "R") == asymmetry(G, "R", "C")  # the pair's relationships, in one order
    assert asymmetry(G, "E", "X") == []  # no flow between them: no relationship


def test_vulnerability_bounded_by_spare_capacity():
    # C imports 30 pipeline gas from A (link A->C, cap 40) and 10 LNG from B; regas ROW->C cap 25
    data = tiny_data(
        flows=[("pipeline_gas", "A", "C", 30.0, None), ("lng", "B", "C", 10.0, None)],
        routes=[("a_c", "pipeline", "pipeline_gas", "A", "C", 40.0), ("regas_c", "lng", "lng", "ROW", "C", 25.0)])
    (r,) = vulnerability_records(data, 2023, [("C", "A", "pipeline_gas")])
    # losing A: other suppliers can come only through regas: spare 25 - 10 = 15 (pipeline gas and LNG substitute)
    assert r["at_risk"] == 30.0 and r["replaceable"] == pytest.approx(15.0)
    assert r["unreplaceable"] == pytest.approx(15.0)
    assert r["unreplaceable_share"] == pytest.approx(15 / 30)  # of C's pipeline-gas imports
    assert "regas_c" in r["basis"]
    (r2,) = vulnerability_records(data, 2023, [("C", "B", "lng")])
    # losing B's LNG frees its 10 on the terminal: 15 spare + 10 freed = 25 >= 10 at risk; A's link has 10 spare too
    assert r2["replaceable"] == pytest.approx(10.0) and r2["unreplaceable"] == pytest.approx(0.0)


def test_vulnerability_says_capacity_unknown():
    data = tiny_data(flows=[("pipeline_gas", "A", "C", 30.0, None), ("pipeline_gas", "B", "C", 5.0, None)], routes=[])
    (r,) = vulnerability_records(data, 2023, [("C", "A", "pipeline_gas")])
    assert r["replaceable"] is None and r["unreplaceable"] is None
    assert r["basis"].startswith("capacity unknown")
