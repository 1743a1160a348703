"""A MapLibre GL style for every layer of the registry (sources are our TileJSONs)."""

from __future__ import annotations

from geo.layers.collections import COLLECTIONS, Collection

_FALLBACK = "#7f7f7f"


def _layers(coll: Collection) -> list[dict]:
    colour = coll.colour or _FALLBACK
    common = {"source": coll.id, "source-layer": coll.id, "minzoom": coll.min_zoom}
    if coll.geometry_type == "Point":
        return [{"id": coll.id, "type": "circle", **common,
                 "paint": {"circle-color": colour, "circle-radius": 4}}]
    if coll.geometry_type == "LineString":
        return [{"id": coll.id, "type": "line", **common,
                 "paint": {"line-color": colour, "line-width": 2}}]
    return [{"id": f"{coll.id}-fill", "type": "fill", **common,
             "paint": {"fill-color": colour, "fill-opacity": 0.25}},
            {"id": f"{coll.id}-line", "type": "line", **common,
             "paint": {"line-color": colour, "line-width": 1}}]


def style(tilejson_url: str) -> dict:
    """``tilejson_url`` has ``{layer}`` where the collection id goes."""
    return {"version": 8, "name": "borderzone",
            "sources": {c.id: {"type": "vector", "url": tilejson_url.format(layer=c.id)}
                        for c in COLLECTIONS},
            "layers": [{"id": "background", "type": "background",
                        "paint": {"background-color": "#f4f1ea"}},
                       *(layer for c in COLLECTIONS for layer in _layers(c))]}


#: The attribution every map of the precise boundary layers must carry (README, SOURCES.md).
DATA_ATTRIBUTION = ("Ranh giới hành chính: Bản đồ tham khảo đơn vị hành chính Việt Nam "
                    "(sapnhap.bando.com.vn), qua thanglequoc/vietnamese-provinces-database")
