"""Checkpoint-area surveys over HTTP, on the real data (Hoành Mô, VN-GATE-005, a main gate of
Quảng Ninh): every intake format uploads and validates; a VN-2000 CSV with accuracies walks
upload → submit → approve → publish, after which the point check answers the checkpoint
area and a gate decision on Hoành Mô is accepted; local VN-2000 and swapped axes are
flagged, a sketch reaching into China is refused with its crossing length; approval needs
the gate type's authority in the gate's province; nothing past submission is edited; the
diff matches areas and Hausdorff distances computed here independently."""

from __future__ import annotations

import io
import json
import threading
import time
from datetime import timedelta

import numpy as np
import pyogrio.raw
import pytest
import shapely
from fastapi.testclient import TestClient
from pyproj import Transformer
from sqlalchemy import text

from api.app import create_app
from geo.common import crs
from geo.common.security import ANONYMOUS, Principal, Role
from geo.common.timeutil import now
from geo.intake import IntakeLimits
from geo.store.surveys import repository
from geo.surveys import rules
from geo.surveys.meta import SurveyMeta
from tests.api.decisions.decision_support import auth, decision_body
from tests.api.security.security_support import settings, unique
from tests.api.surveys import survey_support as ss
from tests.geo.intake import intake_support as s

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


@pytest.fixture(scope="module")
def client(db_url, loaded):
    # the safety-net probe every 10 minutes: a new area must reach the checks through the
    # NOTIFY the checkpoint_area trigger raises
    app = create_app(settings(index_poll_s=600.0), url=db_url)
    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="module")
def site(engine, loaded):
    return ss.site(engine)


@pytest.fixture(scope="module")
def sketch(site):
    return site.sketch(1200)


@pytest.fixture(scope="module")
def located(client, site, sketch):
    """Hoành Mô's location, recorded as a test survey point: a real point of the commune
    400 m inland from the border, inside the sketch."""
    point = site.inland_point(400)
    assert sketch.contains(point) and site.commune.contains(point)
    response = client.post(f"/v1/gates/{ss.GATE}/location", headers=auth(client, OFFICER),
                           json={"lon": point.x, "lat": point.y, "source": "survey",
                                 "accuracy_m": 5.0,
                                 "reference": "test survey point (borderzone tests)"})
    assert response.status_code == 201, response.text
    return point


def _fields(**over) -> dict:
    base = {"gate_id": ss.GATE, "survey_date": (TODAY - timedelta(days=20)).isoformat(),
            "agencies": "Bộ đội Biên phòng tỉnh Quảng Ninh; Công an tỉnh Quảng Ninh; "
                        "UBND xã Hoành Mô",
            "minutes_ref": unique("BB-KS"), "notes": "khảo sát khu vực cửa khẩu"}
    return {**base, **over}


def _upload(client, data: bytes, name: str, who=SURVEYOR, **over):
    return client.post("/v1/surveys", data=_fields(**over), files={"file": (name, data)},
                       headers=auth(client, who) if who is not ANONYMOUS else {})


def _geojson(polygon) -> bytes:
    return json.dumps({"type": "Feature", "properties": {},
                       "geometry": polygon.__geo_interface__}).encode()


def _vn_csv(polygon, accuracy=None) -> bytes:
    xy = s.ring(s.apply(crs.transformer(4326, ss.TM3_QUANG_NINH), polygon))
    return s.csv_text(xy, accuracy)


def _files(tmp, polygon) -> dict[str, tuple[bytes, str, str | None]]:
    kml = s.gdal_file(tmp, polygon, "KML", "kml")
    n = len(s.ring(polygon))
    accuracy = [0.03] * n
    accuracy[3], accuracy[7] = 8.0, 0.0  # one worse than 5 m, one tapped (unknown)
    return {
        "geojson": (_geojson(polygon), "area.geojson", None),
        "kml": (kml, "area.kml", None),
        "kmz": (s.zipped(tmp, {"doc.kml": kml}), "area.kmz", None),
        "gpx": (s.gdal_file(tmp, polygon, "GPX", "gpx", line=True, layer="tracks"),
                "track.gpx", None),
        "gpkg": (s.gdal_file(tmp, polygon, "GPKG", "gpkg"), "area.gpkg", None),
        "shapefile": (s.shapefile_zip(tmp, polygon, ss.TM3_QUANG_NINH), "area.zip", None),
        "csv": (_vn_csv(polygon, accuracy), "area.csv", f"EPSG:{ss.TM3_QUANG_NINH}"),
        "odk": (s.odk_text(polygon), "geoshape.txt", None),
    }


