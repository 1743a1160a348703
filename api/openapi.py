"""The OpenAPI document as clients read it: valid (OpenAPI 3.1), every schema a body refers
to present, and an example for every request body, taken from the real data.

Bodies read by hand (POST /v1/check, /v1/check/batch, /v1/zones) are declared in their
routers' ``openapi_extra``; the models those declarations name are registered here
(``SCHEMAS``). ``EXAMPLES`` holds one example per (method, path, content type): points in
Lạng Sơn (20) and at Lũng Cú (commune 00715, Tuyên Quang 08), gates of the gate list
(VN-GATE-010 Hữu Nghị, VN-GATE-023 Phó Bảng). A body without an example fails
tests/api/test_openapi.py.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel

from api.routers.check_input import CheckRequest
from api.schemas.gates import CROSSING_EXAMPLE

#: models referred to by ``openapi_extra`` declarations (``#/components/schemas/<name>``)
SCHEMAS: tuple[type[BaseModel], ...] = (CheckRequest,)

LANG_SON = [106.7615, 21.8537]  # Lạng Sơn city, 15 km from the China border
LUNG_CU = [105.3208, 23.3590]  # Lũng Cú (00715): in the border belt
LUNG_CU_SQUARE = [[105.30, 23.33], [105.31, 23.33], [105.31, 23.34], [105.30, 23.34],
                  [105.30, 23.33]]
GPX = ('<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="phone" '
       'xmlns="http://www.topografix.com/GPX/1/1"><trk><name>Lũng Cú</name><trkseg>'
       '<trkpt lat="23.3400" lon="105.3150"><time>2026-01-05T01:00:00Z</time></trkpt>'
       '<trkpt lat="23.3590" lon="105.3208"><time>2026-01-05T01:40:00Z</time></trkpt>'
       '</trkseg></trk></gpx>\n')
ISSUER_POST = {"role": "border_post_commander", "unit_name": "Đồn Biên phòng Lũng Cú",
               "signer_name": "Nguyễn Văn An", "signer_rank": "Thiếu tá"}
ZONE = {"kind": "prohibited_zone_land", "name": "Khu vực cấm Cột cờ Lũng Cú",
        "instrument_number": "25/QĐ-UBND", "instrument_date": "2026-01-10",
        "issuer": "provincial_peoples_committee", "sensitivity": "secret",
        "province_code": "08", "valid_from": "2026-02-01T00:00:00+07:00"}


def _checks() -> dict[tuple[str, str, str], Any]:
    return {
        ("post", "/v1/check", "application/json"): {
            "geometry": {"type": "LineString", "coordinates": [[105.3150, 23.3400], LUNG_CU]},
            "times": ["2026-01-05T08:00:00+07:00", "2026-01-05T08:40:00+07:00"],
            "person": "foreign_visitor"},
        ("post", "/v1/check", "multipart/form-data"): {
            "file": GPX, "person": "vietnamese_citizen"},
        ("post", "/v1/check/batch", "text/csv"):
            "id,lon,lat,time\nlang-son,106.7615,21.8537,\n"
            "lung-cu,105.3208,23.3590,2026-01-05T08:00:00+07:00\n",
        ("post", "/v1/check/batch", "application/geo+json"): {
            "type": "FeatureCollection", "features": [
                {"type": "Feature", "id": "lang-son", "properties": {},
                 "geometry": {"type": "Point", "coordinates": LANG_SON}},
                {"type": "Feature", "id": "lung-cu",
                 "properties": {"time": "2026-01-05T08:00:00+07:00"},
                 "geometry": {"type": "Point", "coordinates": LUNG_CU}}]},
        ("post", "/v1/crossings/check", "application/json"): CROSSING_EXAMPLE,
    }


def _writes() -> dict[tuple[str, str, str], Any]:
    decision = "/v1/decisions/{number}"
    gate = "/v1/gates/{gate_id}"
    zone = "/v1/zones/{zone_id}"
    return {
        ("post", "/v1/auth/token", "application/x-www-form-urlencoded"): {
            "grant_type": "client_credentials", "client_secret": "bzk_0a1b2c3d.…"},
        ("post", "/v1/admin/users", "application/json"): {
            "name": "officer-lang-son", "roles": ["officer"], "provinces": ["20"]},
        ("post", "/v1/decisions", "application/json"): {
            "number": "12/QĐ-ĐBP", "kind": "restrict", "scope": "border_belt",
            "activities": ["enter_leave_zone", "market"],
            "area": {"kind": "belt_in_communes", "commune_codes": ["00715"]},
            "issuer": ISSUER_POST, "province_code": "08", "reason_code": "disaster_epidemic",
            "reason_text": "mưa lũ gây sạt lở đất trên đường tuần tra",
            "legal_basis": ["Law 66/2020/QH14"],
            "recipients": {"domestic": ["Công an tỉnh Tuyên Quang"],
                           "neighbour_force": "Trạm Biên phòng Long Phú (Trung Quốc)"},
            "valid_from": "2026-07-01T08:00:00+07:00", "valid_to": "2026-07-01T20:00:00+07:00",
            "signed_at": "2026-07-01T07:30:00+07:00"},
        ("post", f"{decision}/extensions", "application/json"): {
            "number": "13/QĐ-ĐBP", "new_valid_to": "2026-07-02T08:00:00+07:00",
            "issuer": ISSUER_POST, "reason_text": "mưa lũ tiếp diễn",
            "signed_at": "2026-07-01T18:00:00+07:00"},
        ("post", f"{decision}/revocation", "application/json"): {
            "number": "14/QĐ-ĐBP", "effective_at": "2026-07-01T16:00:00+07:00",
            "issuer": ISSUER_POST, "reason_text": "đường tuần tra đã thông"},
        ("post", f"{gate}/hours", "application/json"): {
            "opens": "07:00", "closes": "22:00", "valid_from": "2026-01-01T00:00:00+07:00",
            "instrument": "Thông báo 12/TB-UBND của UBND tỉnh Lạng Sơn (cửa khẩu Hữu Nghị)"},
        ("post", f"{gate}/emergency-openings", "application/json"): {
            "number": "15/TB-BCH", "reason": "natural_disaster",
            "reason_text": "sơ tán người dân vùng lũ qua cửa khẩu Hữu Nghị",
            "agreed_with": "Trạm Kiểm soát Biên phòng Hữu Nghị Quan (Trung Quốc)",
            "ordered_by": "Bộ Chỉ huy Bộ đội Biên phòng tỉnh Lạng Sơn",
            "valid_from": "2026-08-10T06:00:00+07:00", "valid_to": "2026-08-10T18:00:00+07:00"},
        ("post", f"{gate}/location", "application/json"): {
            "lon": 105.188, "lat": 23.256, "source": "officer_report", "accuracy_m": 50,
            "reference": "báo cáo Đồn Biên phòng Phó Bảng, 2026-01 (VN-GATE-023)"},
        ("post", "/v1/zones", "application/json"): {
            **ZONE, "geometry": {"type": "Polygon", "coordinates": [LUNG_CU_SQUARE]}},
        ("post", "/v1/zones", "multipart/form-data"): {
            **ZONE, "file": "(a Shapefile .zip, GeoPackage, KML, DXF or GeoJSON file)"},
        ("post", f"{zone}/versions", "application/json"): {
            "instrument_number": "31/QĐ-UBND", "instrument_date": "2026-06-02",
            "geometry": {"type": "Polygon", "coordinates": [LUNG_CU_SQUARE]}},
        ("post", f"{zone}/versions", "multipart/form-data"): {
            "instrument_number": "31/QĐ-UBND", "instrument_date": "2026-06-02",
            "file": "(the amended boundary: Shapefile .zip, GeoPackage, KML, DXF, GeoJSON)"},
        ("post", f"{zone}/retirement", "application/json"): {
            "instrument_number": "40/QĐ-UBND", "at": "2026-12-31T00:00:00+07:00"},
        **_surveys(),
    }


def _surveys() -> dict[tuple[str, str, str], Any]:
    """Checkpoint-area surveys at Hoành Mô (VN-GATE-005, a main gate in Quảng Ninh)."""
    survey = "/v1/surveys/{survey_id}"
    upload = {"file": "(the sketch: a QField GeoPackage, KML, GPX, zipped Shapefile, ODK "
                      "geoshape or a CSV of VN-2000 coordinates)",
              "gate_id": "VN-GATE-005", "survey_date": "2026-05-12",
              "agencies": "Đồn Biên phòng Hoành Mô; Chi cục Hải quan cửa khẩu Hoành Mô; "
                          "UBND xã Hoành Mô",
              "minutes_ref": "Biên bản khảo sát số 05/BB-KS ngày 12/5/2026",
              "notes": "đo bằng máy GNSS cầm tay", "crs": "EPSG:5899"}  # TM-3 107°45′
    return {
        ("post", "/v1/surveys", "multipart/form-data"): upload,
        ("post", "/v1/surveys/validation", "multipart/form-data"): upload,
        ("patch", survey, "application/json"): {
            "minutes_ref": "Biên bản khảo sát số 05/BB-KS ngày 12/5/2026 (bản đã ký)"},
        ("post", f"{survey}/approve", "application/json"): {
            "instrument_number": "1234/QĐ-TTg", "instrument_date": "2026-09-01"},
        ("post", f"{survey}/reject", "application/json"): {
            "reason": "cạnh phía đông vượt qua đường biên giới 35 m; cần đo lại"},
    }


EXAMPLES: dict[tuple[str, str, str], Any] = {**_checks(), **_writes()}


def enrich(doc: dict) -> dict:
    """Register ``SCHEMAS`` and put ``EXAMPLES`` on their media types (in place)."""
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    for model in SCHEMAS:
        schemas.setdefault(model.__name__, model.model_json_schema(
            ref_template="#/components/schemas/{model}"))
    for path, operations in doc.get("paths", {}).items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            for media, entry in content.items():
                if (method, path, media) in EXAMPLES:
                    entry["example"] = EXAMPLES[(method, path, media)]
    return doc


def install_openapi(app: FastAPI) -> None:
    """``app.openapi()`` returns the enriched document (built once, then cached)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = enrich(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
