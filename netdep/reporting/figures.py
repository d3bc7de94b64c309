"""Charts for a briefing: each one a :class:`Chart` (kind + data + labels) drawn by matplotlib as SVG and PNG.

Every chart carries a title, the unit of its values, the year and a source line, drawn on the figure
itself so that a PNG pasted into a slide still says what it shows and where the figures come from.
Layout is matplotlib's constrained layout plus ``bbox_inches="tight"``, so nothing is clipped; the network
chart places its labels greedily where they overlap neither another label nor a circle.

The same chart always gives the same bytes (fixed SVG id salt, no dates or software in the metadata).

>>> c = Chart("demo", "bars", {"items": [("A", 0.5), ("B", 0.25)], "threshold": 0.4},
...           title="Supplier HHI", unit="HHI (0–1)", year=2023, source="Energy Institute")
>>> c.svg().startswith("<svg") and b"PNG" in c.png()[:8]
True
"""

from __future__ import annotations

import io
import math
import textwrap
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Chart", "KINDS", "source_line"]

BLUE, LIGHT, RED, ORANGE = "#1f4e8c", "#9bb7d4", "#c0392b", "#f39c12"
PALETTE = ["#1f4e8c", "#c0392b", "#27ae60", "#f39c12", "#8e44ad", "#16a085", "#7f8c8d", "#d35400"]
WIDTH_IN = 8.0  # figure width in inches: 800 px at 100 dpi in the HTML page, 1600 px in the PNG (dpi 200)
PNG_DPI = 200


def source_line(sources: list[dict], limit: int = 3, rest: str = "see the sources list") -> str:
    """'Sources: <publisher>; <publisher>; …' for a chart, from source rows (most-cited first); ``rest`` says
    where the others are listed."""
    seen: list[str] = []
    for s in sources:
        p = (s.get("publisher") or "").strip()
        if p and p not in seen:
            seen.append(p)
    if not seen:
        return ""
    more = len(seen) - limit
    text = "; ".join(seen[:limit]) + (f"; and {more} more ({rest})" if more > 0 else "")
    return ("Source: " if len(seen) == 1 else "Sources: ") + text


@dataclass
class Chart:
    """A chart as data: ``kind`` (a key of :data:`KINDS`), its ``data``, and the labels a reader needs."""

    name: str
    kind: str
    data: dict[str, Any]
    title: str
    unit: str
    year: int | str | None = None
    source: str = ""
    alt: str = ""
    _cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def figure(self):
        """The matplotlib figure (Agg, not shown)."""
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        fig = Figure(figsize=(WIDTH_IN, 4.0), layout="constrained")
        FigureCanvasAgg(fig)
        KINDS[self.kind](fig, self)
        title = self.title if self.year is None or str(self.year) in self.title else f"{self.title}, {self.year}"
        fig.suptitle("\n".join(textwrap.wrap(title, 80)), fontsize=12, fontweight="bold", x=0.01,
                     ha="left")
        foot = "\n".join(textwrap.wrap(self.source, 120)) if self.source else "Source: not stated"
        fig.supxlabel(foot, fontsize=7.5, color="#444", x=0.01, ha="left")
        return fig

    def _save(self, fmt: str) -> bytes:
        if fmt == "png" and "svg" not in self._cache:
            self._save("svg")  # always SVG first from the one figure, so both are the same bytes in any call order
        if fmt not in self._cache:
            from matplotlib import rcParams

            buf = io.BytesIO()
            if "figure" not in self._cache:  # drawn once, saved as SVG and PNG
                self._cache["figure"] = self.figure()
            fig = self._cache["figure"]
            if fmt == "svg":
                with_salt = {"svg.hashsalt": f"netdep-{self.name}", "svg.fonttype": "path"}
                old = {k: rcParams[k] for k in with_salt}
                rcParams.update(with_salt)
                try:
                    fig.savefig(buf, format="svg", bbox_inches="tight", pad_inches=0.12, metadata={"Date": None})
                finally:
                    rcParams.update(old)
            else:
                fig.savefig(buf, format="png", dpi=PNG_DPI, bbox_inches="tight", pad_inches=0.12,
                            metadata={"Software": None})
            self._cache[fmt] = buf.getvalue()
        if "svg" in self._cache and "png" in self._cache:
            self._cache.pop("figure", None)  # both saved: free the figure
        return self._cache[fmt]

    def svg(self) -> str:
        """Self-contained SVG (text as paths, so it reads the same everywhere), without the XML prolog."""
        text = self._save("svg").decode("utf-8")
        text = text[text.index("<svg"):]
        label = self.alt or self.title
        # accessible name, and scale to the box it is shown in
        text = text.replace("<svg ", f"<svg role=\"img\" aria-label=\"{_attr(label)}\" ", 1)
        return text

    def png(self) -> bytes:
        """PNG at 200 dpi (1600 px wide), for slides and documents."""
        return self._save("png")

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "title": self.title, "unit": self.unit, "year": self.year,
                "source": self.source, "alt": self.alt, "data": _jsonable(self.data)}


