"""Headline sentences and caveats, computed from the report's tables."""

from __future__ import annotations

from ..geography import MAIN_ACTORS, europe_actor
from ..metrics.concentration import STRATEGIC_HHI
from ..store import Data
from ..wording import COMMODITY, SHORT, pct, short_name  # noqa: F401  (re-exported)

__all__ = ["headlines", "notes", "short_name", "pct", "goods_sentence"]

ENERGY = ("crude_oil", "pipeline_gas", "lng", "coal", "oil_products")
LABEL = {(1.0, 0.0): "goods ex-energy only", (1.0, 1.0): "equal weights", (0.0, 1.0): "energy only"}


def _dep(tables: dict, year: int | None, commodity: str, origin: str, destination: str) -> dict | None:
    for r in tables.get("dependencies", []):
        if r["year"] == year and r["commodity"] == commodity and r["origin"] == origin \
                and r["destination"] == destination:
            return r
    return None


def _conc(tables: dict, year: int | None, commodity: str, actor: str, side: str = "in") -> dict | None:
    for r in tables.get("concentration", []):
        if r["year"] == year and r["commodity"] == commodity and r["actor"] == actor and r["side"] == side:
            return r
    return None


def _trend(now: float | None, then: float | None) -> str:
    if now is None or then is None:
        return ""
    if abs(now - then) < 0.0005:
        return "unchanged from"
    return "up from" if now > then else "down from"


def _has(tables: dict, year: int | None, commodity: str) -> bool:
    """Whether the year has any flow of the commodity."""
    return any(r["year"] == year and r["commodity"] == commodity for r in tables.get("dependencies", []))


def _complete(data: Data, tables: dict, year: int | None, commodity: str) -> bool:
    """Whether the (year, commodity) matrix is complete (:func:`netdep.metrics.coverage.is_complete_matrix`)."""
    rem = {a["actor"] for a in data.rows("actors") if a["kind"] == "aggregate"}
    return any(r["year"] == year and r["commodity"] == commodity and r["origin"] in rem and r["destination"] in rem
               for r in tables.get("dependencies", []))


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _export_share(data: Data, t: dict, y: int | None, c: str, o: str, d: str) -> tuple[float | None, str]:
    """(share of o's exports of c that d took, phrase): ``None`` where the data cannot say (never 0%)."""
    r = _dep(t, y, c, o, d)
    if r is not None:
        if r["coverage_out"] is None:
            return r["share_out"], f"{pct(r['share_out'])} (of listed partners only: no world total)"
        return r["share_out"], pct(r["share_out"])
    if not _has(t, y, c):
        return None, f"no {y} data"
    if _complete(data, t, y, c) and any(x["year"] == y and x["commodity"] == c and x["origin"] == o
                                        for x in t["dependencies"]):
        return 0.0, pct(0.0)  # a complete matrix with no such cell: none
    return None, f"not listed separately in {y} (within the rest of the world)"


