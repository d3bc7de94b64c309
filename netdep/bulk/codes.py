"""BACI's numeric country codes -> netdep actor codes (ISO 3166-1 alpha-3), and HS6 product codes.

BACI identifies countries by UN M49 / Comtrade numeric codes. Its country-code file maps them to ISO3
(column ``country_iso3`` in recent releases, ``iso_3digit_alpha`` in older ones). Without the file,
``pycountry`` maps ISO 3166-1 numeric codes to alpha-3; Comtrade uses a handful of codes of its own for a
country including its territories (France 251, Norway 579, India 699, Switzerland 757, USA 842), which
:data:`COMTRADE_TO_ISO` translates first.

>>> fallback_map([251, 276, 156])
{251: 'FRA', 276: 'DEU', 156: 'CHN'}
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from ..errors import SourceFormatError

__all__ = ["EU27", "EU27_ACTOR", "COMTRADE_TO_ISO", "read_country_codes", "fallback_map", "read_product_codes",
           "hs6_commodity"]

EU27_ACTOR = "EU27"
# Members since 1 February 2020 (the same list as the EU27 row of actors.parquet).
EU27 = ("AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN", "IRL", "ITA",
        "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "ESP", "SWE")

# Comtrade/BACI numeric code -> ISO 3166-1 numeric code of the same country (Comtrade's "incl." codes).
COMTRADE_TO_ISO = {251: 250, 579: 578, 699: 356, 757: 756, 842: 840}

_ISO3_COLUMNS = ("country_iso3", "iso_3digit_alpha")
_NAME_COLUMNS = ("country_name", "country_name_abbreviation", "country_name_full")


def _header(path: Path) -> tuple[list[str], list[list[str]]]:
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = list(csv.reader(f))
    except UnicodeDecodeError:
        with open(path, newline="", encoding="latin-1") as f:
            rows = list(csv.reader(f))
    except OSError as exc:
        raise SourceFormatError(f"{path}: cannot read ({exc.strerror})") from None
    if not rows:
        raise SourceFormatError(f"{path}: file is empty")
    return [h.strip().lower() for h in rows[0]], rows[1:]


def read_country_codes(path: str | Path) -> dict[int, tuple[str, str]]:
    """Read BACI's country-code file: ``{code: (iso3, name)}``.

    Accepts the newer header (``country_code,country_name,country_iso2,country_iso3``) and the older one
    (``country_code,country_name_abbreviation,country_name_full,iso_2digit_alpha,iso_3digit_alpha``).
    Rows without an ISO3 code are skipped (they only matter if the data uses them, which the importer reports).
    """
    path = Path(path)
    head, rows = _header(path)
    iso_col = next((head.index(c) for c in _ISO3_COLUMNS if c in head), None)
    if "country_code" not in head or iso_col is None:
        raise SourceFormatError(
            f"{path}: not a BACI country-code file: expected columns country_code and country_iso3 "
            f"(or iso_3digit_alpha), found {', '.join(head) or 'none'}")
    code_col = head.index("country_code")
    name_col = next((head.index(c) for c in _NAME_COLUMNS if c in head), None)
    out: dict[int, tuple[str, str]] = {}
    for n, row in enumerate(rows, start=2):
        if not row or not any(cell.strip() for cell in row):
            continue
        try:
            code = int(row[code_col])
        except (ValueError, IndexError):
            raise SourceFormatError(f"{path}:{n}: country_code: '{row[code_col] if row else ''}' "
                                    f"is not a number") from None
        iso3 = row[iso_col].strip().upper() if iso_col < len(row) else ""
        if len(iso3) != 3 or not iso3.isalnum() or iso3 == "N/A":
            continue
        name = row[name_col].strip() if name_col is not None and name_col < len(row) else iso3
        out[code] = (iso3, name)
    if not out:
        raise SourceFormatError(f"{path}: no country has an ISO3 code")
    return out


def fallback_map(codes: Iterable[int]) -> dict[int, str]:
    """Map numeric codes to ISO3 with ``pycountry`` (after :data:`COMTRADE_TO_ISO`); unknown codes are left out."""
    try:
        import pycountry
    except ModuleNotFoundError:  # pragma: no cover - depends on the install
        raise SourceFormatError("mapping BACI country codes needs --country-codes FILE or the pycountry "
                                "package (pip install 'netdep[scale]')") from None
    out = {}
    for code in codes:
        c = pycountry.countries.get(numeric=f"{COMTRADE_TO_ISO.get(int(code), int(code)):03d}")
        if c is not None:
            out[int(code)] = c.alpha_3
    return out


def fallback_names(iso3: Iterable[str]) -> dict[str, str]:
    """Display names from ``pycountry`` (the ISO3 code itself when unknown)."""
    import pycountry

    out = {}
    for a in iso3:
        c = pycountry.countries.get(alpha_3=a)
        out[a] = c.name if c is not None else a
    return out


def hs6_commodity(code: str | int) -> str:
    """The netdep commodity of an HS6 code: ``'hs6:'`` and six digits (leading zeros restored).

    >>> hs6_commodity(10121), hs6_commodity("854231")
    ('hs6:010121', 'hs6:854231')
    """
    return f"hs6:{str(code).strip().zfill(6)}"


def read_product_codes(path: str | Path) -> dict[str, str]:
    """Read BACI's product-code file (``code,description``): ``{'hs6:XXXXXX': description}``."""
    path = Path(path)
    head, rows = _header(path)
    if "code" not in head or "description" not in head:
        raise SourceFormatError(f"{path}: not a BACI product-code file: expected columns code,description, "
                                f"found {', '.join(head) or 'none'}")
    ci, di = head.index("code"), head.index("description")
    out = {}
    for n, row in enumerate(rows, start=2):
        if not row:
            continue
        code = row[ci].strip()
        if not code.isdigit() or len(code) > 6:
            raise SourceFormatError(f"{path}:{n}: code: '{code}' is not an HS6 code (up to six digits)")
        out[hs6_commodity(code)] = row[di].strip() if di < len(row) else ""
    return out
