"""Law and money in scenarios (issue 13): legal limits bind moves and closures, set_policy and set_price, revenue.

Oracles: the ``policy`` and ``prices`` tables read directly, and revenue computed by hand from them
(volume × price); nothing here hard-codes a price, so the tests hold when price rows are added.
"""

from __future__ import annotations

import math

import pytest

import netdep.scenario as sc
from netdep.errors import ScenarioError
from netdep.prices import best_price
from netdep.scenario.closure import close
from netdep.scenario.engine import initial_state, run_operations
from netdep.scenario.revenue import by_group
from netdep.scenario.spec import parse_text
from netdep.scenario.sweep import naive_sweep, sweep
from netdep.store import load

LIFT_CRUDE = """
[[operations]]
type = "set_policy"
commodity = "crude_oil"
origin = "RUS"
destination = "EU27"
kind = "embargo"
limit = "none"
"""
CRUDE_TO_EUROPE = """
[[operations]]
type = "reroute"
origin = "RUS"
commodity = "crude_oil"
from = "CHN"
to = "REG_EUROPE"
share = 0.5
"""


@pytest.fixture(scope="module")
def data():
    return load()


def _spec(body: str, closure: str = "additive", year: int = 2023):
    return parse_text(f'name = "t"\nbase_year = {year}\nclosure = "{closure}"\n' + body, "t.toml")


def _state(data, spec, year: int = 2023):
    return close(data, spec, run_operations(data, spec, year), initial_state(data, year))


def _flow(st, c: str, o: str, t: str) -> float:
    return sum(r["value"] for k, r in st.rows.items() if k[1] == c and k[2] == o and k[3] == t)


def test_embargo_refuses_the_move_and_lifting_it_lets_it_through(data):
    before = sc.load("russian_crude_to_eu_embargo").state(data)
    (m,) = before.moves
    assert (m.bound, m.moved) == ("legal", 0.0)
    assert "eurlex_2022_879" in m.detail and "set_policy" in m.detail
    after = sc.load("russian_crude_to_eu_embargo_lifted").state(data)
    (m2,) = after.moves
    base = _flow(initial_state(data, 2023), "crude_oil", "RUS", "CHN")
    assert m2.bound == "none" and math.isclose(m2.moved, 0.5 * base, rel_tol=1e-9)
    assert _flow(after, "crude_oil", "RUS", "REG_EUROPE") > _flow(before, "crude_oil", "RUS", "REG_EUROPE") + 50


@pytest.mark.parametrize("where", ["first", "last"])
def test_a_legal_limit_of_zero_stops_an_add_flow_wherever_the_policy_is_written(data, where):
    pol = """
[[operations]]
type = "set_policy"
commodity = "lng"
origin = "RUS"
destination = "EU27"
limit = 0
"""
    add = """
[[operations]]
type = "add_flow"
origin = "RUS"
destination = "EU27"
commodity = "lng"
value = 5.0
reason = "test"
"""
    st = _state(data, _spec(pol + add if where == "first" else add + pol))
    (m,) = st.moves
    assert (m.bound, m.moved) == ("legal", 0.0)
    assert _flow(st, "lng", "RUS", "EU27") == _flow(initial_state(data, 2023), "lng", "RUS", "EU27")


def test_a_volume_cap_lets_through_exactly_the_headroom(data):
    now = _flow(initial_state(data, 2023), "pipeline_gas", "RUS", "EU27")
    st = _state(data, _spec(f"""
[[operations]]
type = "set_policy"
commodity = "pipeline_gas"
origin = "RUS"
destination = "EU27"
kind = "cap"
limit = {now + 3.0}

[[operations]]
type = "add_flow"
origin = "RUS"
destination = "EU27"
commodity = "pipeline_gas"
value = 10.0
reason = "test"
"""))
    (m,) = st.moves
    assert m.bound == "legal" and math.isclose(m.moved, 3.0, rel_tol=1e-9)


@pytest.mark.parametrize("mode", ["proportional", "merit", "optimal"])
def test_the_market_closure_never_places_volume_the_law_stops(data, mode):
    """The EU loses its Russian pipeline gas and bids for LNG: Russian LNG it may take without an embargo,
    not with one (the test fails if the closure ignores the law)."""
    cut = """
[[operations]]
type = "scale"
commodity = "pipeline_gas"
origin = "RUS"
destination = "EU27"
factor = 0.0
"""
    ban = """
[[operations]]
type = "set_policy"
commodity = "lng"
origin = "RUS"
destination = "EU27"
limit = 0
"""
    base = _flow(initial_state(data, 2023), "lng", "RUS", "EU27")
    free = _state(data, _spec(cut, mode))
    banned = _state(data, _spec(cut + ban, mode))
    if mode != "optimal":  # the LP's least-change solution happens to leave Russian LNG alone even without a ban
        assert _flow(free, "lng", "RUS", "EU27") > base + 0.1
    assert _flow(banned, "lng", "RUS", "EU27") <= base + 1e-9


def test_revenue_is_conserved_when_prices_do_not_change(data):
    """One price for every buyer of Russian crude: a reroute moves volume, not revenue."""
    x = 0.5
    st = _state(data, _spec(LIFT_CRUDE + f"""
[[operations]]
type = "set_price"
commodity = "crude_oil"
exporter = "RUS"
price = {x}
""" + CRUDE_TO_EUROPE))
    from netdep.scenario.revenue import revenue_records

    recs = revenue_records(data, 2023, list(initial_state(data, 2023).rows.values()), list(st.rows.values()),
                           st.prices)
    tot = next(r for r in recs if r["commodity"] == "crude_oil" and r["buyer"] == "*")
    assert st.moves[0].moved > 50
    assert math.isclose(tot["after"], x * tot["volume_before"], rel_tol=1e-6)
    assert math.isclose(tot["volume_after"], tot["volume_before"], rel_tol=1e-12)


