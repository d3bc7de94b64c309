"""The data contract: one spec per table, used by validation, the README and ``netdep schema``.

The schema is data (compare PyPSA's ``component_attrs/*.csv``): each column has a
type, a unit, whether it is required, allowed values or a reference to another
table, and a description.

>>> [c.name for c in TABLES["sources"].columns][:3]
['source_id', 'title', 'publisher']
>>> TABLES["flows"].key
('year', 'layer', 'commodity', 'origin', 'destination', 'route')
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

__all__ = ["Column", "Table", "TABLES", "LAYERS", "KINDS", "MODES", "STATUSES", "TIERS", "RECORD_FIELDS",
           "arrow_schema", "TABLE_ORDER", "PRICE_BASES", "POLICY_KINDS", "ALTERNATIVE_STATUSES",
           "DICTIONARY_ORDER", "DICTIONARY_TABLES", "ALTERNATIVES_TABLE"]

LAYERS = ("trade", "energy", "investment")
KINDS = ("country", "bloc", "region", "aggregate")
MODES = ("pipeline", "lng", "seaborne", "rail")
STATUSES = ("operating", "offline", "planned", "destroyed")
UNITS = ("bcm", "Mt", "EJ", "USD_bn")
#: how directly a source publishes its figure (issue 10): the statistics office or company itself; an
#: international agency or recognised dataset; a news organisation reporting an official figure; anything else
TIERS = ("primary", "agency", "press", "reprint")


@dataclass(frozen=True)
class Column:
    """One column of a table: its name, logical type and meaning."""

    name: str
    type: str  # "string", "int", "float", "list<string>"
    required: bool
    description: str
    unit: str = ""
    allowed: tuple[str, ...] | None = None
    references: str | None = None  # "table.column"
    non_negative: bool = False


@dataclass(frozen=True)
class Table:
    """A table of the data folder: its file, key and columns."""

    name: str
    description: str
    key: tuple[str, ...]
    columns: tuple[Column, ...] = field(default_factory=tuple)

    @property
    def file(self) -> str:
        return f"{self.name}.parquet"

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


S, INT, F, L = "string", "int", "float", "list<string>"

TABLES: dict[str, Table] = {
    t.name: t
    for t in [
        Table("sources", "Every public source a row cites.", ("source_id",), (
            Column("source_id", S, True, "Key: short stable identifier, e.g. 'ei_sr_2024'."),
            Column("title", S, True, "Title of the publication or table."),
            Column("publisher", S, True, "Organisation that published it."),
            Column("url", S, True, "Where to find it (http or https)."),
            Column("published", S, False, "Publication date or year (ISO 8601 where known)."),
            Column("note", S, False, "What was taken from it and how."),
            Column("tier", S, False, "primary (the statistics office or company itself) | agency (an "
                   "international agency or recognised dataset: Statistical Review, IEA, CREA, Bruegel) | press (a "
                   "news organisation's report of an official figure) | reprint (anything else); from "
                   "data/src/source_tiers.csv.", allowed=TIERS),
            Column("original_publisher", S, False, "Who first published the figure (for press and reprints: "
                   "the office or company they quote)."),
        )),
        Table("actors", "Countries, blocs, regions and aggregates: the nodes.", ("actor",), (
            Column("actor", S, True, "Key: ISO 3166-1 alpha-3, 'EU27', 'ROW' or 'REG_*' for a source's region."),
            Column("name", S, True, "Display name."),
            Column("kind", S, True, "country | bloc | region (fixed membership) | aggregate (remainder: "
                   "what is not listed separately in the same graph).", allowed=KINDS),
            Column("members", L, True, "Actor codes a bloc or region contains; empty for a country or aggregate."),
        )),
        Table("commodities", "What flows, its layer and unit.", ("commodity",), (
            Column("commodity", S, True, "Key, e.g. 'crude_oil', 'goods', 'fdi_stock'."),
            Column("layer", S, True, "trade | energy | investment.", allowed=LAYERS),
            Column("unit", S, True, "The one unit of every value of this commodity.", allowed=UNITS),
            Column("ej_per_unit", F, False, "Energy content (EJ per unit) for summing an energy layer; "
                   "null outside energy.", unit="EJ/unit", non_negative=True),
            Column("balance_of", S, False, "Commodity of `balances` that measures this one's consumption "
                   "(e.g. lng -> natural_gas).", references="commodities.commodity"),
            Column("description", S, True, "What is counted."),
            Column("source_id", S, False, "Source of the conversion factor.", references="sources.source_id"),
        )),
        Table("flows", "One row per edge of the multigraph.", ("year", "layer", "commodity", "origin",
                                                                "destination", "route"), (
            Column("year", INT, True, "Calendar year (stocks: end of year)."),
            Column("layer", S, True, "trade | energy | investment; must match the commodity's.", allowed=LAYERS),
            Column("commodity", S, True, "What flows.", references="commodities.commodity"),
            Column("origin", S, True, "Exporter (investment: investor).", references="actors.actor"),
            Column("destination", S, True, "Importer (investment: host).", references="actors.actor"),
            Column("value", F, True, "Volume in the commodity's unit; finite, >= 0.", unit="commodity unit",
                   non_negative=True),
            Column("value_usd_bn", F, False, "Current US$ bn, for weighing layers together.", unit="USD_bn",
                   non_negative=True),
            Column("route", S, False, "Infrastructure used, if known.", references="routes.route"),
            Column("source_id", S, True, "Where the figure comes from.", references="sources.source_id"),
            Column("note", S, False, "Conversions, cells summed, choices between disagreeing sources."),
        )),
        Table("routes", "Infrastructure that bounds rerouting.", ("route",), (
            Column("route", S, True, "Key, e.g. 'power_of_siberia_1'."),
            Column("name", S, True, "Display name."),
            Column("mode", S, True, "pipeline | lng | seaborne | rail.", allowed=MODES),
            Column("commodity", S, True, "What it carries.", references="commodities.commodity"),
            Column("origin", S, True, "Where it starts (for import terminals: 'ROW').", references="actors.actor"),
            Column("destination", S, True, "Where it ends (for export plants: 'ROW').", references="actors.actor"),
            Column("via", L, True, "Transit actors, in order; may be empty.", references="actors.actor"),
            Column("capacity", F, True, "Capacity per year in the commodity's unit.", unit="commodity unit/yr",
                   non_negative=True),
            Column("status", S, True, "operating | offline | planned | destroyed, as of the latest data year.",
                   allowed=STATUSES),
            Column("open_from", INT, False, "First year the route carried flows (null: unknown or not yet)."),
            Column("open_to", INT, False, "Last year it carried flows (null: still open)."),
            Column("source_id", S, True, "Source of the capacity.", references="sources.source_id"),
            Column("note", S, False, "Status detail, disagreeing figures."),
        )),
        Table("balances", "Production and consumption, to measure dependency against use.",
              ("actor", "year", "commodity"), (
            Column("actor", S, True, "Actor.", references="actors.actor"),
            Column("year", INT, True, "Calendar year."),
            Column("commodity", S, True, "Commodity (e.g. 'natural_gas', 'oil').", references="commodities.commodity"),
            Column("production", F, False, "Production in the commodity's unit.", unit="commodity unit",
                   non_negative=True),
            Column("consumption", F, False, "Consumption in the commodity's unit.", unit="commodity unit",
                   non_negative=True),
            Column("source_id", S, True, "Source.", references="sources.source_id"),
            Column("note", S, False, "Sheet or table the figures come from."),
        )),
    ]
}

TABLE_ORDER = ("sources", "actors", "commodities", "routes", "flows", "balances")

# --- prices and policy (issue 13): prices by commodity/year/pair/route, legal limits as data ---
PRICE_BASES = ("customs_unit_value", "contract", "benchmark", "discount_to_benchmark")
POLICY_KINDS = ("embargo", "cap", "phase_out", "price_cap")
TABLES["prices"] = Table(
    "prices", "Prices of energy commodities: world benchmarks and, where published, exporter/importer/route "
    "prices; the most specific one values a flow (netdep.prices).",
    ("commodity", "year", "exporter", "importer", "route", "basis"), (
        Column("commodity", S, True, "Commodity priced.", references="commodities.commodity"),
        Column("year", INT, True, "Calendar year (annual average)."),
        Column("exporter", S, False, "Seller the price applies to (null: any).", references="actors.actor"),
        Column("importer", S, False, "Buyer the price applies to (null: any).", references="actors.actor"),
        Column("route", S, False, "Route the price applies to (null: any).", references="routes.route"),
        Column("price", F, True, "US$ bn per unit of the commodity (the unit of flows.value).",
               unit="USD_bn/commodity unit", non_negative=True),
        Column("unit", S, True, "'USD_bn/' + the commodity's unit, e.g. 'USD_bn/bcm'."),
        Column("basis", S, True, "customs_unit_value | contract | benchmark | discount_to_benchmark.",
               allowed=PRICE_BASES),
        Column("source_id", S, True, "Where the price comes from.", references="sources.source_id"),
        Column("note", S, False, "Published figure and conversion."),
    ))
TABLES["policy"] = Table(
    "policy", "Legal limits on flows: embargoes, volume caps, phase-outs and price caps (netdep.prices.legal_limit).",
    ("commodity", "origin", "destination", "route", "via", "year_from", "kind"), (
        Column("commodity", S, True, "Commodity limited.", references="commodities.commodity"),
        Column("origin", S, True, "Exporter the measure targets.", references="actors.actor"),
        Column("destination", S, False, "Importer bound (null: every buyer).", references="actors.actor"),
        Column("route", S, False, "Only flows on this route (null: every route).", references="routes.route"),
        Column("via", S, False, "Only flows transshipped via this actor (null: direct flows).",
               references="actors.actor"),
        Column("except_route", S, False, "Flows on this route are exempt (e.g. pipeline crude).",
               references="routes.route"),
        Column("year_from", INT, True, "First calendar year the limit binds (whole year)."),
        Column("year_to", INT, False, "Last year it binds (null: open-ended)."),
        Column("kind", S, True, "embargo (limit 0) | cap (volume limit) | phase_out (limit from year_from) | "
               "price_cap (maximum price, a wedge).", allowed=POLICY_KINDS),
        Column("limit", F, True, "Volume limit in the commodity's unit per year, or the price cap in `unit`.",
               non_negative=True),
        Column("unit", S, True, "Unit of `limit`: the commodity's unit, or 'USD/bbl' for a price cap."),
        Column("source_id", S, True, "The legal act.", references="sources.source_id"),
        Column("note", S, False, "Article, dates, exemptions."),
    ))
TABLE_ORDER = TABLE_ORDER + ("prices", "policy")

_ARROW = {S: pa.string(), INT: pa.int64(), F: pa.float64(), L: pa.list_(pa.string())}


def arrow_schema(table: str) -> pa.Schema:
    """The Arrow schema netdep writes for ``table`` (readers may use compatible types)."""
    t = TABLES[table] if table in TABLES else ALTERNATIVES_TABLE if table == "alternatives" else SYSTEM_TABLES[table]
    return pa.schema([pa.field(c.name, _ARROW[c.type], nullable=not c.required) for c in t.columns])


# Supply systems (issue 11): an exporter's volume comes from named systems feeding named routes. These three
# tables are kept apart from the six core tables (SYSTEM_TABLES, not TABLES; files in data/systems/): the store
# never requires them, the scenario engine reads them when present (netdep.scenario.systems). Country-level
# flows stay the edges of every graph; the systems attribute a country's flows, so every measure rolls systems
# up to their country.
SYSTEM_TABLE_ORDER = ("supply_systems", "system_routes", "system_flows")
SYSTEM_TABLES: dict[str, Table] = {t.name: t for t in [
    Table("supply_systems", "Named supply systems of an exporter (fields and the grid that gathers them).",
          ("system",), (
        Column("system", S, True, "Key, e.g. 'rus_east_siberia'; never an actor code."),
        Column("actor", S, True, "The exporter the system belongs to; it rolls up to this actor.",
               references="actors.actor"),
        Column("commodity", S, True, "What it supplies: 'natural_gas' (pipeline gas and LNG) or 'crude_oil'.",
               references="commodities.commodity"),
        Column("name", S, True, "Display name (fields, grid)."),
        Column("deliverability", F, False, "Most it can deliver to export per year (null: unknown, bounded by "
               "its routes only).", unit="commodity unit/yr", non_negative=True),
        Column("year_from", INT, False, "First year it supplied (null: before the data)."),
        Column("year_to", INT, False, "Last year it supplied (null: still supplying)."),
        Column("source_id", S, True, "Source of the deliverability.", references="sources.source_id"),
        Column("note", S, False, "How the deliverability was found."),
    )),
    Table("system_routes", "Which routes a supply system feeds (a route of a system starts at its actor).",
          ("route", "system"), (
        Column("route", S, True, "A route of routes.parquet.", references="routes.route"),
        Column("system", S, True, "The system feeding it.", references="supply_systems.system"),
        Column("capacity", F, False, "The part of a shared route (an export gate) this system can use; null: "
               "the whole route.", unit="commodity unit/yr", non_negative=True),
        Column("source_id", S, False, "Source of the capacity share.", references="sources.source_id"),
        Column("note", S, False, "Why the system feeds the route."),
    )),
    Table("system_flows", "Base-year flows of an exporter attributed to its supply systems.",
          ("year", "commodity", "system", "destination", "route"), (
        Column("year", INT, True, "Calendar year."),
        Column("commodity", S, True, "Flow commodity (pipeline_gas, lng, crude_oil).",
               references="commodities.commodity"),
        Column("system", S, True, "Supply system.", references="supply_systems.system"),
        Column("destination", S, True, "Importer, as in flows.parquet.", references="actors.actor"),
        Column("route", S, False, "Route the system's flow uses (a link ties it to the destination; a gate "
               "does not); null: any route of the system.", references="routes.route"),
        Column("value", F, True, "Volume attributed to the system; the system shares of a country flow scale "
               "to that flow.", unit="commodity unit", non_negative=True),
        Column("source_id", S, True, "Source of the attribution.", references="sources.source_id"),
        Column("note", S, False, "How the country flow was split between systems."),
    )),
]}


# Output record specs (issue 9): the records netdep writes, beside the input table specs above. One spec per
# measure table drives `netdep report --format json`, scenario JSON (before, after, delta), the long result table
# (its key columns and one row per measure field) and the README's output dictionary (`netdep schema --outputs`).
#: field roles: ``key`` identifies a record; ``measure`` is a number (one row each in the long table); ``label``
#: qualifies the record (a unit, a top partner, a reason) and rides along
ROLES = ("key", "measure", "label")
B = "bool"


@dataclass(frozen=True)
class Field:
    """One field of an output record: its name, type, role (:data:`ROLES`), unit and meaning."""

    name: str
    type: str  # "string", "int", "float", "bool"
    role: str
    description: str
    unit: str = ""


@dataclass(frozen=True)
class Record:
    """An output record: the table it forms in the report and scenario outputs, and its fields in order."""

    name: str
    description: str
    fields: tuple[Field, ...]
    measure_module: str = ""  # the netdep.metrics module that computes it

    def names(self, role: str | None = None) -> tuple[str, ...]:
        """The field names, in order (of one role when ``role`` is given)."""
        return tuple(f.name for f in self.fields if role is None or f.role == role)

    @property
    def key(self) -> tuple[str, ...]:
        return self.names("key")

    @property
    def measures(self) -> tuple[str, ...]:
        return self.names("measure")


def _graph_key(*more: Field) -> tuple[Field, ...]:
    return (Field("year", INT, "key", "Data year of the graph."),
            Field("layer", S, "key", "trade | energy | investment, or 'all' for the cross-layer graph."),
            Field("commodity", S, "key", "Commodity or fuel of the graph; '*' for a layer aggregate (energy in EJ, "
                  "trade and investment in US$ bn)."),
            *more)


_COV_IN = "Share of the buyer's imports its named partners account for; null: total unknown, shares are of the " \
          "listed partners only (netdep.metrics.coverage)."
_COV_OUT = "Share of the supplier's exports its named partners account for; null: total unknown (as coverage_in)."
OUTPUT_RECORDS: dict[str, Record] = {r.name: r for r in [
    Record("dependencies", "One flow o -> d of a graph and the shares it is of each side's total (Keohane & Nye "
           "1977).", _graph_key(
        Field("origin", S, "key", "Supplier (investment: investor)."),
        Field("destination", S, "key", "Buyer (investment: host)."),
        Field("value", F, "measure", "The flow, routes summed, in `unit`.", "unit"),
        Field("unit", S, "label", "Unit of `value`: the commodity's unit, EJ for energy aggregates, USD_bn."),
        Field("share_in", F, "measure", "w(o->d) / sum_x w(x->d): the destination's import share from the origin.",
              "share"),
        Field("share_out", F, "measure", "w(o->d) / sum_y w(o->y): the origin's export share to the destination.",
              "share"),
        Field("share_of_consumption", F, "measure", "w(o->d) / the destination's consumption of the commodity's "
              "balance_of fuel (balances); null where none is published.", "share"),
        Field("coverage_in", F, "measure", _COV_IN, "share"),
        Field("coverage_out", F, "measure", _COV_OUT, "share"),
    ), "netdep.metrics.dependency"),
    Record("concentration", "How concentrated an actor's suppliers (side in) or buyers (side out) are: HHI "
           "(Hirschman 1945) and the EC's strategic-dependency screen (SWD(2021) 352).", _graph_key(
        Field("actor", S, "key", "The importer (side in) or exporter (side out)."),
        Field("side", S, "key", "in (suppliers of its imports) | out (buyers of its exports)."),
        Field("hhi", F, "measure", "sum_p s_p^2 over named partners; remainders add nothing (a lower bound).",
              "index 0-1"),
        Field("top_partner", S, "label", "The named partner with the largest share (never a remainder)."),
        Field("top_share", F, "measure", "Share of the top named partner.", "share"),
        Field("unattributed_share", F, "measure", "Share held by remainder aggregates (ROW, 'Other ...'): the HHI "
              "lies in [hhi, hhi + u^2].", "share"),
        Field("partners", INT, "measure", "Number of partners, remainders included."),
        Field("coverage", F, "measure", "1 - unattributed_share where the world total is known; null: shares are "
              "of the listed partners only.", "share"),
        Field("strategic", B, "label", "Side in: all three EC criteria hold (true), one fails (false), or "
              "unknown (null, see strategic_reason)."),
        Field("strategic_reason", S, "label", "The criteria as computed, or why the screen cannot decide."),
    ), "netdep.metrics.concentration"),
    Record("centrality", "One centrality measure of one actor in one graph (one record per measure).", _graph_key(
        Field("actor", S, "key", "The actor measured."),
        Field("measure", S, "key", "in_strength | out_strength | pagerank | pagerank_exporter | eigenvector | "
              "katz | betweenness | supply_dependence | market_dependence (netdep.metrics.registry)."),
        Field("value", F, "measure", "The measure's value (strengths in the graph's unit; the others unitless)."),
    ), "netdep.metrics.centrality"),
    Record("asymmetry", "One relationship 's supplies b' among the main actors: who needs whom more (Keohane & "
           "Nye 1977).", _graph_key(
        Field("supplier", S, "key", "s, the supplier."),
        Field("buyer", S, "key", "b, the buyer."),
        Field("value", F, "measure", "The flow s -> b in the graph's unit.", "graph unit"),
        Field("buyer_dependence", F, "measure", "w / in(b): the share of b's imports s supplies.", "share"),
        Field("supplier_dependence", F, "measure", "w / out(s): the share of s's exports b buys.", "share"),
        Field("asymmetry", F, "measure", "buyer_dependence - supplier_dependence; positive: leverage lies with "
              "the supplier.", "share points"),
        Field("coverage_in", F, "measure", _COV_IN, "share"),
        Field("coverage_out", F, "measure", _COV_OUT, "share"),
    ), "netdep.metrics.asymmetry"),
    Record("vulnerability", "Supply of a main actor from one partner (>= 10% of its imports of an energy "
           "commodity) and how much of it other suppliers could replace over known routes.", _graph_key(
        Field("actor", S, "key", "The importer a."),
        Field("partner", S, "key", "The supplier p whose loss is measured."),
        Field("at_risk", F, "measure", "w(p->a), in the commodity's unit.", "commodity unit"),
        Field("share_in", F, "measure", "at_risk / a's imports of the commodity.", "share"),
        Field("replaceable", F, "measure", "min(at_risk, spare capacity others can bring in over known routes); "
              "null where a seaborne import gate is unknown.", "commodity unit"),
        Field("replaceable_known", F, "measure", "What the known routes alone can replace (a lower bound).",
              "commodity unit"),
        Field("unreplaceable", F, "measure", "at_risk - replaceable.", "commodity unit"),
        Field("unreplaceable_share", F, "measure", "unreplaceable / a's imports of the commodity.", "share"),
        Field("basis", S, "label", "Every route considered and why it counts or not."),
    ), "netdep.metrics.vulnerability"),
]}
#: the measure tables' fields, in order: what JSON outputs carry (derived from :data:`OUTPUT_RECORDS`)
RECORD_FIELDS: dict[str, tuple[str, ...]] = {n: r.names() for n, r in OUTPUT_RECORDS.items()}

#: the long result table (``ScenarioResult.table``, sweeps add ``step``): one row per measure field of a record
LONG_RECORD = Record("long", "One row per number of the measure tables, tagged with the scenario: compare "
                     "scenarios by grouping on every column but scenario and value.", (
    Field("scenario", S, "key", "'base' or the scenario's name."),
    Field("table", S, "key", "The output record the number comes from (dependencies, concentration, ...)."),
    *_graph_key(),
    Field("origin", S, "key", "dependencies: origin; asymmetry: supplier; vulnerability: partner."),
    Field("destination", S, "key", "dependencies: destination; asymmetry: buyer; vulnerability: actor."),
    Field("actor", S, "key", "concentration and centrality: the actor."),
    Field("side", S, "key", "concentration: in | out."),
    Field("measure", S, "key", "The record's measure field (centrality: its measure name)."),
    Field("value", F, "measure", "The number."),
    Field("top_partner", S, "label", "concentration: the record's top partner."),
))
#: a scenario's revenue records (``ScenarioResult.revenue``, ``revenue`` in scenario JSON; netdep.scenario.revenue)
REVENUE_RECORD = Record("revenue", "An exporter's energy export revenue by commodity and buyer before and after a "
                        "scenario, each flow at its buyer's price (gross: no duty or transit fee deducted).", (
    Field("year", INT, "key", "The scenario's base year."),
    Field("exporter", S, "key", "The exporter (Russia)."),
    Field("commodity", S, "key", "Energy commodity, or '*' for all of the exporter's energy."),
    Field("buyer", S, "key", "The importer, or '*' for all buyers."),
    Field("volume_before", F, "measure", "Volume exported before, in the commodity's unit (null on '*').",
          "commodity unit"),
    Field("volume_after", F, "measure", "Volume exported after.", "commodity unit"),
    Field("before", F, "measure", "Revenue before: sum of volume x price, prices table.", "USD_bn"),
    Field("after", F, "measure", "Revenue after: the scenario's set_price rows win where they match.", "USD_bn"),
    Field("delta", F, "measure", "after - before.", "USD_bn"),
    Field("price_before", F, "measure", "before / volume_before (one commodity and buyer only).",
          "USD_bn/commodity unit"),
    Field("price_after", F, "measure", "after / volume_after (one commodity and buyer only).",
          "USD_bn/commodity unit"),
    Field("basis_after", S, "label", "The basis of the price(s) used after: scenario | contract | "
          "customs_unit_value | discount_to_benchmark | benchmark."),
    Field("price_source_after", S, "label", "The source_id(s) of the price(s) used after ('scenario' for a "
          "set_price)."),
))
OUTPUT_ORDER = (*OUTPUT_RECORDS, "long", "revenue")


def output_record(name: str) -> Record:
    """The output record spec ``name`` (a measure table, ``long`` or ``revenue``)."""
    return {"long": LONG_RECORD, "revenue": REVENUE_RECORD}.get(name) or OUTPUT_RECORDS[name]


def output_dictionary_rows(names: tuple[str, ...] = OUTPUT_ORDER) -> list[list[str]]:
    """Rows ``record | field | type | role | unit | description`` of the output dictionary (README, ``netdep
    schema --outputs``).

    >>> output_dictionary_rows(("centrality",))[3][:4]
    ['centrality', 'actor', 'string', 'key']
    """
    return [[n, f.name, f.type, f.role, f.unit, f.description] for n in names for f in output_record(n).fields]


_ARROW[B] = pa.bool_()


def output_arrow_schema(name: str) -> pa.Schema:
    """The Arrow schema of the output record ``name`` (e.g. ``long``: the scenario result table)."""
    return pa.schema([pa.field(f.name, _ARROW[f.type]) for f in output_record(name).fields])


__all__ += ["output_arrow_schema", "ROLES", "Field", "Record", "OUTPUT_RECORDS", "LONG_RECORD", "REVENUE_RECORD",
            "OUTPUT_ORDER",
            "output_record", "output_dictionary_rows"]


# --- alternatives (issue 15): every alternative figure, tied to the preferred flow it competes with. Built by
# netdep.alternatives beside the core tables (alternatives.parquet; the store never requires it), listed in the
# data dictionary (DICTIONARY_ORDER) and read by the range measures (netdep.metrics.ranges).
ALTERNATIVE_STATUSES = ("applied", "partial period", "different basis", "no preferred row")
ALTERNATIVES_TABLE = Table(
    "alternatives", "Alternative figures for flows (choice = alternative rows, alternatives_*.csv, yearly sums of "
    "monthly series), each tied to the preferred flow row it competes with (netdep.alternatives).",
    ("year", "layer", "commodity", "origin", "destination", "route", "source_id", "published", "origin_file"), (
        Column("year", INT, True, "Calendar year."),
        Column("layer", S, True, "trade | energy | investment.", allowed=LAYERS),
        Column("commodity", S, True, "Commodity.", references="commodities.commodity"),
        Column("origin", S, True, "Exporter of the flow competed with (a world total's: the ROW remainder edge).",
               references="actors.actor"),
        Column("destination", S, True, "Importer of the flow competed with ('WORLD' in origin or destination: a "
               "world total with no preferred total to compete with).", references="actors.actor"),
        Column("route", S, False, "Route of the preferred row (null: none).", references="routes.route"),
        Column("value", F, True, "The alternative value of the edge, in the commodity's unit (a world total: the "
               "alternative total less the listed partners).", unit="commodity unit"),
        Column("published", F, True, "The figure as published (converted to the commodity's unit).",
               unit="commodity unit", non_negative=True),
        Column("unit", S, True, "The commodity's unit."),
        Column("source_id", S, True, "Source of the alternative figure.", references="sources.source_id"),
        Column("reporter", S, False, "Who reported the figure: the origin (exporter-reported), the destination "
               "(importer-reported), null (compiled by a third party or not said).", references="actors.actor"),
        Column("preferred_value", F, False, "The preferred row's value (null: no preferred row).",
               unit="commodity unit"),
        Column("preferred_source_id", S, False, "Source of the preferred row.", references="sources.source_id"),
        Column("preferred_reporter", S, False, "Who reported the preferred figure (as `reporter`).",
               references="actors.actor"),
        Column("status", S, True, "applied (the range measures use it) | partial period | different basis | "
               "no preferred row.", allowed=ALTERNATIVE_STATUSES),
        Column("origin_file", S, True, "FILE:ROW of data/src the figure comes from."),
        Column("note", S, False, "Published figure, evidence and conversion."),
    ))
DICTIONARY_ORDER = TABLE_ORDER + ("alternatives",)
#: every table of the data dictionary (``netdep schema``): the core tables and the alternatives beside them
DICTIONARY_TABLES: dict[str, Table] = {**TABLES, "alternatives": ALTERNATIVES_TABLE}

# Ranges (issue 15, netdep.metrics.ranges): low/high over the alternative figures beside each ranged field
# ("value" -> low/high, f -> f_low/f_high) and how they were found (range_method); appended to the record specs
# with the role "range" (in the JSON records and the output dictionary, not rows of the long table).
RANGE_RECORD_FIELDS: dict[str, tuple[str, ...]] = {
    "dependencies": ("low", "high", "share_in_low", "share_in_high", "share_out_low", "share_out_high",
                     "share_of_consumption_low", "share_of_consumption_high", "range_method"),
    "concentration": ("hhi_low", "hhi_high", "top_share_low", "top_share_high", "range_method"),
    "centrality": ("low", "high", "range_method"),
}
ROLES = (*ROLES, "range")


def _range_field(name: str) -> Field:
    if name == "range_method":
        return Field(name, S, "range", "How low and high were found: no alternatives, exact (monotone or every "
                     "combination) or sampled (seeded; an inner bound) (netdep.metrics.ranges).")
    base = name[:-4] if name.endswith("_low") else name[:-5] if name.endswith("_high") else "value"
    side = "lowest" if name.endswith("low") else "highest"
    return Field(name, F, "range", f"The {side} {base} over the alternative figures of the graph's flows "
                 "(netdep.metrics.ranges).")


OUTPUT_RECORDS = {n: Record(r.name, r.description, r.fields + tuple(_range_field(x) for x in
                                                                     RANGE_RECORD_FIELDS.get(n, ())),
                            r.measure_module) for n, r in OUTPUT_RECORDS.items()}
RECORD_FIELDS = {n: r.names() for n, r in OUTPUT_RECORDS.items()}