def _energy_sentences(data: Data, rep) -> list[str]:
    t, y, y0 = rep.tables, rep.year, rep.compare_year
    out: list[str] = []
    missing = [c for c in ENERGY if not _has(t, y, c)]
    present = [c for c in ENERGY if _has(t, y, c)]
    partial = [c for c in present if not _complete(data, t, y, c)]
    if present and (missing or partial):
        s = f"Energy data for {y} are partial: "
        bits = []
        if missing:
            bits.append(f"no {', '.join(COMMODITY[c] for c in missing)} flows")
        if partial:
            bits.append(f"{', '.join(COMMODITY[c] for c in partial)} from a few published partner figures plus "
                        "rest-of-world remainders, not a full matrix")
        out.append(s + "; ".join(bits) + ".")
    for c in ENERGY:
        now, now_p = _export_share(data, t, y, c, "RUS", "CHN")
        if now is None:
            continue
        then, then_p = _export_share(data, t, y0, c, "RUS", "CHN") if y0 else (None, "")
        eu = europe_actor("energy", c)
        s = f"China took {now_p} of Russia's {COMMODITY[c]} exports in {y}"
        if then is not None:
            if ("listed partners" in now_p) != ("listed partners" in then_p):  # different bases: no trend word
                s += f" ({then_p} in {y0}, on a different basis: not comparable)"
            else:
                s += f", {_trend(now, then)} {then_p} in {y0}"
        e_now, e_now_p = _export_share(data, t, y, c, "RUS", eu)
        e_then, e_then_p = _export_share(data, t, y0, c, "RUS", eu) if y0 else (None, "")
        s += f"; {short_name(data, eu)}: {e_now_p}" if e_now is None else f"; {short_name(data, eu)} took {e_now_p}"
        if e_then is not None:
            s += f" ({e_then_p} in {y0})" if e_now is not None else f"; {e_then_p} in {y0}"
        out.append(s + ".")
    out += _gas_sentences(data, t, y, y0)
    for actor, c in (("EU27", "natural_gas"), ("EU27", "pipeline_gas"), ("EU27", "lng"), ("CHN", "oil"),
                     ("CHN", "crude_oil"), ("CHN", "natural_gas")):
        r = _conc(t, y, c, actor)
        if r is None:
            continue
        out.append(_hhi_sentence(data, r, _conc(t, y0, c, actor) if y0 else None, y0))
    return out


def _gas_sentences(data: Data, t: dict, y: int | None, y0: int | None) -> list[str]:
    """Russia's share of the EU's gas imports: at fuel level (pipeline + LNG) where both modes have data."""
    fuel = "natural_gas"
    r = _dep(t, y, fuel, "RUS", "EU27")
    if r is None:
        lng = _dep(t, y, "lng", "RUS", "EU27")
        if lng is None or _has(t, y, "pipeline_gas"):
            return []
        q = "" if lng["coverage_in"] is not None else " (listed suppliers only)"
        return [f"Russia supplied {pct(lng['share_in'])} of the EU's LNG imports in {y}{q}; its share of all gas "
                f"imports cannot be computed: there are no {y} pipeline-gas data."]
    r0 = _dep(t, y0, fuel, "RUS", "EU27") if y0 else None
    q = "" if r["coverage_in"] is not None else " of the listed suppliers"
    s = f"Russia supplied {pct(r['share_in'])} of the EU's gas imports{q} (pipeline and LNG) in {y}"
    if r0 is not None:
        s += f", {_trend(r['share_in'], r0['share_in'])} {pct(r0['share_in'])} in {y0}"
    rem = {a["actor"] for a in data.rows("actors") if a["kind"] == "aggregate"}
    others = sorted((x for x in t["dependencies"] if x["year"] == y and x["commodity"] == fuel
                     and x["destination"] == "EU27" and x["origin"] not in rem | {"RUS"}),
                    key=lambda x: (-x["share_in"], x["origin"]))[:3]
    if others:
        s += "; " + ", ".join(f"{short_name(data, x['origin'])} {pct(x['share_in'])}" for x in others)
    return [s + "."]


def _hhi_sentence(data: Data, r: dict, r0: dict | None, y0: int | None) -> str:
    what = COMMODITY.get(r["commodity"], r["commodity"])
    s = f"{_cap(short_name(data, r['actor']))}'s supplier HHI for {what} is {r['hhi']:.2f} in {r['year']}"
    if r["coverage"] is None:
        s += " (listed suppliers only: no world total)"
    if r0 is not None:
        s += f" ({r0['hhi']:.2f} in {y0})"
    top, u = r["top_partner"], r["unattributed_share"]
    if top is not None:
        if r["top_share"] >= u:
            s += f"; top supplier {short_name(data, top)} with {pct(r['top_share'])}"
        else:
            s += (f"; largest listed supplier {short_name(data, top)} with {pct(r['top_share'])}, while "
                  f"{pct(u)} comes from suppliers not listed separately")
    if r["strategic"] is True:
        s += f" — a strategic dependency on all three EU/GeoDep criteria ({r['strategic_reason']})"
    elif r["hhi"] > STRATEGIC_HHI:
        verdict = "not a strategic dependency" if r["strategic"] is False else "strategic screen not computable"
        s += f" — above the {STRATEGIC_HHI} concentration threshold but {verdict}: {r['strategic_reason']}"
    return s + "."


