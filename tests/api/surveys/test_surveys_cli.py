"""``borderzone survey …`` end to end: a KML sketch of Hoành Mô's area uploaded, submitted,
approved with its instrument, listed, compared, exported in VN-2000 and printed as a sketch
page; a refused upload prints its report and exits 2."""

from __future__ import annotations

import json
from datetime import timedelta

import pyogrio.raw
import shapely

from api.cli import commands as cli
from geo.common.timeutil import now
from tests.api.surveys import survey_support as ss
from tests.geo.intake import intake_support as s


def _upload(path, *extra) -> list[str]:
    return ["survey", "upload", str(path), "--gate", ss.GATE,
            "--survey-date", (now() - timedelta(days=3)).date().isoformat(),
            "--agencies", "BĐBP tỉnh Quảng Ninh; Sở Ngoại vụ; UBND xã Hoành Mô",
            "--minutes-ref", "BB-KS-CLI/2026", *extra]


def test_cli__upload_review_export_sketch(tmp_path, db_url, engine, loaded, monkeypatch,
                                          capsys):
    monkeypatch.setenv("DATABASE_URL", db_url)
    site = ss.site(engine)
    sketch = site.sketch(1100)
    path = tmp_path / "khu_vuc.kml"
    path.write_bytes(s.gdal_file(tmp_path, sketch, "KML", "kml"))
    assert cli.main(_upload(path)) == 0
    made = json.loads(capsys.readouterr().out)
    sid = made["id"]
    assert made["state"] == "draft" and made["report"]["ok"]
    assert cli.main(["survey", "submit", str(sid)]) == 0
    assert cli.main(["survey", "approve", str(sid), "--instrument-number", "7/NQ-CP-CLI",
                     "--instrument-date", now().date().isoformat()]) == 0
    approved = json.loads(capsys.readouterr().out.split("\n}\n")[-2] + "\n}")
    assert approved["state"] == "approved" and approved["authority"] == "government"
    assert cli.main(["survey", "list", "--gate", ss.GATE]) == 0
    assert f"{sid:>6} " in capsys.readouterr().out
    out = tmp_path / "area.gpkg"
    assert cli.main(["survey", "export", str(sid), "-o", str(out), "--format", "gpkg",
                     "--crs", "vn2000"]) == 0
    meta, _, wkb, _ = pyogrio.raw.read(out)
    assert "5899" in meta["crs"]
    x, y = shapely.get_coordinates(shapely.from_wkb(wkb[0]))[0]
    assert 400_000 < x < 600_000 and 2_300_000 < y < 2_500_000
    page = tmp_path / "so_do.html"
    assert cli.main(["survey", "sketch", str(sid), "-o", str(page)]) == 0
    assert "7/NQ-CP-CLI" in page.read_text(encoding="utf-8")


def test_cli__a_refused_upload_prints_its_report(tmp_path, db_url, engine, loaded,
                                                 monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", db_url)
    site = ss.site(engine)
    path = tmp_path / "lan.kml"
    path.write_bytes(s.gdal_file(tmp_path, site.sketch(1100, shift_m=(0, 500)), "KML", "kml"))
    assert cli.main(_upload(path)) == 2
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    border = next(i for i in report["items"] if i["code"] == "border")
    assert border["severity"] == "error" and border["measure"]["crossing_m"] > 500
    assert "crosses the border line" in captured.err
