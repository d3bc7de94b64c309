"""Import bilateral energy trade from the Energy Institute *Statistical Review of World Energy*.

The all-data workbook (``.xlsx``) holds each year's trade as matrices; a JSON
re-parse of the workbook (``{"sheets": {name: {"grid": [[...]]}}}``) is read the
same way. This module turns those matrices into long rows in netdep's
geography, ready to be written as a cited source CSV under ``data/src/``.

Geography (see README, "Geography"): each (year, commodity) graph must
partition the world without overlap. The Review's oil and coal tables have a
regional *Europe* (``REG_EUROPE``) and exclude intra-area movements; its gas
tables have the EU (``EU27``). Labels that the Review aggregates ("Other Asia
Pacific", ...) map to remainder aggregates whose membership is "what is not
listed separately in the same table". Flows that the mapping turns into
self-loops (intra-EU, intra-region) are dropped, as the Review itself excludes
intra-area movements.

>>> normalise_label(" Other Europe1")
'Other Europe'
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import SourceFormatError

__all__ = [
    "EIRow",
    "normalise_label",
    "read_grids",
    "matrix_rows",
    "balance_rows",
    "price_rows",
    "SHEETS",
]

# label -> actor code, shared by all tables; per-table maps extend or override it
COUNTRIES = {
    "US": "USA", "Canada": "CAN", "Mexico": "MEX", "China": "CHN", "India": "IND",
    "Japan": "JPN", "South Korea": "KOR", "Russian Federation": "RUS", "Russia": "RUS",
    "Norway": "NOR", "Qatar": "QAT", "United Kingdom": "GBR", "Turkey": "TUR",
    "Türkiye": "TUR", "Belarus": "BLR", "Saudi Arabia": "SAU", "Iraq": "IRQ",
    "Kuwait": "KWT", "UAE": "ARE", "United Arab Emirates": "ARE", "Australia": "AUS",
    "Algeria": "DZA", "Azerbaijan": "AZE", "Kazakhstan": "KAZ", "Turkmenistan": "TKM",
    "Uzbekistan": "UZB", "Indonesia": "IDN", "Mongolia": "MNG", "Colombia": "COL",
    "South Africa": "ZAF", "Singapore": "SGP", "Nigeria": "NGA", "Malaysia": "MYS",
    "Egypt": "EGY", "Oman": "OMN", "Iran": "IRN", "Libya": "LBY", "Myanmar": "MMR",
    "Ukraine": "UKR",
}
EU_MEMBER_LABELS = {
    "EU", "European Union", "Belgium", "France", "Italy", "Spain", "Netherlands",
    "Other EU", "Other European Union", "Germany", "Poland", "Portugal", "Greece",
    "Croatia", "Lithuania", "Finland",
    # listed separately in older editions (2018 edition: Austria, Czech Republic, Hungary, Ireland, Slovakia)
    "Austria", "Czech Republic", "Czechia", "Hungary", "Ireland", "Slovakia", "Denmark", "Sweden",
    "Bulgaria", "Romania", "Slovenia", "Luxembourg", "Estonia", "Latvia", "Cyprus", "Malta",
}


@dataclass(frozen=True)
class Table:
    """How one matrix sheet is laid out and mapped."""

    commodity: str
    sheet_patterns: tuple[str, ...]  # regexes matched against sheet names
    rows_are: str  # "origin" or "destination"
    header_first_cell: str  # regex for the first cell of the header row
    block: int = 0  # oil sheets hold a crude block (0) and a products block (1)
    extra: tuple[tuple[str, str], ...] = ()  # label -> actor, table specific
    skip: frozenset[str] = frozenset()  # subtotal rows/columns
    drop_pairs: frozenset[tuple[str, str]] = frozenset()  # (origin label, destination label)
    split_header: bool = False  # LNG column labels are split over two rows

    def actor(self, label: str) -> str:
        extra = dict(self.extra)
        if label in extra:
            return extra[label]
        if label in EU_MEMBER_LABELS and self.commodity in ("pipeline_gas", "lng"):
            return "EU27"
        return COUNTRIES.get(label, "ROW")


OIL_EXTRA = (
    ("S. & Cent. America", "REG_SC_AMERICA"), ("Europe", "REG_EUROPE"),
    ("Other CIS", "REG_OTHER_CIS"), ("Other Middle East", "REG_OTHER_MIDDLE_EAST"),
    ("Middle East", "REG_OTHER_MIDDLE_EAST"), ("North Africa", "REG_AFRICA"),
    ("West Africa", "REG_AFRICA"), ("East & S. Africa", "REG_AFRICA"), ("Africa", "REG_AFRICA"),
    ("Australasia", "REG_AUSTRALASIA"), ("Other Asia Pacific", "REG_OTHER_ASIA_PACIFIC"),
)
COAL_EXTRA = (
    ("S. & Cent. America", "REG_SC_AMERICA"), ("Europe", "REG_EUROPE"),
    ("CIS", "REG_OTHER_CIS"), ("Other CIS", "REG_OTHER_CIS"),
    ("Middle East", "REG_OTHER_MIDDLE_EAST"), ("Africa", "REG_AFRICA"),
    ("Other Africa", "REG_AFRICA"), ("Other Asia Pacific", "REG_OTHER_ASIA_PACIFIC"),
    ("Rest of World", "ROW"),
)
PIPE_EXTRA = (
    ("Bolivia", "REG_SC_AMERICA"), ("Argentina", "REG_SC_AMERICA"), ("Brazil", "REG_SC_AMERICA"),
    ("Other S. & Cent. America", "REG_SC_AMERICA"), ("Other Europe", "REG_REST_OF_EUROPE"),
    ("Rest of Europe", "REG_REST_OF_EUROPE"), ("Non-EU Europe", "REG_REST_OF_EUROPE"),
    ("Other CIS", "ROW"), ("Other Middle East", "REG_OTHER_MIDDLE_EAST"),
    ("Other Africa", "REG_AFRICA"), ("Other Asia Pacific", "REG_OTHER_ASIA_PACIFIC"),
)
LNG_EXTRA = (
    ("Argentina", "REG_SC_AMERICA"), ("Brazil", "REG_SC_AMERICA"), ("Chile", "REG_SC_AMERICA"),
    ("Other S. & Cent. America", "REG_SC_AMERICA"), ("Peru", "REG_SC_AMERICA"),
    ("Trinidad & Tobago", "REG_SC_AMERICA"), ("Other Americas", "REG_SC_AMERICA"),
    ("Other Europe", "REG_OTHER_EUROPE"), ("Rest of Europe", "REG_OTHER_EUROPE"),
    ("Other Middle East & Africa", "REG_OTHER_MIDDLE_EAST"), ("Yemen", "REG_OTHER_MIDDLE_EAST"),
    ("Other Africa", "REG_AFRICA"), ("Angola", "REG_AFRICA"), ("Equatorial Guinea", "REG_AFRICA"),
    ("Other Asia Pacific", "REG_OTHER_ASIA_PACIFIC"), ("Brunei", "REG_OTHER_ASIA_PACIFIC"),
    ("Papua New Guinea", "REG_OTHER_ASIA_PACIFIC"), ("Pakistan", "REG_OTHER_ASIA_PACIFIC"),
    ("Taiwan", "REG_OTHER_ASIA_PACIFIC"), ("Thailand", "REG_OTHER_ASIA_PACIFIC"),
)
SUBTOTALS = frozenset({
    "North America", "S. & Cent. America", "Europe", "CIS", "Middle East", "Africa",
    "Asia Pacific", "Middle East & Africa", "Total imports", "Total exports", "Total",
    "From", "To",
})

SHEETS: tuple[Table, ...] = (
    Table("crude_oil", (r"^Oil - Inter-area movements",), "origin", r"^Crude", 0, OIL_EXTRA,
          frozenset({"Total", "Total imports"})),
    Table("oil_products", (r"^Oil - Inter-area movements",), "origin", r"^Crude", 1, OIL_EXTRA,
          frozenset({"Total", "Total imports"})),
    Table("coal", (r"^Coal - Inter area movts", r"^Coal trade movements \d{4}"), "origin",
          r"^(Exajoules|Million tonnes oil equivalent)", 0, COAL_EXTRA, frozenset({"Total", "Total imports"})),
    # "Other Europe" -> EU in the pipeline table is mostly intra-European re-export
    # and transit (e.g. 95.6 bcm in 2023 while the UK, the only large non-EU exporter
    # other than Norway, sent far less); dropped so EU27 shares are extra-EU shares.
    Table("pipeline_gas", (r"^Gas - Trade movts - pipeline", r"^Gas trade( \d{4})? - pipeline",
                                  r"^Gas - Trade - pipeline"),
          "destination", r"^To", 0, PIPE_EXTRA, SUBTOTALS,
          frozenset(("Other Europe", m) for m in EU_MEMBER_LABELS)),
    Table("lng", (r"^Gas - Trade movts LNG", r"^Gas trade( \d{4})? - LNG", r"^Gas - Trade movements LNG"),
          "destination", r"^To", 0, LNG_EXTRA, SUBTOTALS, split_header=True),
)


@dataclass(frozen=True)
class EIRow:
    """One cell of a Review matrix, mapped to actors."""

    year: int
    commodity: str
    origin: str
    destination: str
    value: float
    origin_label: str
    destination_label: str
    sheet: str


def normalise_label(label: object) -> str:
    """Strip whitespace, footnote digits and asterisks from a Review label."""
    text = re.sub(r"\s+", " ", str(label or "")).strip()
    text = re.sub(r"[\*†#\d]+$", "", text).strip()
    return text


def _number(cell: object) -> float | None:
    if cell is None or cell == "" or cell in ("-", "n/a", "^", "†"):
        return None
    if isinstance(cell, (int, float)):
        return float(cell)
    try:
        return float(str(cell).replace(",", ""))
    except ValueError:
        return None


def read_grids(path: str | Path) -> dict[str, list[list[object]]]:
    """Read every sheet of a Review workbook (``.xlsx``) or its JSON re-parse as grids."""
    path = Path(path)
    if not path.exists():
        raise SourceFormatError(f"{path}: no such file")
    if path.suffix.lower() == ".json":
        try:
            sheets = json.loads(path.read_text(encoding="utf-8"))["sheets"]
        except (ValueError, KeyError) as exc:
            raise SourceFormatError(f"{path}: not a Statistical Review JSON ({exc})") from None
        grids = {}
        for name, sheet in sheets.items():
            if "grid" in sheet:
                grids[name] = sheet["grid"]
            elif "entities" in sheet:  # time series: rebuild a grid with a year header
                header = ["", *sheet["years"]]
                grids[name] = [header] + [[e["name"], *e["values"]] for e in sheet["entities"]]
        return grids
    try:
        import openpyxl
    except ImportError as exc:  # pragma: no cover - openpyxl is in the 'build' extra
        raise SourceFormatError("reading .xlsx needs openpyxl: pip install 'netdep[build]'") from exc
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a bad file
        raise SourceFormatError(f"{path}: not a readable .xlsx workbook ({exc})") from None
    grids = {name: [list(r) for r in wb[name].iter_rows(values_only=True)] for name in wb.sheetnames}
    wb.close()
    return grids


def _find_sheet(grids: dict, table: Table) -> str | None:
    for name in grids:
        if any(re.search(p, name.strip()) for p in table.sheet_patterns):
            return name
    return None


def _year_of(grid: list[list[object]], fallback: int | None) -> int:
    for row in grid[:3]:
        for cell in row:
            m = re.search(r"(?:movements|movts)\s+(\d{4})", str(cell or ""))
            if m:
                return int(m.group(1))
    if fallback is None:
        raise SourceFormatError("cannot tell the data year of the trade matrix; pass year=")
    return fallback


#: editions before 2020 give coal trade in million tonnes oil equivalent; 1 Mtoe = 41.868 PJ
#: (Statistical Review, "Approximate conversion factors"), so values are converted to EJ
MTOE_TO_EJ = 0.041868


def matrix_rows(grids: dict[str, list[list[object]]], year: int | None = None,
                missing_ok: Iterable[str] = ()) -> Iterator[EIRow]:
    """Yield every non-zero cell of the Review's trade matrices in netdep's geography.

    ``year`` overrides the year read from the sheet title (the 2026 edition's oil
    sheet is titled 2024 although it holds 2025 data). ``missing_ok`` names
    commodities whose matrix an edition may lack (the 2018 edition has no coal
    inter-area table); any other missing table is an error. Coal given in Mtoe
    (editions up to 2019) is converted to EJ with :data:`MTOE_TO_EJ`.
    """
    skip_missing = set(missing_ok)
    for table in SHEETS:
        name = _find_sheet(grids, table)
        if name is None:
            if table.commodity in skip_missing:
                continue
            raise SourceFormatError(f"no sheet for {table.commodity} (looked for {table.sheet_patterns})")
        grid = grids[name]
        data_year = year if year is not None else _year_of(grid, None)
        headers = [i for i, r in enumerate(grid) if r and re.search(table.header_first_cell, str(r[0] or "").strip())]
        if not headers:
            raise SourceFormatError(f"sheet {name!r}: header row {table.header_first_cell!r} not found")
        h = headers[0]
        scale = MTOE_TO_EJ if str(grid[h][0] or "").strip().startswith("Million tonnes oil") else 1.0
        labels = list(grid[h])  # the products block reuses the crude block's column labels
        if table.block:
            starts = [i for i, r in enumerate(grid) if r and str(r[0] or "").strip().startswith("Product")]
            if not starts:
                raise SourceFormatError(f"sheet {name!r}: no 'Product' block")
            start = starts[0]
        else:
            start = h
        if table.split_header and h > 0:
            above = grid[h - 1]
            labels = [f"{above[i] or ''} {labels[i] or ''}" if i < len(above) and i > 0 else labels[i]
                      for i in range(len(labels))]
        columns = {j: normalise_label(lab) for j, lab in enumerate(labels) if j > 0 and normalise_label(lab)}
        yield from _remainder_europe(list(_table_cells(table, name, grid, start, columns, data_year, scale)))


def _remainder_europe(rows: list[EIRow]) -> list[EIRow]:
    """Map the pipeline table's 'Other Europe' to a remainder when the table lists the UK or Turkey.

    Editions up to 2021 list the United Kingdom and Turkey separately, so their
    'Other Europe' is what is left (``REG_OTHER_EUROPE``, a remainder aggregate);
    later editions fold them into 'Rest of Europe' / 'Non-EU Europe'
    (``REG_REST_OF_EUROPE``, which covers GBR and TUR).
    """
    actors = {a for r in rows for a in (r.origin, r.destination)}
    if not actors & {"GBR", "TUR"}:
        return rows
    fix = {"REG_REST_OF_EUROPE": "REG_OTHER_EUROPE"}
    return [EIRow(r.year, r.commodity, fix.get(r.origin, r.origin), fix.get(r.destination, r.destination),
                  r.value, r.origin_label, r.destination_label, r.sheet) for r in rows]


def _table_cells(table: Table, name: str, grid: list[list[object]], start: int, columns: dict[int, str],
                 data_year: int, scale: float) -> Iterator[EIRow]:
    """The non-zero cells of one matrix block, mapped to actors."""
    for row in grid[start + 1:]:
        if not row or row[0] is None or str(row[0]).strip() == "":
            if any(_number(c) for c in row[1:] if row):
                continue
            break
        row_label = normalise_label(row[0])
        if row_label in table.skip:
            if row_label.startswith("Total"):
                break
            continue
        for j, col_label in columns.items():
            if col_label in table.skip or j >= len(row):
                continue
            value = _number(row[j])
            if not value:
                continue
            o_label, d_label = (row_label, col_label) if table.rows_are == "origin" else (col_label, row_label)
            if (o_label, d_label) in table.drop_pairs:
                continue
            yield EIRow(data_year, table.commodity, table.actor(o_label), table.actor(d_label),
                        value * scale, o_label, d_label, name + (" (Mtoe x 0.041868 = EJ)" if scale != 1.0 else ""))


BALANCE_SHEETS = {
    ("natural_gas", "production"): r"^Gas Production - Bcm",
    ("natural_gas", "consumption"): r"^Gas Consumption - Bcm",
    ("oil", "production"): r"^Oil Production - [Tt]onnes",
    ("oil", "consumption"): r"^Oil Consumption - Tonnes",
}
BALANCE_ACTORS = {
    "US": "USA", "China": "CHN", "Russian Federation": "RUS", "European Union": "EU27",
    "of which: European Union": "EU27", "Norway": "NOR", "Qatar": "QAT", "India": "IND",
    "Japan": "JPN", "South Korea": "KOR", "Turkey": "TUR", "Türkiye": "TUR",
    "United Kingdom": "GBR", "Ukraine": "UKR", "Belarus": "BLR", "Saudi Arabia": "SAU",
}


def balance_rows(grids: dict, years: Iterable[int]) -> Iterator[tuple[str, int, str, str, float, str]]:
    """Yield ``(actor, year, commodity, field, value, sheet)`` from the production/consumption sheets."""
    wanted = set(years)
    for (commodity, field), pattern in BALANCE_SHEETS.items():
        name = next((n for n in grids if re.search(pattern, n.strip())), None)
        if name is None:
            raise SourceFormatError(f"no sheet matching {pattern!r}")
        grid = grids[name]
        header = next(r for r in grid if r and any(1960 < (_number(c) or 0) < 2100 for c in r[1:5]))
        cols = {}
        for j, c in enumerate(header):
            n = _number(c)
            if j > 0 and n and int(n) in wanted and int(n) not in cols.values():
                cols[j] = int(n)
        for row in grid:
            if not row or row[0] is None:
                continue
            label = re.sub(r"\s+", " ", str(row[0])).strip().rstrip("#").strip()
            actor = BALANCE_ACTORS.get(label)
            if actor is None:
                continue
            for j, y in cols.items():
                value = _number(row[j]) if j < len(row) else None
                if value is not None:
                    yield actor, y, commodity, field, value, name


def price_rows(grids: dict, years: Iterable[int]) -> Iterator[tuple[int, str, float, str, str]]:
    """Yield ``(year, series, price, unit, sheet)`` for Brent, TTF, Japan LNG and NW Europe coal."""
    wanted = set(years)
    specs = [
        (r"^Spot crude prices|^Oil - Spot crude prices", "Brent", "USD/bbl"),
        (r"^Gas Prices", "Netherlands TTF", "USD/MMBtu"),
        (r"^Gas Prices", "Japan", "USD/MMBtu"),
        (r"^Coal & Uranium - Prices|^Coal Prices", "Northwest Europe", "USD/t"),
    ]
    for pattern, series, unit in specs:
        name = next((n for n in grids if re.search(pattern, n.strip())), None)
        if name is None:
            raise SourceFormatError(f"no sheet matching {pattern!r}")
        grid = grids[name]
        col = None
        for r in grid[:6]:
            for j, c in enumerate(r):
                if c and normalise_label(str(c).split("\n")[0]).startswith(series):
                    col = j
                    break
            if col is not None:
                break
        if col is None:
            raise SourceFormatError(f"sheet {name!r}: no column {series!r}")
        seen = set()
        for r in grid:
            y = _number(r[0]) if r else None
            if y and int(y) in wanted and int(y) not in seen and col < len(r):
                p = _number(r[col])
                if p is not None:
                    seen.add(int(y))
                    yield int(y), series, p, unit, name


def flow_records(grids: dict, source_id: str, year: int | None = None, ndigits: int = 3,
                 missing_ok: Iterable[str] = ()) -> list[dict]:
    """Aggregate :func:`matrix_rows` per (commodity, origin, destination) into flow records.

    Self-loops (intra-EU, intra-region after mapping) are dropped. Each record's
    ``note`` names the cells that were summed, so the figure can be found again.
    """
    cells: dict[tuple, list[EIRow]] = {}
    for r in matrix_rows(grids, year=year, missing_ok=missing_ok):
        if r.origin == r.destination:
            continue
        cells.setdefault((r.year, r.commodity, r.origin, r.destination), []).append(r)
    out = []
    for (y, commodity, origin, destination), parts in sorted(cells.items()):
        value = round(sum(p.value for p in parts), ndigits)
        if value <= 0:
            continue
        sheet = parts[0].sheet.strip()
        what = "; ".join(f"{p.origin_label} -> {p.destination_label}" for p in parts)
        out.append({
            "year": y, "layer": "energy", "commodity": commodity, "origin": origin,
            "destination": destination, "value": value, "route": "", "source_id": source_id,
            "note": f"EI sheet '{sheet}': {what}",
        })
    return out