def _who_depends(data: Data, a: str, b: str, side: str, va: float, vb: float) -> str:
    more, less = (a, b) if va > vb else (b, a)
    role = "a buyer" if side == "buyer" else "a supplier"
    return (f"as {role}, {short_name(data, more)} depends on {short_name(data, less)} more "
            f"({pct(max(va, vb))} against {pct(min(va, vb))})")


def goods_sentence(data: Data, t: dict, y: int, a: str = "RUS", b: str = "CHN") -> str | None:
    """The two sides of the a–b goods relationship and the conclusion the numbers support (none when they
    cannot: a share of listed partners only is not compared)."""
    ab, ba = _dep(t, y, "goods", a, b), _dep(t, y, "goods", b, a)
    if not ab or not ba:
        return None
    A, B = short_name(data, a), short_name(data, b)

    def sh(r, key):
        cov = r["coverage_out"] if key == "share_out" else r["coverage_in"]
        return pct(r[key]) + ("" if cov is not None else " (of listed partners only: no world total)")

    s = (f"In goods trade, {B} took {sh(ab, 'share_out')} of {A}'s exports in {y} while {A} took "
         f"{sh(ba, 'share_out')} of {B}'s; {B} supplied {sh(ba, 'share_in')} of {A}'s imports and {A} "
         f"{sh(ab, 'share_in')} of {B}'s")
    sides, skipped = [], []
    # as a buyer: a's export share to b against b's export share to a
    if ab["coverage_out"] is not None and ba["coverage_out"] is not None:
        sides.append(("buyer", ab["share_out"], ba["share_out"]))
    else:
        skipped.append("as a buyer")
    # as a supplier: a's import share from b against b's import share from a
    if ba["coverage_in"] is not None and ab["coverage_in"] is not None:
        sides.append(("supplier", ba["share_in"], ab["share_in"]))
    else:
        skipped.append("as a supplier")
    if not sides:
        return s + "; with no world totals, the two sides cannot be compared."
    winners = {a if va > vb else b for _, va, vb in sides if va != vb}
    if len(winners) == 1 and all(va != vb for _, va, vb in sides):
        w = winners.pop()
        other = b if w == a else a
        both = "as a buyer and as a supplier" if len(sides) == 2 else f"as a {sides[0][0]}"
        s += f" — {short_name(data, w)} depends on {short_name(data, other)} more than the reverse, {both}"
    else:
        s += " — " + "; ".join(_who_depends(data, a, b, side, va, vb) for side, va, vb in sides)
    if skipped:
        s += f" ({' and '.join(skipped)} not compared: a share of listed partners only)"
    return s + "."


def _trade_sentences(data: Data, rep) -> list[str]:
    t, y, y0 = rep.tables, rep.year, rep.compare_year
    out = []
    g = goods_sentence(data, t, y)
    if g:
        out.append(g)
    e, e0 = _dep(t, y, "goods", "CHN", "EU27"), _dep(t, y0, "goods", "CHN", "EU27") if y0 else None
    if e:
        q = "" if e["coverage_in"] is not None else " from the listed partners"
        s = f"China supplied {pct(e['share_in'])} of the EU's extra-EU goods imports{q} in {y}"
        if e0:
            s += f" ({pct(e0['share_in'])} in {y0})"
        u = _dep(t, y, "goods", "USA", "EU27")
        if u:
            s += f"; the US {pct(u['share_in'])}"
        out.append(s + ".")
    return out


