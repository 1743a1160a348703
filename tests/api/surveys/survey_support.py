"""Callers, request helpers and files of the survey tests (the site itself: ``survey_site``)."""

from __future__ import annotations

import json
from datetime import timedelta

from geo.common import crs
from geo.common.security import ANONYMOUS, Principal, Role
from geo.common.timeutil import now
from tests.api.decisions.decision_support import auth
from tests.api.security.security_support import unique
from tests.api.surveys.survey_site import (
    COMMUNE,
    GATE,
    GEOD,
    TM3_QUANG_NINH,
    Site,
    geodesic_ha,
    site,
)
from tests.geo.intake import intake_support as s

__all__ = ["COMMUNE", "GATE", "GEOD", "TM3_QUANG_NINH", "Site", "geodesic_ha", "site"]


# -- callers and requests ---------------------------------------------------------
SURVEYOR = Principal(subject="surveyor-22-test", roles=frozenset({Role.SURVEYOR}),
                     provinces=frozenset({"22"}))
SURVEYOR_20 = Principal(subject="surveyor-20-test", roles=frozenset({Role.SURVEYOR}),
                        provinces=frozenset({"20"}))
GOVERNMENT = Principal(subject="approver-gov-22-test", roles=frozenset({Role.APPROVER}),
                       provinces=frozenset({"22"}),
                       gate_types=frozenset({"international", "main"}))
COMMITTEE = Principal(subject="approver-pc-22-test", roles=frozenset({Role.APPROVER}),
                      provinces=frozenset({"22"}),
                      gate_types=frozenset({"auxiliary", "border_opening"}))
GOVERNMENT_20 = Principal(subject="approver-gov-20-test", roles=frozenset({Role.APPROVER}),
                          provinces=frozenset({"20"}), gate_types=frozenset({"main"}))
OFFICER = Principal(subject="officer-22-surveys", roles=frozenset({Role.OFFICER}),
                    provinces=frozenset({"22"}))
PLANNER = Principal(subject="planner-surveys", roles=frozenset({Role.PLANNER}))
TODAY = now().date()
FORMATS = ("geojson", "kml", "kmz", "gpx", "gpkg", "shapefile", "csv", "odk")


def form_fields(**over) -> dict:
    base = {"gate_id": GATE, "survey_date": (TODAY - timedelta(days=20)).isoformat(),
            "agencies": "Bộ đội Biên phòng tỉnh Quảng Ninh; Công an tỉnh Quảng Ninh; "
                        "UBND xã Hoành Mô",
            "minutes_ref": unique("BB-KS"), "notes": "khảo sát khu vực cửa khẩu"}
    return {**base, **over}


def post_survey(client, data: bytes, name: str, who=SURVEYOR, **over):
    return client.post("/v1/surveys", data=form_fields(**over), files={"file": (name, data)},
                       headers=auth(client, who) if who is not ANONYMOUS else {})


def geojson_file(polygon) -> bytes:
    return json.dumps({"type": "Feature", "properties": {},
                       "geometry": polygon.__geo_interface__}).encode()


def vn_csv(polygon, accuracy=None) -> bytes:
    xy = s.ring(s.apply(crs.transformer(4326, TM3_QUANG_NINH), polygon))
    return s.csv_text(xy, accuracy)


def survey_files(tmp, polygon) -> dict[str, tuple[bytes, str, str | None]]:
    kml = s.gdal_file(tmp, polygon, "KML", "kml")
    n = len(s.ring(polygon))
    accuracy = [0.03] * n
    accuracy[3], accuracy[7] = 8.0, 0.0  # one worse than 5 m, one tapped (unknown)
    return {
        "geojson": (geojson_file(polygon), "area.geojson", None),
        "kml": (kml, "area.kml", None),
        "kmz": (s.zipped(tmp, {"doc.kml": kml}), "area.kmz", None),
        "gpx": (s.gdal_file(tmp, polygon, "GPX", "gpx", line=True, layer="tracks"),
                "track.gpx", None),
        "gpkg": (s.gdal_file(tmp, polygon, "GPKG", "gpkg"), "area.gpkg", None),
        "shapefile": (s.shapefile_zip(tmp, polygon, TM3_QUANG_NINH), "area.zip", None),
        "csv": (vn_csv(polygon, accuracy), "area.csv", f"EPSG:{TM3_QUANG_NINH}"),
        "odk": (s.odk_text(polygon), "geoshape.txt", None),
    }


def report_items(report: dict) -> dict[str, dict]:
    return {i["code"]: i for i in report["items"]}