def _items(report: dict) -> dict[str, dict]:
    return {i["code"]: i for i in report["items"]}


@pytest.mark.parametrize("fmt", FORMATS)
def test_upload__every_format_validates_along_the_real_border(client, tmp_path, site, sketch,
                                                              located, fmt):
    data, name, crs_text = _files(tmp_path, sketch)[fmt]
    response = _upload(client, data, name, **({"crs": crs_text} if crs_text else {}))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["state"] == "draft" and body["gate_id"] == ss.GATE
    report, items = body["report"], _items(body["report"])
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
    data, name, crs_text = _files(tmp_path, sketch)["csv"]
    item = _items(_upload(client, data, name, crs=crs_text).json()["report"])["accuracy"]
    assert item["severity"] == "warning"
    assert (item["measure"]["worse"], item["measure"]["unknown"]) == (1, 1)
    assert [f["vertex"] for f in item["measure"]["flagged"]] == [3, 7]


def test_upload__odk_tapped_vertices_are_unknown(client, tmp_path, sketch, located):
    data, name, _ = _files(tmp_path, sketch)["odk"]
    item = _items(_upload(client, data, name).json()["report"])["accuracy"]
    vertices = len(s.ring(sketch))
    assert item["measure"]["unknown"] == len(range(0, vertices, 3))  # every third: 0.0


def test_upload__local_vn2000_is_flagged_with_its_224_m_offset(client, sketch, located):
    tm = Transformer.from_pipeline(  # WGS 84 lon/lat projected as if it were VN-2000
        "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad +step +proj=tmerc "
        "+lat_0=0 +lon_0=107.75 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84")
    lonlat = s.ring(sketch)
    data = s.csv_text(np.column_stack(tm.transform(lonlat[:, 0], lonlat[:, 1])))
    response = _upload(client, data, "local.csv", crs=f"EPSG:{ss.TM3_QUANG_NINH}")
    # 195 m east, 110 m south puts the area across the border line east of the commune:
    # refused, and the report says why it most likely happened
    assert response.status_code == 422, response.text
    report = response.json()["report"]
    item = _items(report)["vn2000.no_datum_shift"]
    assert item["severity"] == "warning" and item["measure"]["flagged"] is True
    assert 215 < item["measure"]["offset_m"] < 235
    assert 185 < item["measure"]["offset_east_m"] < 205


def test_upload__swapped_axes_are_flagged(client, sketch, located):
    xy = s.ring(s.apply(crs.transformer(4326, ss.TM3_QUANG_NINH), sketch))
    response = _upload(client, s.csv_text(xy[:, ::-1]), "swapped.csv",
                       crs=f"EPSG:{ss.TM3_QUANG_NINH}")
    assert response.status_code == 422, response.text
    body = response.json()
    found = [i["measure"] for i in body.get("report", {}).get("items", [])
             if i["code"] == "vn2000.swapped_xy"] + body.get("diagnoses", [])
    assert any(d["code"] == "swapped_xy" and d["flagged"] for d in found), body


def test_upload__reaching_into_china_is_refused_with_the_crossing_length(client, site,
                                                                         located):
    moved = site.sketch(1200, shift_m=(0.0, 400.0))
    response = _upload(client, _geojson(moved), "moved.geojson")
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["field"] == "file" and "crosses the border line" in body["message"]
    border = _items(body["report"])["border"]
    expected = shapely.intersection(site.to_m(site.border), site.to_m(moved)).length
    assert expected > 1_000
    assert border["severity"] == "error"
    assert border["measure"]["crossing_m"] == pytest.approx(expected, rel=1e-3, abs=1.0)


def test_upload__roles_and_province_scope(client, sketch, located):
    data = _geojson(sketch)
    assert _upload(client, data, "a.geojson", who=ANONYMOUS).status_code == 401
    assert _upload(client, data, "a.geojson", who=PLANNER).status_code == 403
    other = _upload(client, data, "a.geojson", who=SURVEYOR_20)
    assert other.status_code == 403 and other.json()["field"] == "province_code"