def _ranking_sentence(data: Data, rep) -> list[str]:
    """The cross-layer ranking, only where it survives every layer weighting; otherwise say it does not."""
    from ..metrics.sensitivity import robust_ranking

    sens = [r for r in rep.tables.get("cross_layer_sensitivity", []) if r["year"] == rep.year]
    if not sens:
        return []
    stable, by = robust_ranking(sens, "supply_dependence")
    names = {w: ", ".join(short_name(data, a) for a in top) for w, top in by.items()}
    if stable:
        return [f"Across layers (goods ex-energy and energy) in {rep.year}, supply-side dependence ranks "
                f"{names[next(iter(names))]} first under every layer weighting tried."]
    shown = "; ".join(f"{LABEL.get(w, f'w_trade {w[0]:g}, w_energy {w[1]:g}')}: {names[w]}"
                      for w in sorted(by, key=lambda w: (w[1] == 1.0 and w[0] == 0.0, w)) if w in LABEL)
    return [f"No cross-layer ranking is reported for {rep.year}: the top three by supply-side dependence change "
            f"with the layer weights ({shown})."]


def headlines(data: Data, rep) -> list[str]:
    """Plain sentences for the report's top, each computed from the tables: a missing value is never printed
    as 0%, a share of listed partners is said to be one, partial years say so, and every conclusion is
    computed (:func:`goods_sentence`)."""
    t = rep.tables
    out: list[str] = []
    if "energy" in rep.layers:
        out += _energy_sentences(data, rep)
    if "trade" in rep.layers:
        out += _trade_sentences(data, rep)
    out += _ranking_sentence(data, rep)
    ly = rep.latest_energy_year
    if ly:
        parts = []
        for c in ("crude_oil", "pipeline_gas", "lng"):
            r = _dep(t, ly, c, "RUS", "CHN")
            if r:
                parts.append(f"{pct(r['share_out'])} of its {COMMODITY[c]}")
        if parts:
            parts[0] = parts[0].replace(" of its ", " of Russia's ", 1)
            listed = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
            s = f"In {ly}, the latest year with energy matrices, China took {listed} exports"
            g = _dep(t, ly, "natural_gas", "RUS", "EU27")
            if g is not None:
                s += f"; Russia supplied {pct(g['share_in'])} of the EU's gas imports (pipeline and LNG)"
            out.append(s + ".")
    return out


def notes(data: Data, rep) -> list[str]:
    """Caveats the reader needs next to the figures."""
    out = [
        "Oil and coal: the Statistical Review reports a Europe region (the EU27 plus Norway, the UK, Turkey and "
        "the Balkans), not the EU, and leaves out flows inside Europe; in energy and cross-layer aggregates the "
        "EU, Norway, the UK and Turkey are folded into Europe for the same reason.",
        "HHI counts remainder aggregates (rest of world, 'Other …') as many small partners, so it is a lower "
        "bound; they are never the top partner. Where no world total is known a share is of the listed partners "
        "only and is marked so; the strategic screen is then not computed.",
        "The cross-layer graph adds goods trade ex-energy (goods minus the pair's energy flows at reference "
        "prices, at least 0) and energy, both in US$ bn, with weights 1 and 1; FDI stocks are positions, not "
        "flows, and are left out of it.",
        "Energy is valued in US$ at one reference price per commodity and year (Brent, TTF, Japan LNG, NW Europe "
        "coal; Statistical Review); discounts on Russian crude after 2022 are not modelled.",
    ]
    flows = data.rows("flows")
    for y in (rep.compare_year, rep.year):
        if y is None:
            continue
        for layer in ("trade", "investment"):
            if layer not in rep.layers:
                continue
            fy = [f for f in flows if f["year"] == y and f["layer"] == layer]
            if not fy:
                continue
            have_row_in = {f["destination"] for f in fy if f["origin"] == "ROW"}
            missing = [a for a in MAIN_ACTORS if a in {f["destination"] for f in fy}
                       and a not in have_row_in]
            if missing:
                what = "imports" if layer == "trade" else "inward FDI positions"
                out.append(f"{layer.capitalize()} {y}: no published world total for the {what} of "
                           f"{', '.join(short_name(data, a) for a in missing)}; their shares are of the "
                           "listed partners only.")
    return out
