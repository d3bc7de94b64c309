"""Headline sentences for a scenario: what shifts most for Russia, China, the EU and the US.

For each main actor the candidates are its dependence on each other main actor, as a buyer
(share of its exports) and as a supplier (share of its imports), in each layer aggregate
(energy in EJ, trade and FDI in US$; in energy the EU is the Statistical Review's Europe),
and its supplier HHI per commodity. The two candidates that shift most (in share points or
HHI points, both 0–1) make the actor's sentence; a last sentence gives supply-side dependence
in the energy layer before and after. Moves whose capacity bound bit are stated separately.
"""

from __future__ import annotations

from ..geography import DISPLAY_LAYER_ORDER, EU_CODES, LAYER_WORD, MAIN_ACTORS, as_present
from ..store import Data
from ..wording import COMMODITY, pct, short_name

__all__ = ["headlines", "bound_sentences", "closure_sentences", "revenue_sentences", "MAIN"]

MAIN = MAIN_ACTORS  # netdep.geography


_eu = as_present  # the EU27, or the Europe region where only it is present: netdep.geography


def _verb(a: float, b: float) -> str:
    return "rises" if b > a else "falls"


def _cap(s: str) -> str:
    return s[0].upper() + s[1:]


def _hhi(v: float) -> str:
    return f"{v:.3f}"


def _ranged(r: dict | None, field: str, v: float, fmt=pct) -> str:
    """``v`` with its range over the alternative figures where the record has one (issue 15):
    "15.0% [14.2–15.9]"; the point alone otherwise."""
    lo, hi = (r or {}).get(f"{field}_low"), (r or {}).get(f"{field}_high")
    if lo is None or hi is None or fmt(lo) == fmt(hi):
        return fmt(v)
    return f"{fmt(v)} [{fmt(lo).rstrip('%')}–{fmt(hi).rstrip('%')}]"


def _candidates(data: Data, before: dict, after: dict, actor: str) -> list[tuple[float, str]]:
    out: list[tuple[float, str]] = []
    deps_b = {(r["layer"], r["origin"], r["destination"]): r for r in before["dependencies"] if r["commodity"] == "*"}
    deps_a = {(r["layer"], r["origin"], r["destination"]): r for r in after["dependencies"] if r["commodity"] == "*"}
    for layer in DISPLAY_LAYER_ORDER[:-1]:
        present = {k[1] for k in deps_b if k[0] == layer} | {k[2] for k in deps_b if k[0] == layer} | \
                  {k[1] for k in deps_a if k[0] == layer} | {k[2] for k in deps_a if k[0] == layer}
        a = _eu(actor, present)
        if a not in present:
            continue
        for p0 in MAIN:
            p = _eu(p0, present)
            if p == a or p not in present:
                continue
            for role, key, field in (("buyer", (layer, a, p), "share_out"), ("supplier", (layer, p, a), "share_in")):
                rb, ra = deps_b.get(key), deps_a.get(key)
                x = (rb or {}).get(field) or 0.0
                y = (ra or {}).get(field) or 0.0
                if abs(y - x) < 0.0005:
                    continue
                what = "a buyer of its" if role == "buyer" else "a supplier of its"
                noun = LAYER_WORD[layer] + (" exports" if role == "buyer" else " imports")
                s = (f"{short_name(data, a)}'s dependence on {short_name(data, p)} as {what} {noun} "
                     f"{_verb(x, y)} from {_ranged(rb, field, x)} to {_ranged(ra, field, y)}")
                out.append((abs(y - x), s))
    conc_b = {(r["commodity"], r["actor"]): r for r in before["concentration"] if r["side"] == "in"}
    conc_a = {(r["commodity"], r["actor"]): r for r in after["concentration"] if r["side"] == "in"}
    # a mode (pipeline gas, LNG) is not stated where its fuel (gas) is measured: Russian gas returning by pipeline
    # lowers the pipeline HHI while the gas HHI barely moves — diversification by one mode is not diversification
    from ..metrics.tables import fuel_of

    fuel = fuel_of(data)
    for (c, a), ra in conc_a.items():
        rb = conc_b.get((c, a))
        if a != actor or rb is None or abs(ra["hhi"] - rb["hhi"]) < 0.0005:
            continue
        if fuel.get(c, c) != c and (fuel[c], a) in conc_a:
            continue
        out.append((abs(ra["hhi"] - rb["hhi"]), f"{short_name(data, a)}'s supplier HHI for "
                    f"{COMMODITY.get(c, c)} {_verb(rb['hhi'], ra['hhi'])} from {_ranged(rb, 'hhi', rb['hhi'], _hhi)}"
                    f" to {_ranged(ra, 'hhi', ra['hhi'], _hhi)}"))
    out.sort(key=lambda x: (-x[0], x[1]))
    return out


