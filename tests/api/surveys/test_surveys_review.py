"""Review and publication of checkpoint-area surveys over HTTP (Hoành Mô, VN-GATE-005): approval
needs the gate type's authority in the gate's province; nothing past submission is edited;
publication makes the area answer the point check at once (through the NOTIFY) and makes a
gate decision possible; a new version closes the old; two publications at once leave one
area in force; exports and pages."""

from __future__ import annotations

import io
import threading
import time
from datetime import timedelta

import pyogrio.raw
import pytest
import shapely
from sqlalchemy import text

from geo.common.security import Principal, Role
from geo.common.timeutil import now
from geo.store.surveys import repository
from tests.api.decisions.decision_support import auth, decision_body
from tests.api.security.security_support import unique
from tests.api.surveys import survey_support as ss
from tests.api.surveys.survey_support import (
    COMMITTEE,
    GOVERNMENT,
    GOVERNMENT_20,
    OFFICER,
    PLANNER,
    SURVEYOR,
    SURVEYOR_20,
    TODAY,
    geojson_file,
    post_survey,
    survey_files,
)


# -- review and publication -------------------------------------------------------------------
@pytest.fixture(scope="module")
def approved(client, tmp_path_factory, sketch, located):
    data, name, crs_text = survey_files(tmp_path_factory.mktemp("csv"), sketch)["csv"]
    made = post_survey(client, data, name, crs=crs_text)
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
    # written over the published checkpoint area; in force where it lies in Vietnam (the
    # sketch follows the border line, so slivers beyond the data's land polygon are cut)
    assert decision["written_area_m2"] / 1e4 == pytest.approx(published["area_ha"], abs=0.05)
    assert 0.99 * decision["written_area_m2"] <= decision["area_m2"]
    assert decision["area_m2"] <= decision["written_area_m2"]
    assert decision["geometry"]["type"] == "MultiPolygon"


def test_publish__a_new_version_replaces_and_closes_the_old(client, site, published):
    bigger = site.sketch(1500)
    made = post_survey(client, geojson_file(bigger), "v2.geojson").json()
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
    sid = post_survey(client, geojson_file(polygon), "v.geojson").json()["id"]
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