@pytest.mark.parametrize(("field", "value"), [
    ("gate_id", "VN-GATE-999"), ("survey_date", "2999-01-01"), ("survey_date", "hôm qua"),
    ("agencies", ""), ("minutes_ref", ""), ("crs", "EPSG:6958")])
def test_upload__bad_fields_name_the_field(client, sketch, located, field, value):
    response = _upload(client, _geojson(sketch), "a.geojson", **{field: value})
    assert response.status_code in (404, 422), response.text
    assert response.json()["field"] == field


def test_upload__malformed_or_missing_file_and_unknown_survey(client, located):
    bad = _upload(client, b"\x00\x01 not a survey", "x.bin")
    assert bad.status_code == 422 and bad.json()["field"] == "file"
    bomb = _upload(client, b"<?xml version='1.0'?><!DOCTYPE kml [<!ENTITY a 'b'>]><kml>&a;</kml>",
                   "x.kml")
    assert bomb.status_code == 422 and "DTD" in bomb.json()["message"]
    none = client.post("/v1/surveys", data=_fields(), headers=auth(client, SURVEYOR))
    assert none.status_code == 422 and none.json()["field"] == "file"
    assert client.get("/v1/surveys/999999", headers=auth(client, PLANNER)).status_code == 404


# -- review and publication -------------------------------------------------------------------
@pytest.fixture(scope="module")
def approved(client, tmp_path_factory, sketch, located):
    data, name, crs_text = _files(tmp_path_factory.mktemp("csv"), sketch)["csv"]
    made = _upload(client, data, name, crs=crs_text)
    assert made.status_code == 201, made.text
    sid = made.json()["id"]
    submitted = client.post(f"/v1/surveys/{sid}/submit", headers=auth(client, SURVEYOR))
    assert submitted.status_code == 200 and submitted.json()["state"] == "submitted"
    return sid


def _approve(client, sid, who):
    return client.post(f"/v1/surveys/{sid}/approve", headers=auth(client, who),
                       json={"instrument_number": unique("NQ") + "/NQ-CP",
                             "instrument_date": TODAY.isoformat()})


def test_approve__needs_the_gate_types_authority_in_the_gate_province(client, approved):
    committee = _approve(client, approved, COMMITTEE)  # auxiliary/border openings only
    assert committee.status_code == 403 and committee.json()["field"] == "gate_type"
    other = _approve(client, approved, GOVERNMENT_20)  # main gates, but of Lạng Sơn
    assert other.status_code == 403 and other.json()["field"] == "province_code"
    assert _approve(client, approved, SURVEYOR).status_code == 403
    got = client.get(f"/v1/surveys/{approved}", headers=auth(client, PLANNER)).json()
    assert got["state"] == "submitted"  # nothing recorded by the refusals


def _gate_decision(client):
    body = decision_body("gate", "commander", 6, "main", gate_id=ss.GATE, province_code="22",
                         start=now() + timedelta(days=1))
    body["signed_at"] = now().isoformat()
    return client.post("/v1/decisions", json=body, headers=auth(client, OFFICER))


@pytest.fixture(scope="module")
def published(client, approved):
    done = _approve(client, approved, GOVERNMENT)
    assert done.status_code == 200, done.text
    assert done.json()["authority"] == "government"
    before = _gate_decision(client)  # approved is not in force: nothing to resolve yet
    assert before.status_code == 422 and before.json()["field"] == "area", before.text
    out = client.post(f"/v1/surveys/{approved}/publish", headers=auth(client, GOVERNMENT))
    assert out.status_code == 200, out.text
    return out.json()


def test_edit__past_submission_is_409(client, approved, published):
    for body in ({"notes": "sửa"}, {"minutes_ref": "BB-khác"}):
        response = client.patch(f"/v1/surveys/{approved}", json=body,
                                headers=auth(client, SURVEYOR))
        assert response.status_code == 409, response.text
        assert "new version" in response.json()["message"]
    again = client.post(f"/v1/surveys/{approved}/submit", headers=auth(client, SURVEYOR))
    assert again.status_code == 409
    assert _approve(client, approved, GOVERNMENT).status_code == 409


def test_audit__every_act_on_the_survey_is_logged(client, approved, published):
    admin = Principal(subject="admin-surveys-test", roles=frozenset({Role.ADMIN}))
    response = client.get("/v1/admin/audit", params={"entity": "survey",
                                                     "entity_id": str(approved)},
                          headers=auth(client, admin))
    assert response.status_code == 200, response.text
    entries = response.json()
    assert sorted(e["action"] for e in entries) == [
        "survey.approve", "survey.publish", "survey.submit", "survey.upload"]
    assert {e["who"] for e in entries} == {SURVEYOR.subject, GOVERNMENT.subject}


