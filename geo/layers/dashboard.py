"""Map layers for the dashboard: the catalogue (bilingual titles) and the view query.

A layer is one declaration in ``LAYERS``; ``geo.store.layers.dashboard`` holds its SQL. The view
query carries what the map shows: a bounding box (EPSG:4326 degrees), the instant whose
valid features are shown, the ``as_known_at`` instant for the bitemporal view, and the
zoom, from which the display generalisation tolerance follows.

Generalisation here is for drawing only (half a screen pixel at the zoom, so the drawn
shape is unchanged); it never feeds a measurement.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from geo.common.errors import InvalidInput, NotPermitted
from geo.common.timeutil import parse_instant, to_hanoi
from geo.decisions.query import BBox

MIN_ZOOM, MAX_ZOOM = 0, 22
MAX_FEATURES = 10_000
TILE_PX = 256


@dataclass(frozen=True)
class LayerInfo:
    """One map layer: ``id`` (as the OGC collection id), titles in Vietnamese and English,
    its geometry family (``line``, ``polygon``, ``point``) and whether it varies in time."""

    id: str
    title_vi: str
    title_en: str
    geometry: str
    temporal: bool


LAYERS: dict[str, LayerInfo] = {info.id: info for info in (
    LayerInfo("land_border", "Đường biên giới đất liền", "Land border line", "line", False),
    LayerInfo("land_border_communes", "Xã, phường biên giới đất liền", "Land border communes",
              "polygon", True),
    LayerInfo("belt", "Vành đai biên giới", "Border belt", "polygon", True),
    LayerInfo("sea_border_area", "Khu vực biên giới biển", "Sea border area", "polygon",
              False),
    LayerInfo("prohibited_zones", "Vùng cấm", "Prohibited zones", "polygon", True),
    LayerInfo("sea_zones", "Khu vực hạn chế trên biển", "Restricted sea areas", "polygon",
              True),
    LayerInfo("gates", "Cửa khẩu", "Border gates", "point", False),
    LayerInfo("checkpoint_areas", "Khu vực cửa khẩu", "Checkpoint areas", "polygon", True),
    LayerInfo("decisions", "Quyết định hạn chế đang có hiệu lực",
              "Restriction decisions in force", "polygon", True),
)}


def layer_info(layer_id: str) -> LayerInfo:
    try:
        return LAYERS[layer_id]
    except KeyError:
        known = ", ".join(LAYERS)
        raise InvalidInput(f"layer: {layer_id!r} is not a map layer; one of {known}",
                           field="layer") from None


@dataclass(frozen=True)
class ViewQuery:
    """What one map view asks of a layer. ``at`` and ``as_known_at`` are aware instants;
    ``bbox`` is in EPSG:4326 degrees (lon, lat); ``zoom`` is the Web Mercator zoom level."""

    at: datetime
    as_known_at: datetime | None = None
    bbox: BBox | None = None
    zoom: int = 8
    limit: int = MAX_FEATURES
    cleared: bool = False

    def __post_init__(self) -> None:
        if not MIN_ZOOM <= self.zoom <= MAX_ZOOM:
            raise InvalidInput(f"zoom: between {MIN_ZOOM} and {MAX_ZOOM}", field="zoom")
        if not 1 <= self.limit <= MAX_FEATURES:
            raise InvalidInput(f"limit: between 1 and {MAX_FEATURES}", field="limit")
        if self.as_known_at is not None and not self.cleared:
            raise NotPermitted("as_known_at: reconstructing past knowledge is for planners, "
                               "officers, approvers and admins", field="as_known_at")

    @classmethod
    def parse(cls, *, datetime_text: str | None, as_known_at: str | None, bbox: str | None,
              zoom: int, limit: int, cleared: bool, now: datetime) -> ViewQuery:
        """From query-string values: ``datetime`` is one ISO-8601 instant (no offset = Hanoi
        time; default ``now``); an interval is refused, a map shows one moment."""
        if datetime_text and "/" in datetime_text:
            raise InvalidInput("datetime: the map shows one instant, not an interval",
                               field="datetime")
        at = parse_instant(datetime_text, field="datetime") or now
        known = parse_instant(as_known_at, field="as_known_at")
        return cls(at=at, as_known_at=known, bbox=BBox.parse(bbox), zoom=zoom, limit=limit,
                   cleared=cleared)

    @property
    def day(self) -> date:
        """The Hanoi calendar day of ``at``, for layers whose validity is kept in days."""
        return to_hanoi(self.at).date()

    @property
    def tolerance_deg(self) -> float:
        """Half a screen pixel at ``zoom``, in degrees of longitude at the equator: the
        simplification tolerance for drawing (not for measuring)."""
        return 360.0 / (TILE_PX * 2 ** self.zoom) / 2


#: The attribution every map of the precise boundary layers must carry (README, SOURCES.md).
DATA_ATTRIBUTION = ("Ranh giới hành chính: Bản đồ tham khảo đơn vị hành chính Việt Nam "
                    "(sapnhap.bando.com.vn), qua thanglequoc/vietnamese-provinces-database")
