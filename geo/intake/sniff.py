"""Which format an upload is, from its bytes (the file name only breaks ties), and the
screening done before GDAL sees it: XML without DTDs or entities (defusedxml), zips within
their entry and expansion limits, a GeoPackage that says it is one.

Only these families pass: anything else (a VRT, a raster, a SQLite database that is not a
GeoPackage) is refused, so GDAL is never asked to open other files or the network.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

import defusedxml.ElementTree as safe_xml
from defusedxml import DefusedXmlException

from geo.common.errors import InvalidInput, PayloadTooLarge
from geo.intake.model import IntakeLimits

GEOJSON, KML, KMZ, GPX, GPKG, SHAPEFILE, CSV, ODK = (
    "geojson", "kml", "kmz", "gpx", "gpkg", "shapefile", "csv", "odk")
FORMATS = (GEOJSON, KML, KMZ, GPX, GPKG, SHAPEFILE, CSV, ODK)

_SQLITE = b"SQLite format 3\x00"
_GPKG_IDS = (b"GPKG", b"GP10", b"GP11")
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_ODK_RE = re.compile(rf"^\s*{_NUMBER}(?:\s+{_NUMBER}){{1,3}}\s*(?:;\s*(?:{_NUMBER}"
                     rf"(?:\s+{_NUMBER}){{1,3}}\s*)?)*$")


@dataclass(frozen=True)
class Sniffed:
    """The format and the bytes GDAL should read (for a KMZ: its KML document)."""

    format: str
    data: bytes


def _text_head(data: bytes) -> str:
    return data[:4096].decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")


def screen_xml(data: bytes, *, field: str = "file") -> str:
    """Parse with defusedxml (no DTD, no entities, no external references); the root's
    local name (``kml``, ``gpx``...). Raises ``InvalidInput`` naming the problem."""
    try:
        root = safe_xml.fromstring(data, forbid_dtd=True, forbid_entities=True,
                                   forbid_external=True)
    except DefusedXmlException as exc:
        kind = type(exc).__name__
        raise InvalidInput(f"{field}: XML with a DTD or entities is refused ({kind})",
                           field=field) from None
    except safe_xml.ParseError as exc:
        raise InvalidInput(f"{field}: not well-formed XML ({exc})", field=field) from None
    return root.tag.rsplit("}", 1)[-1].lower()


def _zip(data: bytes, limits: IntakeLimits, field: str) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise InvalidInput(f"{field}: a broken zip ({exc})", field=field) from None
    entries = archive.infolist()
    if len(entries) > limits.max_zip_entries:
        raise PayloadTooLarge(f"{field}: a zip of {len(entries)} entries, more than "
                              f"{limits.max_zip_entries}", field=field)
    expanded = sum(e.file_size for e in entries)
    if expanded > limits.max_bytes * limits.zip_ratio:
        raise PayloadTooLarge(f"{field}: the zip expands to {expanded:,} bytes, more than "
                              f"{limits.max_bytes * limits.zip_ratio:,}", field=field)
    return archive


def _read_member(archive: zipfile.ZipFile, name: str, limits: IntakeLimits,
                 field: str) -> bytes:
    with archive.open(name) as member:
        data = member.read(limits.max_bytes + 1)  # the declared size may lie
    limits.check_bytes(len(data), field=f"{field}: {name}")
    return data


def _from_zip(data: bytes, limits: IntakeLimits, field: str) -> Sniffed:
    archive = _zip(data, limits, field)
    names = [n for n in archive.namelist() if not n.endswith("/")]
    lower = [n.lower() for n in names]
    shp = [n for n in lower if n.endswith(".shp")]
    kml = [names[i] for i, n in enumerate(lower) if n.endswith(".kml")]
    if len(shp) == 1:
        missing = [ext for ext in (".shx", ".dbf") if not any(n.endswith(ext) for n in lower)]
        if missing:
            raise InvalidInput(f"{field}: the zipped Shapefile lacks {', '.join(missing)}",
                               field=field)
        for name in names:  # every member within limits before GDAL expands any
            _read_member(archive, name, limits, field)
        return Sniffed(SHAPEFILE, data)
    if kml:
        doc = next((n for n in kml if n.lower().endswith("doc.kml")), kml[0])
        inner = _read_member(archive, doc, limits, field)
        if screen_xml(inner, field=field) != "kml":
            raise InvalidInput(f"{field}: {doc} in the KMZ is not KML", field=field)
        return Sniffed(KMZ, inner)
    raise InvalidInput(f"{field}: a zip must hold one Shapefile (.shp, .shx, .dbf, .prj) or "
                       f"a KML document; found {len(shp)} .shp and {len(kml)} .kml",
                       field=field)


def sniff(data: bytes, filename: str | None, limits: IntakeLimits,
          field: str = "file") -> Sniffed:
    """The format of ``data`` (one of ``FORMATS``) and the bytes to read."""
    limits.check_bytes(len(data), field=field)
    if not data.strip():
        raise InvalidInput(f"{field}: empty", field=field)
    if data.startswith(b"PK\x03\x04"):
        return _from_zip(data, limits, field)
    if data.startswith(_SQLITE):
        if data[68:72] not in _GPKG_IDS:
            raise InvalidInput(f"{field}: an SQLite file that is not a GeoPackage", field=field)
        return Sniffed(GPKG, data)
    head = _text_head(data)
    if head.startswith(("{", "[")):
        return Sniffed(GEOJSON, data)
    if head.startswith("<"):
        root = screen_xml(data, field=field)
        if root in (KML, GPX):
            return Sniffed(root, data)
        raise InvalidInput(f"{field}: XML whose root is <{root}>; KML or GPX expected",
                           field=field)
    text = data.decode("utf-8", errors="replace").strip()
    if _ODK_RE.match(text) and ";" in text:
        return Sniffed(ODK, data)
    if "," in head.split("\n", 1)[0] or (filename or "").lower().endswith(".csv"):
        return Sniffed(CSV, data)
    raise InvalidInput(f"{field}: not a format the intake reads; send GeoJSON, KML/KMZ, GPX, "
                       "GeoPackage, a zipped Shapefile, a CSV of vertices or an ODK geoshape",
                       field=field)