def test_edit__a_draft_is_edited(client, sketch, located):
    sid = _upload(client, _geojson(sketch), "a.geojson").json()["id"]
    response = client.patch(f"/v1/surveys/{sid}", json={"notes": "đã sửa"},
                            headers=auth(client, SURVEYOR))
    assert response.status_code == 200 and response.json()["notes"] == "đã sửa"
    bad = client.patch(f"/v1/surveys/{sid}", json={"geom": "x"}, headers=auth(client, SURVEYOR))
    assert bad.status_code == 422 and bad.json()["field"] == "geom"


def _checkpoint_hits(client, point) -> list[dict]:
    response = client.get("/v1/check/point", params={"lon": point.x, "lat": point.y})
    assert response.status_code == 200, response.text
    return [z for z in response.json()["zones"] if z["kind"] == "checkpoint_area"]


def _wait(client, point, predicate, timeout_s=60.0):
    start = time.monotonic()
    while True:
        hits = _checkpoint_hits(client, point)
        if predicate(hits) or time.monotonic() - start > timeout_s:
            return hits, time.monotonic() - start
        time.sleep(0.1)


def test_publish__the_point_check_answers_the_checkpoint_area(client, published, located):
    assert published["state"] == "published" and published["checkpoint_area_id"]
    hits, waited_s = _wait(client, located, lambda h: any(
        z["id"] == str(published["checkpoint_area_id"]) for z in h))
    print(f"published area answered after {waited_s:.2f} s")
    assert waited_s < 60  # the index rebuilt on the NOTIFY (no probe in 600 s), no restart
    hit = next(z for z in hits if z["id"] == str(published["checkpoint_area_id"]))
    assert hit["gate_id"] == ss.GATE and "Hoành Mô" in hit["name"]
    assert published["instrument_number"] in hit["legal_basis"]


def test_publish__a_gate_decision_on_hoanh_mo_is_accepted(client, published):
    response = _gate_decision(client)  # refused before publication (fixture ``published``)
    assert response.status_code == 201, response.text
    decision = response.json()["decision"]
    assert decision["area_m2"] / 1e4 == pytest.approx(published["area_ha"], abs=0.05)
    assert decision["geometry"]["type"] == "MultiPolygon"


def test_publish__a_new_version_replaces_and_closes_the_old(client, site, published):
    bigger = site.sketch(1500)
    made = _upload(client, _geojson(bigger), "v2.geojson").json()
    sid = made["id"]
    client.post(f"/v1/surveys/{sid}/submit", headers=auth(client, SURVEYOR))
    assert _approve(client, sid, GOVERNMENT).status_code == 200
    out = client.post(f"/v1/surveys/{sid}/publish", headers=auth(client, GOVERNMENT)).json()
    assert published["checkpoint_area_id"] in out["closed_checkpoint_areas"]
    old = client.get(f"/v1/surveys/{published['id']}", headers=auth(client, PLANNER)).json()
    assert old["state"] == "superseded" and old["superseded_at"]
    # a point inside the new area only: 1,350 m inland along the commune
    point = site.inland_point(1350)
    assert bigger.contains(point) and not site.sketch(1200).contains(point)
    hits, _ = _wait(client, point, lambda h: any(z["id"] == str(out["checkpoint_area_id"])
                                                 for z in h))
    assert [z["id"] for z in hits] == [str(out["checkpoint_area_id"])]
    gate = client.get(f"/v1/gates/{ss.GATE}", headers=auth(client, PLANNER)).json()
    states = {a["id"]: a["status"] for a in gate["checkpoint_areas"]}
    assert states[published["checkpoint_area_id"]] == "superseded"
    assert states[out["checkpoint_area_id"]] == "approved"


# -- diff, export, pages -------------------------------------------------------------------------
def test_diff__area_change_and_hausdorff_match_independent_values(client, site, located):
    a, b = site.sketch(1200), site.sketch(1500)
    ids = [_upload(client, _geojson(p), "v.geojson").json()["id"] for p in (a, b)]
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


