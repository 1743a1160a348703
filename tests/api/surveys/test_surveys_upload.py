"""Uploading checkpoint-area surveys over HTTP, on the real data (Hoành Mô, VN-GATE-005, a main
gate of Quảng Ninh): every intake format uploads and validates along the real border line;
local VN-2000 and swapped axes are flagged, a sketch reaching into China is refused with its
crossing length (computed here independently); roles, scope and bad fields are refused;
drafts are edited; the diff matches areas and Hausdorff distances computed here
independently; two uploads at once get consecutive versions."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import shapely
from pyproj import Transformer

from geo.common import crs
from geo.common.security import ANONYMOUS
from geo.intake import IntakeLimits
from geo.store.surveys import repository
from geo.surveys import rules
from geo.surveys.meta import SurveyMeta
from tests.api.decisions.decision_support import auth
from tests.api.surveys import survey_support as ss
from tests.api.surveys.survey_support import (
    FORMATS,
    PLANNER,
    SURVEYOR,
    SURVEYOR_20,
    TODAY,
    form_fields,
    geojson_file,
    post_survey,
    report_items,
    survey_files,
)
from tests.geo.intake import intake_support as s


@pytest.mark.parametrize("fmt", FORMATS)
def test_upload__every_format_validates_along_the_real_border(client, tmp_path, site, sketch,
                                                              located, fmt):
    data, name, crs_text = survey_files(tmp_path, sketch)[fmt]
    response = post_survey(client, data, name, **({"crs": crs_text} if crs_text else {}))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["state"] == "draft" and body["gate_id"] == ss.GATE
    report, items = body["report"], report_items(body["report"])
    assert report["ok"] and report["intake"]["format"] == fmt
    assert report["area_ha"] == pytest.approx(ss.geodesic_ha(sketch), abs=0.05)
    border = items["border"]
    assert border["severity"] == "ok" and border["measure"]["crossing_m"] == 0
    shared = shapely.intersection(site.to_m(site.border),
                                  shapely.buffer(site.to_m(sketch).boundary, 1.0)).length
    assert border["measure"]["shared_m"] == pytest.approx(shared, rel=0.01)
    assert shared > 1_500  # the sketch runs along the border for kilometres
    assert items["gate_location"]["measure"]["contains"] is True
    assert items["commune"]["measure"]["home"]["code"] == ss.COMMUNE
    assert items["area"]["severity"] == "ok" and items["spikes"]["severity"] == "ok"
    assert not [d for d in report["items"] if d["code"].startswith("vn2000.")
                and d["severity"] == "warning"]


def test_upload__csv_accuracy_flags_worse_and_unknown_vertices(client, tmp_path, sketch,
                                                               located):
    data, name, crs_text = survey_files(tmp_path, sketch)["csv"]
    item = report_items(post_survey(client, data, name, crs=crs_text).json()["report"])["accuracy"]
    assert item["severity"] == "warning"
    assert (item["measure"]["worse"], item["measure"]["unknown"]) == (1, 1)
    assert [f["vertex"] for f in item["measure"]["flagged"]] == [3, 7]


def test_upload__odk_tapped_vertices_are_unknown(client, tmp_path, sketch, located):
    data, name, _ = survey_files(tmp_path, sketch)["odk"]
    item = report_items(post_survey(client, data, name).json()["report"])["accuracy"]
    vertices = len(s.ring(sketch))
    assert item["measure"]["unknown"] == len(range(0, vertices, 3))  # every third: 0.0


def test_upload__local_vn2000_is_flagged_with_its_224_m_offset(client, sketch, located):
    tm = Transformer.from_pipeline(  # WGS 84 lon/lat projected as if it were VN-2000
        "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad +step +proj=tmerc "
        "+lat_0=0 +lon_0=107.75 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84")
    lonlat = s.ring(sketch)
    data = s.csv_text(np.column_stack(tm.transform(lonlat[:, 0], lonlat[:, 1])))
    response = post_survey(client, data, "local.csv", crs=f"EPSG:{ss.TM3_QUANG_NINH}")
    # 195 m east, 110 m south puts the area across the border line east of the commune:
    # refused, and the report says why it most likely happened
    assert response.status_code == 422, response.text
    report = response.json()["report"]
    item = report_items(report)["vn2000.no_datum_shift"]
    assert item["severity"] == "warning" and item["measure"]["flagged"] is True
    assert 215 < item["measure"]["offset_m"] < 235
    assert 185 < item["measure"]["offset_east_m"] < 205


def test_upload__swapped_axes_are_flagged(client, sketch, located):
    xy = s.ring(s.apply(crs.transformer(4326, ss.TM3_QUANG_NINH), sketch))
    response = post_survey(client, s.csv_text(xy[:, ::-1]), "swapped.csv",
                       crs=f"EPSG:{ss.TM3_QUANG_NINH}")
    assert response.status_code == 422, response.text
    body = response.json()
    found = [i["measure"] for i in body.get("report", {}).get("items", [])
             if i["code"] == "vn2000.swapped_xy"] + body.get("diagnoses", [])
    assert any(d["code"] == "swapped_xy" and d["flagged"] for d in found), body


def test_upload__reaching_into_china_is_refused_with_the_crossing_length(client, site,
                                                                         located):
    moved = site.sketch(1200, shift_m=(0.0, 400.0))
    response = post_survey(client, geojson_file(moved), "moved.geojson")
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["field"] == "file" and "crosses the border line" in body["message"]
    border = report_items(body["report"])["border"]
    expected = shapely.intersection(site.to_m(site.border), site.to_m(moved)).length
    assert expected > 1_000
    assert border["severity"] == "error"
    assert border["measure"]["crossing_m"] == pytest.approx(expected, rel=1e-3, abs=1.0)


def test_upload__roles_and_province_scope(client, sketch, located):
    data = geojson_file(sketch)
    assert post_survey(client, data, "a.geojson", who=ANONYMOUS).status_code == 401
    assert post_survey(client, data, "a.geojson", who=PLANNER).status_code == 403
    other = post_survey(client, data, "a.geojson", who=SURVEYOR_20)
    assert other.status_code == 403 and other.json()["field"] == "province_code"


@pytest.mark.parametrize(("field", "value"), [
    ("gate_id", "VN-GATE-999"), ("survey_date", "2999-01-01"), ("survey_date", "hôm qua"),
    ("agencies", ""), ("minutes_ref", ""), ("crs", "EPSG:6958")])
def test_upload__bad_fields_name_the_field(client, sketch, located, field, value):
    response = post_survey(client, geojson_file(sketch), "a.geojson", **{field: value})
    assert response.status_code in (404, 422), response.text
    assert response.json()["field"] == field


def test_upload__malformed_or_missing_file_and_unknown_survey(client, located):
    bad = post_survey(client, b"\x00\x01 not a survey", "x.bin")
    assert bad.status_code == 422 and bad.json()["field"] == "file"
    entity = b"<?xml version='1.0'?><!DOCTYPE kml [<!ENTITY a 'b'>]><kml>&a;</kml>"
    bomb = post_survey(client, entity, "x.kml")
    assert bomb.status_code == 422 and "DTD" in bomb.json()["message"]
    none = client.post("/v1/surveys", data=form_fields(), headers=auth(client, SURVEYOR))
    assert none.status_code == 422 and none.json()["field"] == "file"
    assert client.get("/v1/surveys/999999", headers=auth(client, PLANNER)).status_code == 404


def test_edit__a_draft_is_edited(client, sketch, located):
    sid = post_survey(client, geojson_file(sketch), "a.geojson").json()["id"]
    response = client.patch(f"/v1/surveys/{sid}", json={"notes": "đã sửa"},
                            headers=auth(client, SURVEYOR))
    assert response.status_code == 200 and response.json()["notes"] == "đã sửa"
    bad = client.patch(f"/v1/surveys/{sid}", json={"geom": "x"}, headers=auth(client, SURVEYOR))
    assert bad.status_code == 422 and bad.json()["field"] == "geom"


# -- diff, export, pages -------------------------------------------------------------------------
def test_diff__area_change_and_hausdorff_match_independent_values(client, site, located):
    a, b = site.sketch(1200), site.sketch(1500)
    ids = [post_survey(client, geojson_file(p), "v.geojson").json()["id"] for p in (a, b)]
    response = client.get(f"/v1/surveys/{ids[0]}/diff/{ids[1]}", headers=auth(client, PLANNER))
    assert response.status_code == 200, response.text
    d = response.json()
    change_ha = ss.geodesic_ha(b) - ss.geodesic_ha(a)
    assert d["area_change_ha"] == pytest.approx(change_ha, abs=0.01)
    assert d["area_change_pct"] == pytest.approx(100 * change_ha / ss.geodesic_ha(a), abs=0.01)
    hausdorff = shapely.hausdorff_distance(site.to_m(a), site.to_m(b))
    assert 250 < hausdorff < 400
    assert d["hausdorff_m"] == pytest.approx(hausdorff, abs=0.5)
    assert d["lost"] == [] and d["gained"]
    assert d["symmetric_difference_ha"] == pytest.approx(change_ha, abs=0.01)
    page = client.get(f"/v1/surveys/{ids[0]}/diff/{ids[1]}?format=html",
                      headers=auth(client, PLANNER))
    assert page.status_code == 200 and "<svg" in page.text


def test_export__a_draft_is_not_exported(client, sketch, located):
    sid = post_survey(client, geojson_file(sketch), "a.geojson").json()["id"]
    assert client.get(f"/v1/surveys/{sid}/export", headers=auth(client, PLANNER)
                      ).status_code == 409


def test_upload__two_at_once_get_consecutive_versions(client, engine, sketch, located):
    meta = SurveyMeta.parse(form_fields(), TODAY)
    data = geojson_file(sketch)
    barrier, done, errors = threading.Barrier(2), [], []

    def upload():
        read = repository.file_reader(data, "a.geojson", None, IntakeLimits())
        barrier.wait()
        try:
            done.append(repository.upload(engine, SURVEYOR, meta, read, rules.load()))
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=upload) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors and len(done) == 2
    first, second = sorted(d["version"] for d in done)
    assert second == first + 1



def test_validation__a_refused_file_gets_its_readable_page_and_nothing_is_stored(
        client, site, located):
    moved = geojson_file(site.sketch(1200, shift_m=(0.0, 400.0)))
    listed = client.get("/v1/surveys", params={"gate_id": ss.GATE},
                        headers=auth(client, PLANNER)).json()["count"]
    as_json = client.post("/v1/surveys/validation", data=form_fields(),
                          files={"file": ("m.geojson", moved)}, headers=auth(client, SURVEYOR))
    assert as_json.status_code == 200 and as_json.json()["ok"] is False
    page = client.post("/v1/surveys/validation", params={"format": "html"}, data=form_fields(),
                       files={"file": ("m.geojson", moved)}, headers=auth(client, SURVEYOR))
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "crosses the border line" in page.text and "<svg" in page.text
    assert "<script" not in page.text and "src=" not in page.text
    assert client.get("/v1/surveys", params={"gate_id": ss.GATE}, headers=auth(
        client, PLANNER)).json()["count"] == listed
