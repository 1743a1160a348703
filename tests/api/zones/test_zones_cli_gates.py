"""``borderzone zone …`` end to end (a VN-2000 CSV of Lũng Cú's zone registered, shown and
retired), and gate locations recorded as audited versions by the gate's province only."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import delete, func, select, update

from api.cli import commands as cli
from geo.common import crs
from geo.store.db import transaction
from geo.store.models import audit_log, gate, gate_location, zone
from tests.api.decisions.decision_support import auth
from tests.api.zones.test_zones_api import OFFICER_08, OFFICER_20, PLANNER, client  # noqa: F401
from tests.geo.intake import intake_support as s


def test_cli__add_show_retire_a_vn2000_csv(tmp_path, db_url, engine, loaded, monkeypatch,
                                           capsys):
    monkeypatch.setenv("DATABASE_URL", db_url)
    polygon = s.heptagon(s.lung_cu())[0]
    xy = s.ring(s.apply(crs.transformer(4326, s.TM3_HA_GIANG), polygon))
    path = tmp_path / "khu_cam.csv"
    path.write_bytes(s.csv_text(xy))
    args = ["zone", "add", str(path), "--crs", "EPSG:9209", "--kind", "prohibited_zone_land",
            "--name", "Khu cấm thử CLI", "--instrument-number", "99/QĐ-UBND-CLI",
            "--instrument-date", "2026-01-05", "--issuer", "provincial_peoples_committee",
            "--sensitivity", "restricted", "--valid-from", "2026-01-06T00:00",
            "--province-code", "08"]
    assert cli.main(args) == 0
    out = json.loads(capsys.readouterr().out)
    try:
        assert out["intake"]["crs"] == "EPSG:9209" and "EPSG:6960" in out["intake"]["operation"]
        assert cli.main(["zone", "retire", str(out["id"]), "--instrument", "100/QĐ-UBND"]) == 0
        capsys.readouterr()
        assert cli.main(["zone", "show", str(out["id"])]) == 0
        shown = json.loads(capsys.readouterr().out)
        assert shown["current"]["closed_reason"] == "retired"
        assert shown["current"]["written"]["crs"] == "EPSG:9209"
        assert cli.main(["zone", "retire", str(out["id"]), "--instrument", "again"]) == 2
    finally:
        with transaction(engine) as conn:
            conn.execute(delete(zone).where(func.coalesce(zone.c.record_id, zone.c.id)
                                            == out["id"]))


@pytest.fixture()
def gate_08(engine, loaded):
    with engine.connect() as conn:
        gid = conn.execute(select(gate.c.id).where(gate.c.province_code == "08")
                           .order_by(gate.c.id).limit(1)).scalar_one()
    yield gid
    with transaction(engine) as conn:
        conn.execute(delete(gate_location).where(gate_location.c.gate_id == gid))
        conn.execute(update(gate).where(gate.c.id == gid).values(location=None,
                                                                 location_source=None))


def test_gate_location__versions_scope_and_audit(client, engine, gate_08):  # noqa: F811
    url = f"/v1/gates/{gate_08}/location"
    body = {"lon": 105.3216, "lat": 23.3564, "source": "officer_report", "accuracy_m": 15,
            "reference": "báo cáo đồn BP Lũng Cú 2026-01"}
    assert client.post(url, json=body, headers=auth(client, OFFICER_20)).status_code == 403
    assert client.post(url, json={**body, "source": "guess"},
                       headers=auth(client, OFFICER_08)).status_code == 422
    for accuracy in (15, 0.5):
        response = client.post(url, json={**body, "accuracy_m": accuracy, "source": "survey"
                                          if accuracy < 1 else "officer_report"},
                               headers=auth(client, OFFICER_08))
        assert response.status_code == 201, response.text
    history = client.get(f"/v1/gates/{gate_08}/locations", headers=auth(client, PLANNER))
    first, second = history.json()["locations"]
    assert first["superseded_at"] is not None and second["superseded_at"] is None
    assert second["version"] == 2 and second["source"] == "survey"
    with engine.connect() as conn:
        assert conn.execute(select(gate.c.location_source).where(gate.c.id == gate_08)
                            ).scalar_one() == "survey"
        assert conn.execute(select(func.count()).select_from(audit_log).where(
            audit_log.c.action == "gate.location", audit_log.c.entity_id == gate_08)
            ).scalar_one() >= 2
