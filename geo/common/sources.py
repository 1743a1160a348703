"""Reading the boundary datasets named in ``data/datasets.yaml`` from a data directory.

Every reader returns a GeoDataFrame in EPSG:4326 with the manifest's field names, after
checking geometries: invalid ones are repaired with ``shapely.make_valid`` (and counted),
and those that cannot be repaired into the expected type are rejected with the reason.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
import yaml

from geo.common.errors import DataError

MANIFEST = Path(__file__).resolve().parents[2] / "data" / "datasets.yaml"

POLYGONAL = ("Polygon", "MultiPolygon")
LINEAR = ("LineString", "MultiLineString")


@dataclass
class GeometryReport:
    """What the geometry check did to one dataset."""

    dataset: str
    read: int = 0
    repaired: int = 0
    rejected: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"read": self.read, "repaired": self.repaired, "rejected": self.rejected}


@lru_cache(maxsize=1)
def manifest() -> dict:
    """The dataset manifest (``data/datasets.yaml``)."""
    return yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))["datasets"]


def dataset_path(data_dir: Path, name: str) -> Path:
    entry = manifest()[name]
    path = Path(data_dir) / entry["file"]
    if not path.exists():
        raise DataError(f"dataset {name!r}: {path} not found (set BORDERZONE_DATA_DIR or "
                        "--data-dir to the folder holding it; see data/datasets.yaml)")
    return path


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def ascii_name(text: str) -> str:
    """'Hà Nội' -> 'Ha Noi' (đ/Đ mapped to d/D, other diacritics dropped)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def check_geometries(frame: gpd.GeoDataFrame, name: str, allowed: tuple[str, ...],
                     id_field: str | None = None) -> tuple[gpd.GeoDataFrame, GeometryReport]:
    """Repair invalid geometries, keep the ``allowed`` parts, reject what stays unusable."""
    report = GeometryReport(dataset=name, read=len(frame))
    geoms = frame.geometry.values
    keep = []
    for i, geom in enumerate(geoms):
        ident = frame[id_field].iloc[i] if id_field else i
        if geom is None or geom.is_empty:
            report.rejected.append({"feature": str(ident), "reason": "empty or missing geometry"})
            keep.append(None)
            continue
        if not geom.is_valid:
            reason = shapely.is_valid_reason(geom)
            geom = _extract(shapely.make_valid(geom), allowed)
            if geom is None:
                report.rejected.append({"feature": str(ident),
                                        "reason": f"invalid ({reason}), not repairable"})
                keep.append(None)
                continue
            report.repaired += 1
        elif geom.geom_type not in allowed:
            report.rejected.append({"feature": str(ident),
                                    "reason": f"{geom.geom_type}, expected {'/'.join(allowed)}"})
            keep.append(None)
            continue
        keep.append(geom)
    out = frame.copy()
    out.geometry = gpd.GeoSeries(keep, index=frame.index, crs=frame.crs)
    return out[out.geometry.notna()], report


def _extract(geom, allowed: tuple[str, ...]):
    """The parts of a repaired geometry of the allowed family, merged; None if nothing left."""
    if geom.geom_type in allowed:
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in allowed]
    if not parts:
        return None
    merged = shapely.union_all(parts)
    return merged if merged.geom_type in allowed and not merged.is_empty else None


def read_layer(data_dir: Path, name: str, allowed: tuple[str, ...]) -> tuple[
        gpd.GeoDataFrame, GeometryReport]:
    """Read a vector dataset, rename its fields per the manifest, check its geometries."""
    entry = manifest()[name]
    path = dataset_path(data_dir, name)
    try:
        frame = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise DataError(f"dataset {name!r}: cannot read {path}: {exc}") from exc
    if frame.crs is None or frame.crs.to_epsg() != 4326:
        frame = frame.set_crs(4326, allow_override=True) if frame.crs is None else frame.to_crs(
            4326)
    fields = entry.get("fields") or {}
    missing = [src for src in fields.values() if src not in frame.columns]
    if missing:
        raise DataError(f"dataset {name!r} ({path.name}) lacks the fields {missing}; "
                        f"a replacement must provide {sorted(fields.values())}")
    frame = frame.rename(columns={src: dst for dst, src in fields.items()})
    id_field = "code" if "code" in frame.columns else None
    return check_geometries(frame, name, allowed, id_field)


def read_gates(data_dir: Path) -> pd.DataFrame:
    """The gate list (no coordinates: the CSV's lat/lon columns are empty by design)."""
    entry = manifest()["gates"]
    path = dataset_path(data_dir, "gates")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    fields = entry["fields"]
    missing = [src for src in fields.values() if src not in frame.columns]
    if missing:
        raise DataError(f"dataset 'gates' lacks the columns {missing}")
    return frame.rename(columns={src: dst for dst, src in fields.items()})[list(fields)]
