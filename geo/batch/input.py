"""Reading a batch of points: CSV ``id,lon,lat[,time]`` or a GeoJSON FeatureCollection.

Everything is parsed and validated before any answer is computed. A bad row (a coordinate
that is not a number or out of range, a bad time, a feature that is not a Point) is refused
on its own (``geo.batch.refusals``): it gets its error naming its line (CSV: the line of the
file, header included) or feature (from 0) and the field, the other rows their answers. A
batch whose shape is wrong (not UTF-8, no header or rows of 3-4 fields, a row with too many
fields, not a FeatureCollection), with no good row, or with more than
``refusals.MAX_ROW_ERRORS`` bad rows is refused whole (``InvalidInput``, 422).

CSV fields are separated by ``,``, or by ``;`` (detected on the first line, as spreadsheets
in Vietnamese and European locales write them), in which case a decimal comma in lon/lat
(``105,3208``) reads as a decimal point. Coordinates are WGS 84 lon/lat, or in ``epsg``
(VN-2000) transformed once for the whole batch. A batch over ``max_points`` is
``PayloadTooLarge`` (413) before it is parsed.
"""

from __future__ import annotations

import codecs
import io
import math
import re
import warnings
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from geo.batch.refusals import Refusals, RowError
from geo.common.blocks import check_utf8
from geo.common.crs import VN2000_GEOGRAPHIC, WGS84
from geo.common.errors import InvalidInput
from geo.common.heap import collector_paused
from geo.common.limits import check_batch
from geo.common.lonlat import VN_EAST, VN_NORTH, VN_SOUTH, VN_WEST, to_lonlat, validate_lonlat
from geo.common.safejson import let_go, loads
from geo.common.timeutil import parse_instant
from geo.location.index import as_utc64

CSV_TYPES = ("text/csv", "application/csv", "text/plain")
_JSON_OBJECT = re.compile(rb"\s*\{")
GEOJSON_TYPES = ("application/geo+json", "application/json")


@dataclass(frozen=True)
class PointBatch:
    """Points to check: ids as given, WGS 84 lon/lat degrees, one instant per point (UTC
    datetime64[us]) or None for "the batch's ``at``"."""

    ids: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    when: np.ndarray | None
    #: Refused rows, in input order; ``positions``: each kept point's row (from 0).
    refused: tuple[RowError, ...] = ()
    positions: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.lon)

    @property
    def rows(self) -> int:
        """Rows in the input: answered and refused."""
        return len(self.lon) + len(self.refused)


def parse(data: bytes, content_type: str | None, *, max_points: int, epsg: int = WGS84,
          default_at: datetime | None = None) -> PointBatch:
    """A CSV or GeoJSON body (by ``content_type``; sniffed when absent) as a ``PointBatch``."""
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind and kind not in CSV_TYPES + GEOJSON_TYPES:
        raise InvalidInput(f"content-type: {kind!r} is not accepted; send text/csv "
                           "(id,lon,lat[,time]) or application/geo+json", field="content-type")
    read = parse_geojson if kind in GEOJSON_TYPES or (
        not kind and _JSON_OBJECT.match(data)) else parse_csv
    with collector_paused():  # rows and documents hold no cycles (geo.common.heap)
        return read(data, max_points=max_points, epsg=epsg, default_at=default_at)


# -- CSV ------------------------------------------------------------------------------
def separator(first_line: str) -> str:
    """``;`` when the first line is split by semicolons into 3-4 fields (``id;lon;lat``,
    ``a;105,3208;23,3590``), else ``,``."""
    return ";" if first_line.count(";") in (2, 3) else ","


def _header(first_line: str, sep: str = ",") -> tuple[list[str], bool]:
    """Column names, and whether the first line is a header (it names lon and lat)."""
    names = [c.strip().strip('"').lower() for c in first_line.split(sep)]
    if "lon" in names and "lat" in names:
        return names, True
    if len(names) in (3, 4):
        return ["id", "lon", "lat", "time"][:len(names)], False
    raise InvalidInput("line 1: expected a header naming id,lon,lat[,time], or rows of "
                       f"3 or 4 fields; got {len(names)} field(s)", field="body",
                       detail={"line": 1})


def parse_csv(data: bytes, *, max_points: int, epsg: int = WGS84,
              default_at: datetime | None = None) -> PointBatch:
    """``id,lon,lat[,time]`` rows (a header line naming the columns is optional; blank
    lines are skipped). ``time``: ISO-8601, no offset = Hanoi time; empty = ``default_at``."""
    try:
        check_utf8(data)  # pandas reads the bytes; no 50 MB text is made in one call
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"body: not UTF-8 text: {exc}", field="body") from None
    data = data.removeprefix(codecs.BOM_UTF8)
    if not data or data.isspace() or (len(data) <= 64 and not data.decode().strip()):
        raise InvalidInput("body: no points (expected CSV rows id,lon,lat[,time])", field="body")
    end = data.find(b"\n")
    first_line = data[:end if end >= 0 else len(data)].decode().rstrip("\r")
    sep = separator(first_line)
    names, has_header = _header(first_line, sep)
    check_batch(data.count(b"\n") + (not data.endswith(b"\n")) - has_header, max_points)
    columns, line = _columns(_read_csv(data, names, has_header, sep), has_header)
    check_batch(len(line), max_points)

    def where(i: int) -> str:
        return f"line {line[i]}"

    refused = Refusals(len(line), where)
    lon = _numbers(columns["lon"], "lon", refused, decimal_comma=sep == ";")
    lat = _numbers(columns["lat"], "lat", refused, decimal_comma=sep == ";")
    ids = columns["id"] if "id" in columns else line.astype(str).astype(object)
    return _finish(ids, lon, lat, columns.get("time"), epsg, default_at, refused)


