"""GDAL reads the layers as a standard OGC API – Features service (Debian gdal-bin)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pyogrio
import pytest

from geo.layers.collections import ids
from tests.api.decisions.decision_support import client  # noqa: F401 (fixture)
from tests.api.layers.layer_support import H, a_day, issue
from tests.conftest import count
from tests.live_server import live_server

pytestmark = pytest.mark.db


def _run(*args: str) -> str:
    done = subprocess.run(args, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="module")
def server(db_url, loaded):
    with live_server(db_url) as s:
        yield s


def test_ogrinfo__lists_every_collection(server):
    out = _run("ogrinfo", "-ro", "-so", f"OAPIF:{server.url}/ogc")
    listed = [line.split(": ", 1)[1].split(" ", 1)[0] for line in out.splitlines()
              if line[:1].isdigit() and ": " in line]
    assert listed == list(ids())
    server.assert_alive()


def test_ogr2ogr__copies_the_belt_with_every_feature(server, conn, tmp_path: Path):
    target = tmp_path / "belt.gpkg"
    _run("ogr2ogr", "-f", "GPKG", str(target), f"OAPIF:{server.url}/ogc", "belt")
    frame = pyogrio.read_dataframe(target, layer="belt")
    assert len(frame) == count(conn, "belt_segment") > 200
    assert frame.crs.to_epsg() == 4326
    assert set(frame["province_code"]) >= {"08", "20"}  # Tuyên Quang, Lạng Sơn


def test_ogr2ogr__decisions_filtered_by_datetime(server, client, tmp_path: Path):  # noqa: F811
    start = a_day()
    morning = issue(client, start, 12)["number"]  # 08:00-20:00
    night = issue(client, start + 13 * H, 2)["number"]  # 21:00-23:00
    noon = (start + 4 * H).isoformat().replace("+", "%2B")
    target = tmp_path / "decisions.gpkg"
    _run("ogr2ogr", "-f", "GPKG", str(target),
         f"OAPIF:{server.url}/ogc/collections/decisions?datetime={noon}")
    frame = pyogrio.read_dataframe(target)
    numbers = set(frame["number"])
    assert morning in numbers and night not in numbers
    assert (frame["valid_from"] <= (start + 4 * H)).all()
    assert len(frame) == client.get("/ogc/collections/decisions/items", params={
        "datetime": (start + 4 * H).isoformat()}).json()["numberMatched"]