def _attr(s: str) -> str:
    from html import escape

    return escape(s, quote=True)


def _jsonable(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k) if not isinstance(k, tuple) else " | ".join(map(str, k)): _jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    if isinstance(v, float | int | str) or v is None:
        return v
    return str(v)


def _wrap(label: str, width: int = 34) -> str:
    return "\n".join(textwrap.wrap(label, width)) or label


# ---- kinds ---------------------------------------------------------------------------------------------------

def _heatmap(fig, c: Chart) -> None:
    """data: rows, cols, values {(row, col): share 0–1 or None}."""
    import numpy as np

    rows, cols, vals = c.data["rows"], c.data["cols"], c.data["values"]
    fig.set_size_inches(5.6, 1.6 + 0.62 * len(rows))
    m = np.array([[np.nan if vals.get((r, k)) is None else vals[(r, k)] for k in cols] for r in rows], float)
    ax = fig.add_subplot()
    im = ax.imshow(np.nan_to_num(m, nan=0.0), cmap="Blues", vmin=0, vmax=1, aspect="auto")
    for i in range(len(rows)):
        for j in range(len(cols)):
            v = m[i, j]
            ax.text(j, i, "–" if np.isnan(v) else f"{100 * v:.0f}%", ha="center", va="center", fontsize=10,
                    color="white" if not np.isnan(v) and v > 0.55 else "#222")
    ax.set_xticks(range(len(cols)), cols)
    ax.set_yticks(range(len(rows)), rows)
    ax.xaxis.tick_top()
    ax.set_xlabel(c.data.get("xlabel", "supplier (column)"))
    ax.set_ylabel(c.data.get("ylabel", "importer (row)"))
    ax.tick_params(length=0)
    cb = fig.colorbar(im, ax=ax, shrink=0.9)
    cb.set_label(c.unit, fontsize=8)
    cb.ax.yaxis.set_major_formatter(lambda x, _: f"{100 * x:.0f}%")


def _bars(fig, c: Chart) -> None:
    """data: items [(label, value)], threshold (optional), xmax (optional), fmt, errors (optional: [(low, high)]
    per item, drawn as error bars)."""
    items = c.data["items"]
    threshold, fmt = c.data.get("threshold"), c.data.get("fmt", "{:.2f}")
    fig.set_size_inches(WIDTH_IN, 1.4 + 0.3 * len(items))
    ax = fig.add_subplot()
    ys = list(range(len(items)))[::-1]
    vals = [v for _, v in items]
    colors = [RED if threshold is not None and v > threshold else BLUE for v in vals]
    ax.barh(ys, vals, color=colors, height=0.7)
    errors = c.data.get("errors")  # issue 15: [(low, high)] per item, the range over the alternative figures
    ranged = [i for i, e in enumerate(errors or []) if e[0] != e[1]]  # a collapsed range draws nothing
    if ranged:
        ax.errorbar([vals[i] for i in ranged], [ys[i] for i in ranged],
                    xerr=[[max(vals[i] - errors[i][0], 0.0) for i in ranged],
                          [max(errors[i][1] - vals[i], 0.0) for i in ranged]],
                    fmt="none", ecolor="#222222", elinewidth=1, capsize=3)
    ax.set_yticks(ys, [_wrap(lab, 40) for lab, _ in items], fontsize=9)
    xmax = c.data.get("xmax") or max(vals + [threshold or 0, 1e-9]) * 1.15
    ax.set_xlim(0, xmax)
    for i, (y, v) in enumerate(zip(ys, vals)):
        top = max(v, errors[i][1]) if errors else v
        ax.text(top + xmax * 0.01, y, fmt.format(v), va="center", fontsize=8)
    if threshold is not None:
        ax.axvline(threshold, color=RED, ls="--", lw=1)
        ax.text(threshold, len(items) - 0.4, f" threshold {threshold}", color=RED, fontsize=8, va="bottom")
    ax.set_xlabel(c.unit)
    ax.spines[["top", "right"]].set_visible(False)