def _columns(chunks, has_header: bool) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The non-blank rows of the chunks (data frames of text), as one object array per
    column, and each row's line in the file. Chunk by chunk, so no single call holds the GIL
    over a million rows."""
    parts: dict[str, list[np.ndarray]] = {}
    lines, first = [], 1 + has_header
    for frame in chunks:
        frame = frame.fillna("")
        keep = (frame != "").any(axis=1).to_numpy()
        lines.append(np.flatnonzero(keep) + first)
        first += len(frame)
        for name in frame.columns:
            parts.setdefault(name, []).append(frame[name].to_numpy(dtype=object)[keep])
    columns = {name: np.concatenate(arrays) for name, arrays in parts.items()}
    return columns, np.concatenate(lines) if lines else np.empty(0, dtype=np.int64)


#: Rows per call into pandas' C reader, which holds the GIL while it makes a chunk's
#: strings: ~0.2 s for its default chunk of a million-point batch, ~15 ms for this many.
READ_CHUNK_ROWS = 50_000


def _read_csv(data: bytes, names: list[str], has_header: bool, sep: str = ","):
    """Every field as text (pandas' C parser), ``READ_CHUNK_ROWS`` rows at a time; a row
    with too many fields is refused."""
    import pandas as pd

    try:
        with pd.read_csv(io.BytesIO(data), encoding="utf-8", dtype=str, keep_default_na=False,
                         header=None, names=names, skiprows=int(has_header),
                         skip_blank_lines=False, index_col=False, engine="c", sep=sep,
                         chunksize=READ_CHUNK_ROWS) as chunks:
            # pandas only warns of extra fields in the first row; the warning filters are
            # the process's, so they are changed for the first chunk only
            with warnings.catch_warnings():
                warnings.simplefilter("error", pd.errors.ParserWarning)
                first = next(chunks, None)
            if first is not None:
                yield first
            yield from chunks
    except pd.errors.ParserWarning:
        first_line = 1 + has_header
        raise InvalidInput(f"line {first_line}: more fields than the {len(names)} columns "
                           f"({','.join(names)})", field="body",
                           detail={"line": first_line}) from None
    except (pd.errors.ParserError, ValueError) as exc:
        raise _csv_error(exc, names) from None


def _csv_error(exc: Exception, names: list[str]) -> InvalidInput:
    found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
    if found is None:
        return InvalidInput(f"body: not CSV rows id,lon,lat[,time]: {exc}", field="body")
    _, line, seen = found.groups()
    return InvalidInput(f"line {line}: {seen} fields, more than the {len(names)} columns "
                        f"({','.join(names)})", field="body", detail={"line": int(line)})


def _numbers(raw: np.ndarray, name: str, refused: Refusals, *,
             decimal_comma: bool = False) -> np.ndarray:
    """Column ``name`` as floats; a row that is not a number is refused (NaN kept)."""
    import pandas as pd

    def numeric(part: np.ndarray) -> np.ndarray:
        series = pd.Series(part)
        if decimal_comma:
            series = series.str.replace(",", ".", regex=False)
        return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)

    # in slices: one to_numeric over a million strings holds the GIL for ~0.4 s
    values = np.concatenate([numeric(raw[i:i + READ_CHUNK_ROWS])
                             for i in range(0, len(raw), READ_CHUNK_ROWS)] or [np.empty(0)])
    for i in np.flatnonzero(np.isnan(values)).tolist():
        text = str(raw[i]).strip()
        problem = "missing" if not text else (f"{text!r} is not a number" if text.lower()
                                              != "nan" else "must be a finite number")
        refused.add(i, name, f"{name}: {problem}")
    return values


# -- GeoJSON --------------------------------------------------------------------------
def parse_geojson(data: bytes, *, max_points: int, epsg: int = WGS84,
                  default_at: datetime | None = None) -> PointBatch:
    """A FeatureCollection of Points; id from the feature's ``id`` or ``properties.id``,
    optional ``properties.time``."""
    doc = loads(data)
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" \
            or not isinstance(doc.get("features"), list):
        raise InvalidInput("body: expected a GeoJSON FeatureCollection of Points",
                           field="body")
    features = doc["features"]
    check_batch(len(features), max_points)
    if not features:
        raise InvalidInput("body: no points (the FeatureCollection is empty)", field="body")
    ids = np.empty(len(features), dtype=object)
    xy = np.full((len(features), 2), np.nan)
    times = np.full(len(features), "", dtype=object)

    def where(i: int) -> str:
        return f"features[{i}]"

    refused = Refusals(len(features), where)
    for i in range(len(features)):
        # each feature let go once read: freeing the whole document at once would hold the
        # GIL for ~0.3 s (half a million features)
        feature, features[i] = features[i], None
        try:
            ids[i], xy[i], times[i] = _feature(i, feature)
        except InvalidInput as exc:
            refused.add_error(i, exc)
    del features, feature
    let_go(doc)  # what else the caller sent, freed a piece at a time as well
    has_time = any(t for t in times)
    return _finish(ids, xy[:, 0], xy[:, 1], times if has_time else None, epsg, default_at,
                   refused)


def _feature(i: int, feature) -> tuple[object, tuple[float, float], str]:
    place = f"features[{i}]"
    geometry = feature.get("geometry") if isinstance(feature, dict) else None
    if not isinstance(geometry, dict) or geometry.get("type") != "Point":
        raise InvalidInput(f"{place}: geometry: expected a Point", field="geometry",
                           detail={"feature": i})
    coords = geometry.get("coordinates")
    if not (isinstance(coords, list) and len(coords) in (2, 3) and all(
            isinstance(c, int | float) and not isinstance(c, bool) for c in coords)):
        raise InvalidInput(f"{place}: coordinates: expected [lon, lat] numbers",
                           field="coordinates", detail={"feature": i})
    props = feature.get("properties") or {}
    if not isinstance(props, dict):
        raise InvalidInput(f"{place}: properties: expected an object", field="properties",
                           detail={"feature": i})
    ident = feature.get("id", props.get("id"))
    if not (ident is None or isinstance(ident, str) or (
            isinstance(ident, int | float) and not isinstance(ident, bool)
            and math.isfinite(ident))):
        raise InvalidInput(f"{place}: id: expected a string or a number (RFC 7946), got "
                           f"{type(ident).__name__}", field="id", detail={"feature": i})
    return ident, (float(coords[0]), float(coords[1])), props.get("time") or ""


# -- shared ---------------------------------------------------------------------------
def _finish(ids, x, y, times, epsg: int, default_at: datetime | None,
            refused: Refusals) -> PointBatch:
    if epsg in (WGS84, VN2000_GEOGRAPHIC):
        _validate(x, y, refused, "")
    lon, lat = to_lonlat(x, y, epsg) if epsg != WGS84 else (x, y)
    if epsg != WGS84:
        _validate(lon, lat, refused, f"transformed from EPSG:{epsg}: ")
    when = _instants(times, default_at, refused) if times is not None else None
    keep, errors = refused.finish(ids)
    positions = np.flatnonzero(keep)
    return PointBatch(ids[keep], np.ascontiguousarray(lon[keep]),
                      np.ascontiguousarray(lat[keep]),
                      when[keep] if when is not None else None, errors, positions)


def _validate(lon: np.ndarray, lat: np.ndarray, refused: Refusals, prefix: str) -> None:
    """``geo.common.lonlat.validate_lonlat`` for every point, vectorised; each bad point not
    refused already is refused with that function's own message, prefixed by its place."""
    finite = np.isfinite(lon) & np.isfinite(lat)
    in_vn = (lon >= VN_WEST) & (lon <= VN_EAST) & (lat >= VN_SOUTH) & (lat <= VN_NORTH)
    swapped = ~in_vn & (lat >= VN_WEST) & (lat <= VN_EAST) & (lon >= VN_SOUTH) & \
        (lon <= VN_NORTH)
    bad = (~finite | swapped | (np.abs(lon) > 180.0) | (np.abs(lat) > 90.0)) & ~refused.mask
    for i in np.flatnonzero(bad).tolist():
        try:
            validate_lonlat(float(lon[i]), float(lat[i]),
                            field_prefix=f"{refused.where(i)}: {prefix}")
        except InvalidInput as exc:
            refused.add_error(i, exc)


def _instants(times: np.ndarray, default_at: datetime | None,
              refused: Refusals) -> np.ndarray:
    """One UTC datetime64[us] per row: each distinct text parsed once (empty: default).
    Distinct texts are found by a dict in a Python loop, which other threads can interrupt
    (sorting a million strings in numpy is one call holding the GIL for ~0.3 s)."""
    from geo.common.timeutil import now

    fallback = as_utc64(default_at or now(), None)
    seen: dict[str, int] = {}
    inverse = np.fromiter((seen.setdefault(str(t).strip() if t is not None else "", len(seen))
                           for t in times), dtype=np.int64, count=len(times))
    stamps = np.empty(len(seen), dtype="datetime64[us]")
    for k, text in enumerate(seen):  # in file order
        try:
            stamps[k] = as_utc64(parse_instant(text), None) if text else fallback
        except InvalidInput:
            stamps[k] = fallback
            for i in np.flatnonzero(inverse == k).tolist():
                refused.add(i, "time", f"time: {str(text)!r} is not an ISO-8601 date-time "
                            "(e.g. 2026-01-05T08:00:00+07:00; no offset means Hanoi time)")
    return stamps[inverse]