def test_export__formats_and_crs(client, published, sketch):
    sid, headers = published["id"], auth(client, PLANNER)
    geojson = client.get(f"/v1/surveys/{sid}/export", params={"format": "geojson"},
                         headers=headers)
    assert geojson.status_code == 200
    area = shapely.geometry.shape(geojson.json()["features"][0]["geometry"])
    assert ss.geodesic_ha(area) == pytest.approx(ss.geodesic_ha(sketch), abs=0.05)
    vn = client.get(f"/v1/surveys/{sid}/export", params={"format": "geojson", "crs": "vn2000"},
                    headers=headers).json()
    assert vn["crs"]["properties"]["name"].endswith(f"::{ss.TM3_QUANG_NINH}")
    x, y = vn["features"][0]["geometry"]["coordinates"][0][0][0]
    assert 400_000 < x < 600_000 and 2_300_000 < y < 2_500_000  # easting, northing (m)
    for fmt in ("kml", "gpkg"):
        got = client.get(f"/v1/surveys/{sid}/export", params={"format": fmt}, headers=headers)
        assert got.status_code == 200, got.text
        _, _, wkb, _ = pyogrio.raw.read(io.BytesIO(got.content))
        assert ss.geodesic_ha(shapely.from_wkb(wkb[0])) == pytest.approx(
            ss.geodesic_ha(sketch), abs=0.05)
    bad = client.get(f"/v1/surveys/{sid}/export", params={"format": "kml", "crs": "vn2000"},
                     headers=headers)
    assert bad.status_code == 422 and bad.json()["field"] == "crs"


def test_export__a_draft_is_not_exported(client, sketch, located):
    sid = _upload(client, _geojson(sketch), "a.geojson").json()["id"]
    assert client.get(f"/v1/surveys/{sid}/export", headers=auth(client, PLANNER)
                      ).status_code == 409


def test_pages__sketch_and_report_are_self_contained(client, published):
    sid, headers = published["id"], auth(client, PLANNER)
    page = client.get(f"/v1/surveys/{sid}/sketch", headers=headers)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "Hoành Mô" in html and published["instrument_number"] in html and "<svg" in html
    assert "EPSG:5899" in html and "Công an tỉnh Quảng Ninh" in html
    assert "src=" not in html and "href=" not in html and "<script" not in html
    report = client.get(f"/v1/surveys/{sid}/report", params={"format": "html"},
                        headers=headers)
    assert report.status_code == 200 and "closed_ring" in report.text
    assert "<script" not in report.text
    other = client.get(f"/v1/surveys/{sid}/sketch", headers=auth(client, SURVEYOR_20))
    assert other.status_code == 403


def _approved_version(client, polygon) -> int:
    sid = _upload(client, _geojson(polygon), "v.geojson").json()["id"]
    assert client.post(f"/v1/surveys/{sid}/submit", headers=auth(client, SURVEYOR)
                       ).status_code == 200
    assert _approve(client, sid, GOVERNMENT).status_code == 200
    return sid


def test_publish__two_at_once_leave_exactly_one_area_in_force(client, engine, site,
                                                              published):
    ids = [_approved_version(client, site.sketch(r)) for r in (1250, 1300)]
    barrier, done, errors = threading.Barrier(2), {}, []

    def publish(sid):
        barrier.wait()
        try:
            done[sid] = repository.publish(engine, GOVERNMENT, sid)
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=publish, args=(sid,)) for sid in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors and len(done) == 2
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT id, status, valid_from, valid_to FROM checkpoint_area WHERE gate_id = :g "
            "ORDER BY valid_from NULLS FIRST, id"), {"g": ss.GATE}).all()
    open_rows = [r for r in rows if r.valid_to is None]
    assert len(open_rows) == 1 and open_rows[0].status == "approved"
    first, second = sorted(done.values(), key=lambda d: d["published_at"])
    assert open_rows[0].id == second["checkpoint_area_id"]
    by_id = {r.id: r for r in rows}
    closed = by_id[first["checkpoint_area_id"]]
    assert closed.status == "superseded" and closed.valid_to == by_id[
        second["checkpoint_area_id"]].valid_from  # no gap, no overlap
    print("publish swap times (s):", [d["swap_s"] for d in done.values()])


def test_upload__two_at_once_get_consecutive_versions(client, engine, sketch, located):
    meta = SurveyMeta.parse(_fields(), TODAY)
    data = _geojson(sketch)
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