def headlines(data: Data, before: dict, after: dict, per_actor: int = 2) -> list[str]:
    """Plain sentences: the largest shifts for each main actor, then supply-side dependence in the energy layer
    (others' dependence on each as a supplier; the cross-layer graph's ranking depends on its layer weights,
    so it does not head anything)."""
    out = []
    for actor in MAIN:
        cands = _candidates(data, before, after, actor)[:per_actor]
        if cands:
            out.append(_cap("; ".join(s for _, s in cands)) + ".")
    layer = "energy"

    def dc(t: dict) -> dict[str, float]:
        return {r["actor"]: r["value"] for r in t["centrality"] if r["layer"] == layer and r["commodity"] == "*"
                and r["measure"] == "supply_dependence"}

    b, a = dc(before), dc(after)
    parts = []
    for x in MAIN:
        x2 = x if x in a or x in b else _eu(x, set(a) | set(b))
        if x2 in a and x2 in b:
            parts.append(f"{short_name(data, x2)} {b[x2]:.4f} → {a[x2]:.4f}")
    if parts:
        out.append("Supply-side dependence in the energy layer (Σ of importers' shares supplied): "
                   + ", ".join(parts) + ".")
    return out


def bound_sentences(data: Data, moves: list[dict]) -> list[str]:
    """One sentence per reroute or add_flow: requested, moved, and the bound that bit."""
    out = []
    for m in moves:
        c = COMMODITY.get(m["commodity"], m["commodity"])
        u = m["unit"]
        if m["type"] == "reroute":
            s = (f"operations[{m['op']}]: {short_name(data, m['origin'])}'s {c} to {short_name(data, m['from'])} → "
                 f"{short_name(data, m['to'])}" + (f" over {m['route']}" if m["route"] else "") +
                 f": requested {m['requested']:.4g} {u}, moved {m['moved']:.4g} {u}")
            if m["dropped"]:
                s += f", dropped {m['dropped']:.4g} {u}"
        else:
            s = (f"operations[{m['op']}]: new {c} {short_name(data, m['origin'])} → {short_name(data, m['to'])}"
                 + (f" over {m['route']}" if m["route"] else "") +
                 f": requested {m['requested']:.4g} {u}, added {m['moved']:.4g} {u}")
        bound = {"none": "no bound bit", "route_capacity": "route capacity bit",
                 "exporter_volume": "the exporter's volume bit", "no_connection": "no supply system connects",
                 "deliverability": "the supply system's deliverability bit"}.get(m["bound"], m["bound"])
        out.append(f"{s}; {bound} ({m['detail']}).")
    return out


_GROUP_WORD = {"gas": ("gas", "bcm"), "crude": ("crude oil", "Mt"), "coal": ("coal", "EJ"),
               "oil_products": ("oil products", "Mt")}
_KIND_WORD = {"lng": "LNG", "pipeline_gas": "pipeline gas", "crude_oil": "crude", "coal": "coal",
              "oil_products": "oil products"}