def _paired_bars(fig, c: Chart) -> None:
    """data: items [(label, a, b)] with shares 0–1 (None: n/a), labels (name of a, name of b)."""
    items, labels = c.data["items"], c.data["labels"]
    fig.set_size_inches(WIDTH_IN, 1.5 + 0.52 * len(items))
    ax = fig.add_subplot()
    h = 0.38
    ys = list(range(len(items)))[::-1]
    for k, (lab, col) in enumerate(zip(labels, (LIGHT, BLUE))):
        vals = [(it[1 + k] or 0.0) for it in items]
        pos = [y + (h / 2 if k == 0 else -h / 2) for y in ys]
        ax.barh(pos, vals, height=h, color=col, label=lab)
        for p, it in zip(pos, items):
            v = it[1 + k]
            ax.text((v or 0.0) + 0.01, p, "n/a" if v is None else f"{100 * v:.1f}%", va="center", fontsize=8)
    ax.set_yticks(ys, [_wrap(it[0], 44) for it in items], fontsize=9)
    top = max([max(it[1] or 0, it[2] or 0) for it in items] + [0.05])
    ax.set_xlim(0, min(1.0, top * 1.18) if top <= 0.85 else 1.12)
    ax.xaxis.set_major_formatter(lambda x, _: f"{100 * x:.0f}%")
    ax.set_xlabel(c.unit)
    ax.legend(loc="lower right", fontsize=8, frameon=False, ncols=2, bbox_to_anchor=(1.0, 1.0))
    ax.spines[["top", "right"]].set_visible(False)


def _lines(fig, c: Chart) -> None:
    """data: xs, series {label: [y or None]}, xlabel; y values in ``unit``. Legend below the plot, wrapped."""
    xs, series = c.data["xs"], c.data["series"]
    fig.set_size_inches(WIDTH_IN, 4.2 + 0.22 * len(series))
    ax = fig.add_subplot()
    scale = c.data.get("percent", False)
    for i, (label, ys) in enumerate(series.items()):
        pts = [(x, y) for x, y in zip(xs, ys) if y is not None]
        ax.plot([p[0] for p in pts], [100 * p[1] if scale else p[1] for p in pts], lw=2,
                color=PALETTE[i % len(PALETTE)], label=_wrap(label, 60), marker="o", ms=3)
    ax.set_xlabel(c.data["xlabel"])
    if c.data["xlabel"] in ("year", "month"):  # calendar axis: whole years, no offset ("+2.02e3")
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.xaxis.set_major_formatter(lambda x, _: f"{x:.0f}")
    ax.set_ylabel(c.unit)
    if c.data.get("zero_line"):
        ax.axhline(0, color="#999", lw=0.8)
    ax.grid(alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.16), fontsize=8, frameon=False,
              ncols=1 if len(series) > 4 else 2)


def _overlaps(a, b) -> bool:
    return not (a.x1 < b.x0 or b.x1 < a.x0 or a.y1 < b.y0 or b.y1 < a.y0)


