"""Charts as self-contained SVG strings (no plotting library, nothing fetched when viewed).

>>> svg = bars([("A", 0.5), ("B", 0.25)], "Shares", threshold=0.4)
>>> svg.startswith("<svg") and "A" in svg
True
"""

from __future__ import annotations

import math
from html import escape

import networkx as nx

__all__ = ["heatmap", "bars", "paired_bars", "network", "lines", "POSITIONS"]

FONT = "font-family='system-ui,Segoe UI,Helvetica,Arial,sans-serif'"

# rough (longitude, latitude) for a schematic world map of the actors
POSITIONS = {
    "USA": (-100, 40), "CAN": (-105, 58), "MEX": (-102, 22), "REG_SC_AMERICA": (-62, -12), "COL": (-74, 4),
    "EU27": (10, 49), "REG_EUROPE": (10, 49), "NOR": (9, 63), "GBR": (-3, 55), "TUR": (35, 39),
    "REG_REST_OF_EUROPE": (22, 42), "REG_OTHER_EUROPE": (-8, 42), "UKR": (31, 49), "BLR": (28, 54),
    "RUS": (60, 60), "KAZ": (67, 48), "AZE": (48, 41), "TKM": (59, 39), "UZB": (64, 42), "REG_OTHER_CIS": (70, 43),
    "QAT": (51, 25), "SAU": (45, 23), "IRQ": (44, 33), "IRN": (54, 32), "KWT": (47.5, 29), "ARE": (54, 24),
    "OMN": (57, 21), "REG_OTHER_MIDDLE_EAST": (40, 17), "DZA": (3, 28), "LBY": (17, 27), "EGY": (30, 27),
    "NGA": (8, 9), "ZAF": (25, -29), "REG_AFRICA": (20, 2), "CHN": (104, 35), "MNG": (104, 47),
    "IND": (79, 21), "JPN": (139, 36), "KOR": (128, 36), "SGP": (104, 1), "MYS": (110, 4), "IDN": (118, -3),
    "MMR": (96, 20), "AUS": (134, -25), "REG_AUSTRALASIA": (140, -30), "REG_OTHER_ASIA_PACIFIC": (120, 15),
    "ROW": (-30, -40),
}


def _svg(width: int, height: int, body: str, title: str) -> str:
    return (f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}' width='{width}' "
            f"height='{height}' role='img' aria-label='{escape(title)}' {FONT} font-size='12'>"
            f"<title>{escape(title)}</title><rect width='100%' height='100%' fill='white'/>{body}</svg>")


def _blue(v: float) -> str:
    v = max(0.0, min(1.0, v))
    r, g, b = (int(247 - v * (247 - 8)), int(251 - v * (251 - 48)), int(255 - v * (255 - 107)))
    return f"rgb({r},{g},{b})"


def heatmap(rows: list[str], cols: list[str], values: dict[tuple[str, str], float | None], title: str,
            caption: str = "") -> str:
    """A matrix of shares (0–1) with row i, column j = values[(i, j)]."""
    cell, left, top = 64, 120, 56
    w, h = left + cell * len(cols) + 20, top + cell * len(rows) + 40
    body = [f"<text x='10' y='20' font-size='14' font-weight='600'>{escape(title)}</text>"]
    if caption:
        body.append(f"<text x='10' y='38' fill='#555'>{escape(caption)}</text>")
    for j, c in enumerate(cols):
        body.append(f"<text x='{left + cell * j + cell / 2}' y='{top - 6}' text-anchor='middle'>{escape(c)}</text>")
    for i, r in enumerate(rows):
        y = top + cell * i
        body.append(f"<text x='{left - 8}' y='{y + cell / 2 + 4}' text-anchor='end'>{escape(r)}</text>")
        for j, c in enumerate(cols):
            v = values.get((r, c))
            x = left + cell * j
            fill = "#eee" if v is None else _blue(v)
            ink = "white" if v is not None and v > 0.55 else "#222"
            label = "–" if v is None else f"{100 * v:.0f}%"
            body.append(f"<rect x='{x}' y='{y}' width='{cell - 2}' height='{cell - 2}' fill='{fill}'/>"
                        f"<text x='{x + cell / 2 - 1}' y='{y + cell / 2 + 4}' text-anchor='middle' "
                        f"fill='{ink}'>{label}</text>")
    return _svg(w, h, "".join(body), title)