def closure_sentences(data: Data, mode: str, records: list[dict], year: int, losers: int = 3) -> list[str]:
    """Sentences from the market closure, computed from its records: for the EU (or Europe) and China in
    each affected group, imports before → after operations → after closure, Russia's share of them, the
    suppliers that lose most ("US LNG to the EU falls from A to B bcm") and where freed supply went."""
    out = [f"Market closure: {mode}" + (" (today's behaviour: nothing else in the market changes, so importers "
                                        "may import more or less than they use)." if mode == "additive" else
                                        " (each affected importer's imports held at base-year demand).")]
    bal = [r for r in records if r["kind"] == "balance"]
    sup = [r for r in records if r["kind"] == "supplier"]
    for b in sorted(bal, key=lambda r: (r["group"], r["importer"] not in EU_CODES, r["importer"])):
        i, g = b["importer"], b["group"]
        if i not in (*EU_CODES, "CHN"):
            continue
        word, unit = _GROUP_WORD[g]
        name = short_name(data, i)
        s = (f"{_cap(name)}'s {word} imports: {b['base']:.1f} {unit} in {year}, {b['after_ops']:.1f} after the "
             f"operations, {b['after']:.1f} after closure")
        if b["unmet"] > 1e-9:
            s += f" ({b['unmet']:.2f} {unit} unmet: {b['bound'].replace('_', ' ')})"
        if b["excess"] > 1e-9:
            s += f" ({b['excess']:.2f} {unit} above demand: {b['bound'].replace('_', ' ')})"
        mine = [r for r in sup if r["importer"] == i and r["group"] == g]
        rus_b, rus_a = b["russia_base"], b["russia_after"]
        if (rus_b > 0 or rus_a > 0) and b["base"] > 0 and b["after"] > 0:
            x, y = pct(rus_b / b['base']), pct(rus_a / b['after'])
            s += (f"; Russia's share of them stays at {x}" if x == y else
                  f"; Russia's share of them {_verb(rus_b / b['base'], rus_a / b['after'])} from {x} to {y}")
        lose = sorted((r for r in mine if r["supplier"] != "RUS" and r["after"] < r["base"] - 1e-9),
                      key=lambda r: (r["after"] - r["base"], r["supplier"], r["commodity"]))[:losers]
        if lose:
            s += "; " + ", ".join(f"{short_name(data, r['supplier'])} {_KIND_WORD.get(r['commodity'], r['commodity'])}"
                                  f" to {name} falls from {r['base']:.2f} to {r['after']:.2f} {unit}" for r in lose)
        gain = sorted((r for r in mine if r["supplier"] != "RUS" and r["after"] > r["base"] + 1e-9),
                      key=lambda r: (r["base"] - r["after"], r["supplier"], r["commodity"]))[:losers]
        if gain:
            s += "; " + ", ".join(f"{short_name(data, r['supplier'])} {_KIND_WORD.get(r['commodity'], r['commodity'])}"
                                  f" rises from {r['base']:.2f} to {r['after']:.2f} {unit}" for r in gain)
        out.append(s + ".")
    freed = [r for r in records if r["kind"] == "freed"]
    for g in sorted({r["group"] for r in freed}):
        fr = [r for r in freed if r["group"] == g]
        word, unit = _GROUP_WORD[g]
        tot = sum(r["freed"] for r in fr)
        placed: dict[str, float] = {}
        for r in fr:
            for k, v in r["placed"].items():
                placed[k] = placed.get(k, 0.0) + v
        un = sum(r["unplaced"] for r in fr)
        where = ", ".join(f"{short_name(data, k)} {v:.2f}" for k, v in sorted(placed.items(), key=lambda x: -x[1]))
        out.append(f"Freed {word} supply: {tot:.2f} {unit} displaced" + (f"; placed with {where} {unit}" if where
                                                                        else "")
                   + (f"; {un:.2f} {unit} unplaced (no deficit in the data it can fill: its exporters sell less, "
                      "or to buyers outside the modelled demand)" if un > 1e-9 else "") + ".")
    return out


def revenue_sentences(data: Data, records: list[dict], exporter: str = "RUS", tol: float = 0.05) -> list[str]:
    """One sentence per fuel whose export revenue changes by more than ``tol`` US$ bn, each flow at its own price
    (:mod:`.revenue`): "Russia's gas export revenue rises from US$ 41.2 bn to US$ 47.9 bn (+6.7) …"."""
    from .revenue import by_group

    groups = by_group(records, exporter)
    out = []
    for g in ("gas", "oil", "coal"):
        if g not in groups:
            continue
        x, y = groups[g]
        if abs(y - x) <= tol:
            continue
        out.append(f"{short_name(data, exporter)}'s {g} export revenue {_verb(x, y)} from US$ {x:.1f} bn to "
                   f"US$ {y:.1f} bn ({y - x:+.1f}), each flow at its buyer's price (prices table; a scenario "
                   "set_price where given).")
    return out
