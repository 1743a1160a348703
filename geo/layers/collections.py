"""The collection registry: every map layer as data.

Collection ids are stable (the dashboard, notebooks and benchmarks use them):
``provinces``, ``communes``, ``land_border``, ``land_border_communes``, ``belt``,
``sea_border_area``, ``prohibited_zones``, ``sea_zones``, ``gates``, ``checkpoint_areas``,
``decisions``.

Each ``Collection`` names its source table and geometry column (EPSG:4326, lon/lat), the
columns it publishes (``Prop``; each is queryable and sortable), its validity interval
(``Validity``: the feature is in force on ``[start, end)``, ``end`` NULL = open), how
uncleared callers see it (``Sensitivity``) and fixed row filters (``where``: column = value
pairs, values bound as parameters by the store). Geometry for tiles, and for items asked
with the vendor parameter ``zoom``, is read from the prepared Web Mercator columns of
migration 0009 (``geo.layers.tiles.BANDS``).

``map`` (``MapLayer``) puts a collection on the dashboard: its titles in Vietnamese and
English and fixed property filters. The dashboard draws it from the same
``/ogc/collections/{id}/items`` as every other client, so a new table or kind is one
declaration here: it is then an OGC collection, a tile layer and a dashboard layer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from geo.common.errors import NotFound

#: Property types as the queryables schema writes them (JSON Schema ``type``/``format``).
STRING, INTEGER, NUMBER, BOOLEAN, DATE, DATETIME, STRINGS = (
    "string", "integer", "number", "boolean", "date", "date-time", "string[]")


@dataclass(frozen=True)
class Prop:
    """A published column: ``name`` as served, ``column`` in the source (default: same)."""

    name: str
    type: str = STRING
    title: str = ""
    column: str | None = None
    #: read from the joined table (``Collection.join``), not the source table
    joined: bool = False

    @property
    def source(self) -> str:
        return self.column or self.name


@dataclass(frozen=True)
class Validity:
    """The columns holding a feature's validity ``[start, end)``. ``end_function`` names a
    SQL function ``f(id, as_known_at)`` giving the effective end instead of ``end`` (the
    decisions' end after extensions and a revocation, as known at a moment)."""

    start: str = "valid_from"
    end: str = "valid_to"
    dates: bool = False  # DATE columns (a day starts at 00:00 Hanoi time)
    end_function: str | None = None


@dataclass(frozen=True)
class Sensitivity:
    """Per-feature rule: rows whose ``column`` is one of ``geo.location.footprint.SENSITIVE`` reach
    uncleared callers only as ``footprint`` (a column of generalised geometry), with
    ``hidden`` properties blanked and validity widened to whole Hanoi days."""

    column: str = "sensitivity"
    footprint: str = "footprint"
    hidden: tuple[str, ...] = ("name", "authority", "legal_basis")


@dataclass(frozen=True)
class Join:
    """Geometry taken from another table: ``table.geom`` where ``table.key = source.on``
    (and ``table.valid_to IS NULL``, its current version)."""

    table: str
    key: str
    on: str


@dataclass(frozen=True)
class MapLayer:
    """How the dashboard shows a collection: titles in Vietnamese and English, and fixed
    property filters sent with every items request (``(("source", "bando_2026"),)``)."""

    title_vi: str
    title_en: str
    filters: tuple[tuple[str, str], ...] = ()


#: The dashboard's geometry families by GeoJSON type.
FAMILY = {"MultiPolygon": "polygon", "LineString": "line", "Point": "point"}


@dataclass(frozen=True)
class Collection:
    id: str
    title: str
    description: str
    geometry_type: str  # MultiPolygon | LineString | Point
    table: str
    props: tuple[Prop, ...]
    key: str = "id"
    geom: str = "geom"
    validity: Validity | None = None
    sensitivity: Sensitivity | None = None
    where: tuple[tuple[str, object], ...] = ()
    #: recorded_at column for ``as_known_at`` (rows recorded later are not shown)
    recorded: str | None = None
    cleared_only_where: tuple[tuple[str, tuple], ...] = ()
    join: Join | None = None
    min_zoom: int = 0
    #: uncleared callers may not use ``as_known_at`` on this layer
    history_cleared_only: bool = True
    keywords: tuple[str, ...] = field(default_factory=tuple)
    colour: str = ""  # map style (geo.layers.style)
    map: MapLayer | None = None  # on the dashboard, drawn in registry order

    @property
    def bitemporal(self) -> bool:
        return self.recorded is not None

    @property
    def time_bound(self) -> bool:
        return self.validity is not None

    def prop(self, name: str) -> Prop | None:
        for p in self.props:
            if p.name == name:
                return p
        return None


#: The precise land border line (the other source is a coarse fallback).
PRIMARY_BORDER = "bando_2026"
_DATED = Validity(dates=True)
_INSTANT = Validity()
_ZONE_PROPS = (
    Prop("kind"), Prop("name"), Prop("authority"), Prop("legal_basis"),
    Prop("sensitivity"), Prop("province_code"),
    Prop("valid_from", DATETIME), Prop("valid_to", DATETIME),
    Prop("recorded_at", DATETIME),
)
_UNIT = (Prop("code"), Prop("name"), Prop("name_ascii"))

COLLECTIONS: tuple[Collection, ...] = (
    Collection("provinces", "Provinces", "Provinces of Viet Nam (2025 units).",
               "MultiPolygon", "province",
               (*_UNIT, Prop("name_en"), Prop("has_land_border", BOOLEAN),
                Prop("valid_from", DATE), Prop("valid_to", DATE)),
               validity=_DATED, colour="#6b6b6b"),
    Collection("communes", "Communes", "Communes and wards of the land-border provinces.",
               "MultiPolygon", "commune",
               (*_UNIT, Prop("kind"), Prop("province_code"), Prop("precision"),
                Prop("valid_from", DATE), Prop("valid_to", DATE)),
               validity=_DATED, min_zoom=5, colour="#9c9c9c"),
    Collection("land_border", "Land border line",
               "The land border with China, Laos and Cambodia, by segment.",
               "LineString", "border_segment",
               (Prop("neighbour_iso3"), Prop("seq", INTEGER), Prop("length_m", NUMBER),
                Prop("source")), colour="#c00000",
               map=MapLayer("Đường biên giới đất liền", "Land border line",
                            (("source", PRIMARY_BORDER),))),
    Collection("land_border_communes", "Land border communes",
               "Communes of the land border area (GL-02), with the commune's polygon.",
               "MultiPolygon", "land_border_commune",
               (Prop("commune_code"), Prop("name", joined=True),
                Prop("province_code", joined=True), Prop("neighbours", STRINGS),
                Prop("border_len_m", NUMBER), Prop("basis"), Prop("instrument"),
                Prop("valid_from", DATE), Prop("valid_to", DATE),
                Prop("recorded_at", DATETIME)),
               validity=_DATED, recorded="recorded_at", history_cleared_only=False,
               join=Join("commune", "code", "commune_code"), colour="#e69f00",
               map=MapLayer("Xã, phường biên giới đất liền", "Land border communes")),
    Collection("belt", "Border belt",
               "The border belt (GL-04): default 1,000 m inward, or a province's depth.",
               "MultiPolygon", "belt_segment",
               (Prop("province_code"), Prop("commune_code"), Prop("depth_m", NUMBER),
                Prop("is_default", BOOLEAN), Prop("instrument"), Prop("issuer"),
                Prop("valid_from", DATE), Prop("valid_to", DATE),
                Prop("recorded_at", DATETIME)),
               validity=_DATED, recorded="recorded_at", history_cleared_only=False,
               colour="#d55e00", map=MapLayer("Vành đai biên giới", "Border belt")),
    Collection("sea_border_area", "Sea border area",
               "Territorial sea and coastal communes (GL-07).", "MultiPolygon", "sea_area",
               (Prop("part"), Prop("commune_code"), Prop("method"), Prop("source")),
               colour="#0072b2", map=MapLayer("Khu vực biên giới biển", "Sea border area")),
    Collection("prohibited_zones", "Prohibited zones (land)",
               "Prohibited zones on land (GL-05); sensitive ones as footprints unless "
               "cleared.", "MultiPolygon", "zone", _ZONE_PROPS,
               validity=_INSTANT, sensitivity=Sensitivity(), recorded="recorded_at",
               where=(("kind", "prohibited_zone_land"),), colour="#7b2d8e",
               map=MapLayer("Vùng cấm trên đất liền", "Prohibited zones (land)")),
    Collection("sea_zones", "Zones at sea",
               "Prohibited zones, restricted areas and temporary zones at sea (GL-08..10).",
               "MultiPolygon", "zone", _ZONE_PROPS,
               validity=_INSTANT, sensitivity=Sensitivity(), recorded="recorded_at",
               where=(("kind", ("prohibited_zone_sea", "restricted_area_sea",
                                "temporary_zone_territorial_sea")),), colour="#56b4e9",
               map=MapLayer("Vùng cấm, khu vực hạn chế trên biển", "Zones at sea")),
    Collection("gates", "Border gates", "Border gates and openings.", "Point", "gate",
               (Prop("name"), Prop("name_ascii"), Prop("alt_name"), Prop("gate_type"),
                Prop("mode"), Prop("neighbour_iso3"), Prop("paired_gate"),
                Prop("province_code"), Prop("location_source"), Prop("status_note")),
               geom="location", colour="#009e73", map=MapLayer("Cửa khẩu", "Border gates")),
    Collection("checkpoint_areas", "Checkpoint areas",
               "Checkpoint areas of border gates (GL-13); uncleared callers see approved "
               "ones.", "MultiPolygon", "checkpoint_area",
               (Prop("gate_id"), Prop("version", INTEGER), Prop("status"),
                Prop("area_m2", NUMBER), Prop("valid_from", DATETIME),
                Prop("valid_to", DATETIME), Prop("recorded_at", DATETIME)),
               validity=_INSTANT, recorded="recorded_at",
               cleared_only_where=(("status", ("approved",)),), colour="#00a087",
               map=MapLayer("Khu vực cửa khẩu", "Checkpoint areas")),
    Collection("decisions", "Restriction decisions",
               "Time-bound restriction decisions; validity is the effective window "
               "(extensions and revocation applied, as known at ``as_known_at``).",
               "MultiPolygon", "decision",
               (Prop("number"), Prop("kind"), Prop("scope"), Prop("activities", STRINGS),
                Prop("province_code"), Prop("gate_id"), Prop("issuer_unit"),
                Prop("issuer_role"), Prop("reason_code"), Prop("area_text"),
                Prop("area_m2", NUMBER), Prop("valid_from", DATETIME),
                Prop("valid_to", DATETIME), Prop("recorded_at", DATETIME)),
               validity=Validity(end_function="decision_effective_end"),
               recorded="recorded_at", colour="#cc0066",
               map=MapLayer("Quyết định hạn chế đang có hiệu lực",
                            "Restriction decisions in force")),
)

_BY_ID = {c.id: c for c in COLLECTIONS}


def get(collection_id: str) -> Collection:
    """The collection ``collection_id``; ``NotFound`` naming the known ids otherwise."""
    try:
        return _BY_ID[collection_id]
    except KeyError:
        raise NotFound(f"collection {collection_id!r} does not exist; one of "
                       f"{', '.join(_BY_ID)}", field="collectionId") from None


def layers_of(table: str) -> tuple[str, ...]:
    """Ids of the collections drawn from ``table`` (as source or joined geometry)."""
    return tuple(c.id for c in COLLECTIONS
                 if c.table == table or (c.join is not None and c.join.table == table))


def ids() -> tuple[str, ...]:
    return tuple(_BY_ID)


def on_map() -> tuple[Collection, ...]:
    """The dashboard's layers, in drawing order (registry order)."""
    return tuple(c for c in COLLECTIONS if c.map is not None)