def test_a_moved_volume_earns_its_new_buyers_price(data):
    """after = before − m·p(China) − V(Europe)·p(Europe) + (V(Europe) + m)·P, P the contract set for Europe."""
    p_new = 0.9
    spec = _spec(LIFT_CRUDE + f"""
[[operations]]
type = "set_price"
commodity = "crude_oil"
exporter = "RUS"
importer = "REG_EUROPE"
price = {p_new}
""" + CRUDE_TO_EUROPE)
    res = sc.Scenario(spec).run(data)
    rows0 = initial_state(data, 2023).rows
    prices = data.rows("prices")
    m = res.moves[0]["moved"]
    p_chn = best_price(prices, "crude_oil", 2023, "RUS", "CHN", None)["price"]
    v_eu = {k: r["value"] for k, r in rows0.items() if k[1] == "crude_oil" and k[2] == "RUS" and k[3] == "REG_EUROPE"}
    old_eu = sum(v * best_price(prices, "crude_oil", 2023, "RUS", "REG_EUROPE", k[4])["price"] for k, v in v_eu.items())
    (tot,) = [r for r in res.revenue if r["commodity"] == "crude_oil" and r["buyer"] == "*"]
    want = tot["before"] - m * p_chn - old_eu + (sum(v_eu.values()) + m) * p_new
    assert math.isclose(tot["after"], want, abs_tol=2e-3)
    assert any(h.startswith("Russia's oil export revenue rises") for h in res.headlines)
    (eu,) = [r for r in res.revenue if r["commodity"] == "crude_oil" and r["buyer"] == "REG_EUROPE"]
    assert eu["basis_after"] == "scenario" and eu["price_source_after"] == "scenario"


def test_a_swept_contract_price_moves_revenue_by_volume_times_price(data):
    s = sc.load("russian_gas_contract_europe")
    vals = [4.0, 10.0, 16.0]
    fast, ref = sweep(data, s, "1.price", vals), naive_sweep(data, s, "1.price", vals)
    gas = [r["gas"][1] for r in fast.revenue]
    assert gas == pytest.approx([r["gas"][1] for r in ref.revenue], abs=1e-9)
    st = s.state(data)
    vol = _flow(st, "pipeline_gas", "RUS", "EU27")
    from netdep.build import VALUATION

    slope = vol * VALUATION["pipeline_gas"][1]  # US$ bn per (US$/MMBtu)
    assert gas[1] - gas[0] == pytest.approx(6 * slope, abs=2e-3)
    assert gas[2] - gas[1] == pytest.approx(6 * slope, abs=2e-3)
    # volumes and measures do not depend on the price
    import pyarrow.compute as pc

    t = fast.table
    a = t.filter(pc.equal(t["step"], 0)).column("value").to_pylist()
    b = t.filter(pc.equal(t["step"], 2)).column("value").to_pylist()
    assert a == b


def test_sweeping_a_legal_limit(data):
    now = _flow(initial_state(data, 2023), "pipeline_gas", "RUS", "EU27")
    s = sc.Scenario(_spec(f"""
[[operations]]
type = "set_policy"
commodity = "pipeline_gas"
origin = "RUS"
destination = "EU27"
kind = "cap"
limit = {now}

[[operations]]
type = "add_flow"
origin = "RUS"
destination = "EU27"
commodity = "pipeline_gas"
value = 10.0
reason = "test"
"""))
    res = sweep(data, s, "0.limit", [now, now + 4.0, now + 20.0])
    moved = [m[0]["moved"] for m in res.moves]
    assert moved == pytest.approx([0.0, 4.0, 10.0], abs=1e-9)
    assert [m[0]["bound"] for m in res.moves] == ["legal", "legal", "none"]


def test_revenue_in_json_and_by_fuel(data):
    res = sc.load("russian_energy_to_europe_half").run(data)
    obj = res.to_json_obj()
    assert obj["revenue"] == res.revenue
    g = by_group(res.revenue)
    assert math.isclose(g["all"][0], sum(v[0] for k, v in g.items() if k != "all"), rel_tol=1e-9)


@pytest.mark.parametrize("body, where, what", [
    ('type = "set_policy"\ncommodity = "crude_oil"\norigin = "RUS"\nlimit = "lifted"\n', "limit",
     'write "none" to lift'),
    ('type = "set_policy"\ncommodity = "crude_oil"\norigin = "RUS"\nlimit = -1\n', "limit", "negative"),
    ('type = "set_policy"\ncommodity = "crude_oil"\norigin = "RUS"\nlimit = 0\nkind = "ban"\n', "kind",
     "is not one of"),
    ('type = "set_price"\ncommodity = "lng"\nexporter = "RUS"\nprice = 9\nunit = "EUR/MWh"\n', "unit",
     "is not a price unit"),
    ('type = "set_price"\ncommodity = "lng"\nexporter = "RUS"\nprice = -2\n', "price", "negative"),
])
def test_bad_law_and_price_operations_are_named(body, where, what):
    with pytest.raises(ScenarioError) as e:
        parse_text('name = "t"\nbase_year = 2023\n[[operations]]\n' + body, "t.toml")
    assert "t.toml:3: operations[0]" in str(e.value) and where in str(e.value) and what in str(e.value)


def test_lifting_a_measure_not_in_force_says_what_is(data):
    spec = _spec("""
[[operations]]
type = "set_policy"
commodity = "crude_oil"
origin = "RUS"
destination = "EU27"
limit = "none"
""", year=2021)
    with pytest.raises(ScenarioError, match="no measure on RUS crude_oil in force in 2021 matches"):
        run_operations(data, spec, 2021)
