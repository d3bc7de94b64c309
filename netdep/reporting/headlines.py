"""Headline sentences and caveats, computed from the report's tables."""

from __future__ import annotations

from ..metrics.concentration import STRATEGIC_HHI
from ..store import Data

__all__ = ["headlines", "notes", "short_name", "pct"]

SHORT = {"EU27": "the EU", "REG_EUROPE": "Europe", "USA": "the US", "CHN": "China", "RUS": "Russia",
         "ROW": "the rest of the world", "GBR": "the UK", "KOR": "South Korea"}
COMMODITY = {"crude_oil": "crude oil", "oil_products": "oil products", "pipeline_gas": "pipeline gas",
             "lng": "LNG", "coal": "coal", "goods": "goods", "fdi_stock": "FDI stock"}


def short_name(data: Data, actor: str | None) -> str:
    if actor is None:
        return "none"
    if actor in SHORT:
        return SHORT[actor]
    return next((a["name"] for a in data.rows("actors") if a["actor"] == actor), actor)


def pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}%"


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


def _share(r: dict | None, key: str) -> float | None:
    return None if r is None else r[key]


def _gas_share(tables: dict, year: int | None, origin: str, importer: str = "EU27") -> float | None:
    rows = [r for r in tables.get("dependencies", []) if r["year"] == year and r["destination"] == importer
            and r["commodity"] in ("pipeline_gas", "lng")]
    total = sum(r["value"] for r in rows)
    return sum(r["value"] for r in rows if r["origin"] == origin) / total if total else None


def headlines(data: Data, rep) -> list[str]:
    """Plain sentences for the report's top, each computed from the tables."""
    t, y, y0 = rep.tables, rep.year, rep.compare_year
    out: list[str] = []
    if "energy" in rep.layers:
        for c in ("crude_oil", "pipeline_gas", "lng", "coal", "oil_products"):
            now = _share(_dep(t, y, c, "RUS", "CHN"), "share_out")
            if now is None:
                continue
            then = _share(_dep(t, y0, c, "RUS", "CHN"), "share_out")
            eu = "EU27" if c in ("pipeline_gas", "lng") else "REG_EUROPE"
            eu_now = _share(_dep(t, y, c, "RUS", eu), "share_out")
            eu_then = _share(_dep(t, y0, c, "RUS", eu), "share_out")
            s = f"China took {pct(now)} of Russia's {COMMODITY[c]} exports in {y}"
            if then is not None:
                s += f", {_trend(now, then)} {pct(then)} in {y0}"
            if eu_now is not None or eu_then is not None:
                s += f"; {short_name(data, eu)} took {pct(eu_now or 0.0)}"
                if eu_then is not None:
                    s += f" ({pct(eu_then)} in {y0})"
            out.append(s + ".")
        g, g0 = _gas_share(t, y, "RUS"), _gas_share(t, y0, "RUS")
        if g is not None:
            s = f"Russia supplied {pct(g)} of the EU's gas imports (pipeline and LNG) in {y}"
            if g0 is not None:
                s += f", {_trend(g, g0)} {pct(g0)} in {y0}"
            others = sorted(((o, _gas_share(t, y, o)) for o in ("NOR", "USA", "QAT", "DZA")),
                            key=lambda x: -(x[1] or 0))
            s += "; " + ", ".join(f"{short_name(data, o)} {pct(v)}" for o, v in others[:3] if v) + "."
            out.append(s)
        for actor, c in (("EU27", "pipeline_gas"), ("EU27", "lng"), ("CHN", "crude_oil"), ("CHN", "pipeline_gas")):
            r, r0 = _conc(t, y, c, actor), _conc(t, y0, c, actor)
            if r is None:
                continue
            s = f"{short_name(data, actor)[0].upper() + short_name(data, actor)[1:]}'s supplier HHI for " \
                f"{COMMODITY[c]} is {r['hhi']:.2f} in {y}"
            if r0 is not None:
                s += f" ({r0['hhi']:.2f} in {y0})"
            s += f"; top supplier {short_name(data, r['top_partner'])} with {pct(r['top_share'])}"
            if r["hhi"] > STRATEGIC_HHI:
                s += f" — above the {STRATEGIC_HHI} strategic-dependency threshold"
            out.append(s + ".")
    if "trade" in rep.layers:
        a, b = _dep(t, y, "goods", "RUS", "CHN"), _dep(t, y, "goods", "CHN", "RUS")
        if a and b:
            out.append(f"In goods trade, China took {pct(a['share_out'])} of Russia's exports in {y} while Russia "
                       f"took {pct(b['share_out'])} of China's; China supplied {pct(b['share_in'])} of Russia's "
                       f"imports and Russia {pct(a['share_in'])} of China's — Russia needs China far more than the "
                       "reverse.")
        e, e0 = _dep(t, y, "goods", "CHN", "EU27"), _dep(t, y0, "goods", "CHN", "EU27")
        if e:
            s = f"China supplied {pct(e['share_in'])} of the EU's extra-EU goods imports in {y}"
            if e0:
                s += f" ({pct(e0['share_in'])} in {y0})"
            u = _dep(t, y, "goods", "USA", "EU27")
            if u:
                s += f"; the US {pct(u['share_in'])}"
            out.append(s + ".")
    cent = [r for r in t.get("centrality", []) if r["year"] == y and r["measure"] == "dependency_centrality"
            and r["commodity"] == "*" and r["layer"] == ("all" if len(rep.layers) == 3 else rep.layers[0])]
    if cent:
        top = sorted(cent, key=lambda r: -r["value"])[:4]
        lay = "across layers" if len(rep.layers) == 3 else f"in the {rep.layers[0]} layer"
        out.append(f"Dependency centrality {lay} in {y} ranks " +
                   ", ".join(f"{short_name(data, r['actor'])} ({r['value']:.3f})" for r in top) + ".")
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
            g = _gas_share(t, ly, "RUS")
            if g is not None:
                s += f"; Russia supplied {pct(g)} of the EU's gas imports"
            out.append(s + ".")
    return out


def notes(data: Data, rep) -> list[str]:
    """Caveats the reader needs next to the figures."""
    out = [
        "Oil and coal: the Statistical Review reports a Europe region (the EU27 plus Norway, the UK, Turkey and "
        "the Balkans), not the EU, and leaves out flows inside Europe; in energy and cross-layer aggregates the "
        "EU, Norway, the UK and Turkey are folded into Europe for the same reason.",
        "HHI counts remainder aggregates (rest of world, 'Other …') as many small partners, so it is a lower "
        "bound; they are never the top partner.",
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
            missing = [a for a in ("RUS", "CHN", "EU27", "USA") if a in {f["destination"] for f in fy}
                       and a not in have_row_in]
            if missing:
                what = "imports" if layer == "trade" else "inward FDI positions"
                out.append(f"{layer.capitalize()} {y}: no published world total for the {what} of "
                           f"{', '.join(short_name(data, a) for a in missing)}; their shares are of the "
                           "listed partners only.")
    return out