def bars(items: list[tuple[str, float]], title: str, threshold: float | None = None, fmt: str = "{:.2f}",
         xmax: float | None = None) -> str:
    """Horizontal bars, optionally with a vertical threshold line (e.g. HHI 0.4)."""
    left, top, bh, width = 190, 34, 20, 360
    xmax = xmax or max([v for _, v in items] + [threshold or 0, 1e-9])
    h = top + bh * len(items) + 30
    body = [f"<text x='10' y='20' font-size='14' font-weight='600'>{escape(title)}</text>"]
    for i, (label, v) in enumerate(items):
        y = top + i * bh
        wv = width * max(v, 0) / xmax
        color = "#c0392b" if threshold is not None and v > threshold else "#2c6fbb"
        body.append(f"<text x='{left - 6}' y='{y + 14}' text-anchor='end'>{escape(label)}</text>"
                    f"<rect x='{left}' y='{y + 3}' width='{wv:.1f}' height='{bh - 6}' fill='{color}'/>"
                    f"<text x='{left + wv + 4:.1f}' y='{y + 14}'>{fmt.format(v)}</text>")
    if threshold is not None:
        x = left + width * threshold / xmax
        body.append(f"<line x1='{x:.1f}' x2='{x:.1f}' y1='{top - 4}' y2='{h - 22}' stroke='#c0392b' "
                    f"stroke-dasharray='4 3'/><text x='{x + 3:.1f}' y='{h - 8}' fill='#c0392b'>{threshold}</text>")
    return _svg(left + width + 90, h, "".join(body), title)


def paired_bars(items: list[tuple[str, float | None, float | None]], labels: tuple[str, str], title: str) -> str:
    """Two bars per item (e.g. a share in 2021 and in 2023), values 0–1 shown as percentages."""
    left, top, bh, width = 190, 46, 30, 360
    h = top + bh * len(items) + 20
    colors = ("#9bb7d4", "#1f4e8c")
    body = [f"<text x='10' y='20' font-size='14' font-weight='600'>{escape(title)}</text>"]
    for k, (lab, col) in enumerate(zip(labels, colors)):
        body.append(f"<rect x='{left + 110 * k}' y='28' width='12' height='10' fill='{col}'/>"
                    f"<text x='{left + 110 * k + 16}' y='37'>{escape(lab)}</text>")
    for i, (label, a, b) in enumerate(items):
        y = top + i * bh
        body.append(f"<text x='{left - 6}' y='{y + 17}' text-anchor='end'>{escape(label)}</text>")
        for k, v in enumerate((a, b)):
            wv = width * (v or 0)
            yy = y + 3 + k * 12
            body.append(f"<rect x='{left}' y='{yy}' width='{wv:.1f}' height='11' fill='{colors[k]}'/>"
                        f"<text x='{left + wv + 4:.1f}' y='{yy + 10}' font-size='10'>"
                        f"{'n/a' if v is None else f'{100 * v:.0f}%'}</text>")
    return _svg(left + width + 80, h, "".join(body), title)