def _network(fig, c: Chart) -> None:
    """data: nodes {actor: (lon, lat, strength, label)}, edges [(o, d, value)]. Labels never overlap."""
    from matplotlib.patches import FancyArrowPatch
    from matplotlib.transforms import Bbox

    nodes, edges = c.data["nodes"], c.data["edges"]
    fig.set_size_inches(10.0, 5.6)
    ax = fig.add_subplot()
    ax.set_xlim(-135, 165)
    ax.set_ylim(-48, 78)
    ax.set_aspect("equal")
    ax.axis("off")
    wmax = max([w for *_, w in edges] + [1e-9])
    smax = max([n[2] for n in nodes.values()] + [1e-9])
    radius = {a: 1.2 + 5.0 * math.sqrt(n[2] / smax) for a, n in nodes.items()}  # in degrees
    for o, d, w in edges:
        (x1, y1), (x2, y2) = nodes[o][:2], nodes[d][:2]
        ax.add_patch(FancyArrowPatch((x1, y1), (x2, y2), connectionstyle="arc3,rad=0.15", arrowstyle="-|>",
                                     mutation_scale=6 + 6 * w / wmax, lw=0.5 + 6 * w / wmax, color=BLUE,
                                     alpha=0.4, shrinkA=radius[o] * 1.5, shrinkB=radius[d] * 1.5, zorder=1))
    for a in sorted(nodes, key=lambda a: -nodes[a][2]):
        x, y = nodes[a][:2]
        ax.add_patch(_circle((x, y), radius[a]))
    fig.canvas.draw()  # positions in pixels are final only after a draw (constrained layout)
    renderer = fig.canvas.get_renderer()
    taken = [ax.transData.transform_bbox(Bbox.from_extents(nodes[a][0] - radius[a], nodes[a][1] - radius[a],
                                                           nodes[a][0] + radius[a], nodes[a][1] + radius[a]))
             for a in nodes]
    # largest actors choose first; each label tries positions around its circle, then further out with a leader
    box = {"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.75}
    for a in sorted(nodes, key=lambda a: (-nodes[a][2], a)):
        x, y = nodes[a][:2]
        r = radius[a]
        probe = ax.text(0, 0, nodes[a][3], fontsize=8, bbox=box)
        size = probe.get_window_extent(renderer)  # the label's size in pixels, wherever it goes
        probe.remove()
        w, h = size.width * 1.04, size.height * 1.08
        placed = False
        for dist in (1.0, 2.2, 3.6, 5.2):
            for dx, dy, ha, va in ((0, 1, "center", "bottom"), (1, 0, "left", "center"), (0, -1, "center", "top"),
                                   (-1, 0, "right", "center"), (0.8, 0.8, "left", "bottom"),
                                   (-0.8, 0.8, "right", "bottom"), (0.8, -0.8, "left", "top"),
                                   (-0.8, -0.8, "right", "top")):
                off = r + 0.8 + (dist - 1.0) * 3.0
                tx, ty = x + dx * off, y + dy * off
                px, py = ax.transData.transform((tx, ty))
                x0 = px - {"left": 0.0, "center": w / 2, "right": w}[ha]
                y0 = py - {"bottom": 0.0, "center": h / 2, "top": h}[va]
                bb = Bbox.from_bounds(x0, y0, w, h)
                inside = ax.bbox.x0 <= bb.x0 and bb.x1 <= ax.bbox.x1 and ax.bbox.y0 <= bb.y0 and bb.y1 <= ax.bbox.y1
                if inside and not any(_overlaps(bb, o) for o in taken):
                    taken.append(bb)
                    ax.text(tx, ty, nodes[a][3], ha=ha, va=va, fontsize=8, zorder=4, bbox=box)
                    if dist > 1.0:
                        ax.plot([x, tx], [y, ty], color="#888", lw=0.5, zorder=2)
                    placed = True
                    break
            if placed:
                break
        if not placed:  # crowded: keep it anyway, above the circle
            ax.text(x, y + r + 0.8, nodes[a][3], ha="center", va="bottom", fontsize=7, zorder=4)
    ax.text(-135, -48, f"Largest {len(edges)} flows; arrow width ∝ flow ({c.unit}); circle area ∝ total trade. "
            "Positions are schematic.", fontsize=7.5, color="#444", va="bottom")


def _circle(xy, r):
    from matplotlib.patches import Circle

    return Circle(xy, r, fc=ORANGE, ec="#7f4f00", alpha=0.85, lw=0.6, zorder=3)


KINDS = {"heatmap": _heatmap, "bars": _bars, "paired_bars": _paired_bars, "lines": _lines, "network": _network}
