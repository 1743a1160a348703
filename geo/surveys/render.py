"""Readable pages of a survey, rendered on the server: the validation report, the printable
sketch (map, metadata, vertices in VN-2000 and WGS 84, participants, minutes, approval) and
the diff of two versions. Self-contained HTML with inline SVG maps: no script, no external
asset (the pages are printed and filed, and work offline). Every text is escaped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

import numpy as np
import shapely

from geo.common import crs
from geo.surveys.validate import Metric

_STYLE = """body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#222;max-width:60em}
h1{font-size:1.4em}table{border-collapse:collapse;margin:.5em 0}
td,th{border:1px solid #bbb;padding:.2em .5em;text-align:left;vertical-align:top}
.error{background:#fdd}.warning{background:#ffe9b3}.ok{background:#e3f6e3}.info{background:#eef}
svg{border:1px solid #999;background:#fbfbf8}code{font-size:.9em}
@media print{body{margin:0}}"""
_WIDTH, _HEIGHT = 640, 420


def _page(title: str, body: str) -> str:
    return (f"<!doctype html><html lang='vi'><head><meta charset='utf-8'>"
            f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
            f"<body><h1>{escape(title)}</h1>{body}</body></html>")


def _rows(pairs: Iterable[tuple[str, object]]) -> str:
    return "<table>" + "".join(f"<tr><th>{escape(k)}</th><td>{escape(str(v))}</td></tr>"
                               for k, v in pairs) + "</table>"


def svg_map(layers: Sequence[tuple[object, str]], around) -> str:
    """An SVG drawing of ``layers`` ((lon/lat geometry, CSS style)), framed on ``around``
    (lon/lat), north up, in a local metric CRS so that shapes are true to scale."""
    m = Metric(around)
    west, south, east, north = shapely.bounds(m.to(around)).tolist()
    pad = max(east - west, north - south) * 0.08 + 1
    west, south, east, north = west - pad, south - pad, east + pad, north + pad
    scale = min(_WIDTH / (east - west), _HEIGHT / (north - south))
    frame = shapely.box(west, south, east, north)
    out = []
    for geom, style in layers:
        if geom is None or geom.is_empty:
            continue
        local = shapely.intersection(m.to(geom), frame)
        out.extend(_svg_parts(local, style, west, north, scale))
    bar = _nice((east - west) / 5)
    out.append(f"<line x1='10' y1='{_HEIGHT - 12}' x2='{10 + bar * scale:.1f}' "
               f"y2='{_HEIGHT - 12}' stroke='#000' stroke-width='3'/><text x='10' "
               f"y='{_HEIGHT - 18}' font-size='11'>{bar:,.0f} m</text>")
    return (f"<svg xmlns='http://www.w3.org/2000/svg' width='{_WIDTH}' height='{_HEIGHT}' "
            f"viewBox='0 0 {_WIDTH} {_HEIGHT}'>{''.join(out)}</svg>")


def _nice(length_m: float) -> float:
    """The largest 1, 2 or 5 × 10^n metres not above ``length_m`` (a scale bar's length)."""
    power = 10 ** np.floor(np.log10(max(length_m, 1e-3)))
    return float(max(f * power for f in (1, 2, 5) if f * power <= length_m))


def _svg_parts(geom, style: str, west: float, north: float, scale: float) -> list[str]:
    def pts(coords) -> str:
        xy = np.asarray(coords)[:, :2]
        return " ".join(f"{(x - west) * scale:.1f},{(north - y) * scale:.1f}" for x, y in xy)

    out = []
    for part in shapely.get_parts(geom):
        kind = part.geom_type
        if kind == "Polygon":
            d = " ".join(f"M{pts(r.coords)}Z" for r in (part.exterior, *part.interiors))
            out.append(f"<path d='{d}' style='{style}' fill-rule='evenodd'/>")
        elif kind in ("LineString", "LinearRing"):
            out.append(f"<polyline points='{pts(part.coords)}' style='fill:none;{style}'/>")
        elif kind == "Point":
            x, y = (part.x - west) * scale, (north - part.y) * scale
            out.append(f"<circle cx='{x:.1f}' cy='{y:.1f}' r='5' style='{style}'/>")
        else:
            out.extend(_svg_parts(part, style, west, north, scale))
    return out


AREA = "fill:#2a7ae2;fill-opacity:.25;stroke:#1552a8;stroke-width:2"
BEFORE = "fill:#888;fill-opacity:.2;stroke:#555;stroke-width:1.5;stroke-dasharray:4 3"
BORDER = "stroke:#c00;stroke-width:2.5"
GATE = "fill:#000"


def _map(geom, border=None, gate=None) -> str:
    layers = [(border, BORDER), (geom, AREA), (gate, GATE)]
    return svg_map(layers, geom) + ("<p>Blue: the area; red: the land border line; black "
                                    "dot: the gate's recorded location.</p>")


def report_page(survey: dict, report: dict, geom, border=None, gate=None) -> str:
    items = "".join(
        f"<tr class='{escape(i['severity'])}'><td>{escape(i['code'])}</td>"
        f"<td>{escape(i['severity'])}</td><td>{escape(i['message'])}</td>"
        f"<td><code>{escape(_measure(i['measure']))}</code></td></tr>" for i in report["items"])
    head = _rows([("Gate", survey.get("gate_id")), ("Version", survey.get("version")),
                  ("State", survey.get("state")), ("Area", f"{report['area_ha']} ha"),
                  ("Errors / warnings", f"{report['counts']['error']} / "
                                        f"{report['counts']['warning']}")])
    table = ("<table><tr><th>Check</th><th>Severity</th><th>Finding</th><th>Measure</th></tr>"
             f"{items}</table>")
    return _page(f"Validation report — survey {survey.get('id')}",
                 head + _map(geom, border, gate) + table)


def _measure(measure: dict) -> str:
    return "; ".join(f"{k}={v}" for k, v in measure.items()
                     if not isinstance(v, list | dict) or len(str(v)) < 200)


def vertices(geom, epsg: int | None) -> list[dict]:
    """Each vertex of the area (the closing repeat left out) in WGS 84 and ``epsg``."""
    out = []
    t = crs.transformer(crs.WGS84, epsg) if epsg and epsg != crs.WGS84 else None
    n = 0
    for p, poly in enumerate(shapely.get_parts(geom)):
        for ring in (poly.exterior, *poly.interiors):
            xy = shapely.get_coordinates(ring)[:-1]
            ex, ny = t.transform(xy[:, 0], xy[:, 1]) if t else (xy[:, 0], xy[:, 1])
            for i in range(len(xy)):
                n += 1
                out.append({"n": n, "part": p + 1, "lon": round(float(xy[i, 0]), 7),
                            "lat": round(float(xy[i, 1]), 7),
                            "x": round(float(ex[i]), 3), "y": round(float(ny[i]), 3)})
    return out


def sketch_page(survey: dict, geom, epsg: int | None, border=None, gate=None) -> str:
    meta = _rows([("Gate", f"{survey.get('gate_id')} — {survey.get('gate_name')}"),
                  ("Gate type", survey.get("gate_type")), ("Version", survey.get("version")),
                  ("State", survey.get("state")), ("Survey date", survey.get("survey_date")),
                  ("Participating agencies", "; ".join(survey.get("agencies") or [])),
                  ("Survey minutes", survey.get("minutes_ref")),
                  ("Notes", survey.get("notes") or ""),
                  ("Area", f"{survey.get('area_m2', 0) / 1e4:,.2f} ha"),
                  ("Approved by", survey.get("authority_name") or "—"),
                  ("Approving instrument", f"{survey.get('instrument_number') or '—'} "
                                           f"({survey.get('instrument_date') or '—'})"),
                  ("Published", survey.get("published_at") or "—")])
    zone = f"EPSG:{epsg}" if epsg else "—"
    rows = "".join(f"<tr><td>{v['n']}</td><td>{v['part']}</td><td>{v['x']:,.3f}</td>"
                   f"<td>{v['y']:,.3f}</td><td>{v['lon']:.7f}</td><td>{v['lat']:.7f}</td></tr>"
                   for v in vertices(geom, epsg))
    table = (f"<h2>Vertices</h2><table><tr><th>#</th><th>Part</th><th>x (E, m) {zone}</th>"
             f"<th>y (N, m) {zone}</th><th>Lon (WGS 84)</th><th>Lat (WGS 84)</th></tr>"
             f"{rows}</table>")
    return _page(f"Sơ đồ khu vực cửa khẩu — {survey.get('gate_name')} (survey "
                 f"{survey.get('id')})", meta + _map(geom, border, gate) + table)


def diff_page(a_meta: dict, b_meta: dict, diff: dict, a, b) -> str:
    pairs = [(k, diff[k]) for k in ("area_before_ha", "area_after_ha", "area_change_ha",
                                    "area_change_pct", "symmetric_difference_ha",
                                    "hausdorff_m")]
    where = diff["hausdorff_where"]
    pairs.append(("Hausdorff distance between", f"{where['on_before']} and "
                                                f"{where['on_after']} (lon, lat)"))
    pairs += [("Parts gained", len(diff["gained"])), ("Parts lost", len(diff["lost"]))]
    line = shapely.LineString([where["on_before"], where["on_after"]])
    drawing = svg_map([(a, BEFORE), (b, AREA), (line, "stroke:#c00;stroke-width:2")],
                      shapely.union_all([a, b]))
    return _page(f"Survey {a_meta.get('id')} (v{a_meta.get('version')}) → "
                 f"{b_meta.get('id')} (v{b_meta.get('version')})",
                 _rows(pairs) + drawing + "<p>Grey dashed: before; blue: after; red: where "
                 "the Hausdorff distance occurs.</p>")