def network(G: nx.DiGraph, title: str, labels: dict[str, str] | None = None, max_edges: int = 45,
            unit: str = "") -> str:
    """A schematic map: actors at rough geographic positions, arrows with width ∝ flow (largest edges)."""
    labels = labels or {}
    W, H, pad = 900, 470, 40

    def xy(a: str) -> tuple[float, float]:
        lon, lat = POSITIONS.get(a, (0, -50))
        return pad + (lon + 130) / 290 * (W - 2 * pad), pad + (75 - lat) / 125 * (H - 2 * pad)

    edges = sorted(G.edges(data="value", default=0.0), key=lambda e: (-e[2], e[0], e[1]))[:max_edges]
    wmax = max([w for *_, w in edges] + [1e-9])
    strength = {n: G.in_degree(n, weight="value") + G.out_degree(n, weight="value") for n in G}
    smax = max(list(strength.values()) + [1e-9])
    body = [f"<text x='10' y='20' font-size='14' font-weight='600'>{escape(title)}</text>",
            "<defs><marker id='arrow' viewBox='0 0 10 10' refX='9' refY='5' markerWidth='5' markerHeight='5' "
            "orient='auto-start-reverse'><path d='M0,0 L10,5 L0,10 z' fill='#1f4e8c' fill-opacity='0.6'/></marker>"
            "</defs>"]
    for o, d, w in edges:
        (x1, y1), (x2, y2) = xy(o), xy(d)
        # bend each arc a little so that a->b and b->a do not overlap
        mx, my = (x1 + x2) / 2, (y1 + y2) / 2
        dx, dy = x2 - x1, y2 - y1
        length = math.hypot(dx, dy) or 1.0
        cx, cy = mx - dy / length * 0.15 * length, my + dx / length * 0.15 * length
        sw = 0.6 + 9 * w / wmax
        body.append(f"<path d='M{x1:.1f},{y1:.1f} Q{cx:.1f},{cy:.1f} {x2:.1f},{y2:.1f}' fill='none' "
                    f"stroke='#1f4e8c' stroke-opacity='0.45' stroke-width='{sw:.2f}' marker-end='url(#arrow)'>"
                    f"<title>{escape(o)} → {escape(d)}: {w:.3g} {escape(unit)}</title></path>")
    shown = {a for o, d, _ in edges for a in (o, d)}
    for n in sorted(shown):
        x, y = xy(n)
        r = 4 + 14 * math.sqrt(strength[n] / smax)
        body.append(f"<circle cx='{x:.1f}' cy='{y:.1f}' r='{r:.1f}' fill='#f39c12' fill-opacity='0.85' "
                    f"stroke='#7f4f00'/><text x='{x:.1f}' y='{y - r - 3:.1f}' text-anchor='middle' "
                    f"font-size='11'>{escape(labels.get(n, n))}</text>")
    body.append(f"<text x='10' y='{H - 10}' fill='#555'>Largest {len(edges)} flows; arrow width ∝ flow "
                f"({escape(unit)}); circle area ∝ total trade. Positions are schematic.</text>")
    return _svg(W, H, "".join(body), title)


def lines(xs: list[float], series: dict[str, list[float | None]], title: str, xlabel: str, ylabel: str) -> str:
    """Line chart of several series against ``xs`` (e.g. a scenario sweep)."""
    W, H, left, right, top, bottom = 760, 420, 70, 170, 36, 50
    ys = [v for s in series.values() for v in s if v is not None]
    lo, hi = (min(ys), max(ys)) if ys else (0.0, 1.0)
    if hi - lo < 1e-12:
        lo, hi = lo - 0.5, hi + 0.5
    x0, x1 = (min(xs), max(xs)) if xs else (0.0, 1.0)
    x1 = x1 if x1 > x0 else x0 + 1

    def px(x: float) -> float:
        return left + (x - x0) / (x1 - x0) * (W - left - right)

    def py(y: float) -> float:
        return top + (hi - y) / (hi - lo) * (H - top - bottom)

    palette = ["#1f4e8c", "#c0392b", "#27ae60", "#f39c12", "#8e44ad", "#16a085", "#7f8c8d", "#d35400"]
    body = [f"<text x='10' y='20' font-size='14' font-weight='600'>{escape(title)}</text>",
            f"<line x1='{left}' x2='{W - right}' y1='{H - bottom}' y2='{H - bottom}' stroke='#333'/>",
            f"<line x1='{left}' x2='{left}' y1='{top}' y2='{H - bottom}' stroke='#333'/>",
            f"<text x='{(left + W - right) / 2}' y='{H - 12}' text-anchor='middle'>{escape(xlabel)}</text>",
            f"<text x='14' y='{(top + H - bottom) / 2}' transform='rotate(-90 14 {(top + H - bottom) / 2})' "
            f"text-anchor='middle'>{escape(ylabel)}</text>"]
    for k in range(5):
        yv = lo + (hi - lo) * k / 4
        body.append(f"<text x='{left - 6}' y='{py(yv) + 4:.1f}' text-anchor='end' font-size='10'>{yv:.3g}</text>"
                    f"<line x1='{left}' x2='{W - right}' y1='{py(yv):.1f}' y2='{py(yv):.1f}' stroke='#eee'/>")
        xv = x0 + (x1 - x0) * k / 4
        body.append(f"<text x='{px(xv):.1f}' y='{H - bottom + 16}' text-anchor='middle' font-size='10'>"
                    f"{xv:.3g}</text>")
    for i, (name, s) in enumerate(series.items()):
        color = palette[i % len(palette)]
        pts = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in zip(xs, s) if y is not None)
        body.append(f"<polyline points='{pts}' fill='none' stroke='{color}' stroke-width='2'/>"
                    f"<text x='{W - right + 8}' y='{top + 16 * i + 10}' fill='{color}'>{escape(name)}</text>")
    return _svg(W, H, "".join(body), title)
