"""Planners' notebooks run against the test database, so they never go stale.

They are started from ``notebooks/`` (where a planner starts Jupyter), reading the database
from ``DATABASE_URL`` as the service does; they must find the checkout from there.
"""

import csv
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from api.notebook import notebook_settings, project_root
from geo.common.timeutil import HANOI
from tests.api.decisions.decision_support import auth as officer_auth
from tests.api.decisions.decision_support import (
    client,  # noqa: F401 - a fixture
    decision_body,
    extension_body,
    path,
    revocation_body,
)

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
H = timedelta(hours=1)


def _run(name: str, monkeypatch, db_url: str, **env: str) -> str:
    monkeypatch.delenv("BORDERZONE_NOTEBOOK_DB", raising=False)
    monkeypatch.setenv("DATABASE_URL", db_url)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    return "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                   for o in c.get("outputs", []))


def test_notebook__project_root_from_any_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # not inside the checkout: found from the package itself
    assert project_root() == ROOT
    assert project_root(NOTEBOOKS) == ROOT
    monkeypatch.delenv("BORDERZONE_HOME", raising=False)
    settings = notebook_settings(project_root(NOTEBOOKS))
    assert settings.state_dir == ROOT / ".borderzone"  # not notebooks/.borderzone


def test_notebook__province_belt_runs_and_maps_lang_son(db_url, loaded, tmp_path, monkeypatch):
    out = tmp_path / "belt_map.html"
    printed = _run("province_belt", monkeypatch, db_url, BORDERZONE_NOTEBOOK_OUT=str(out),
                   BORDERZONE_NOTEBOOK_PROVINCE="20")
    assert "land border communes" in printed
    count = int(printed.split(" land border communes")[0].split()[-1])
    assert count > 10  # Lạng Sơn has many communes on the China border
    china_km = float(printed.split("border with CHN: ")[1].split(" km")[0])
    assert 220 < china_km < 280  # Lạng Sơn's border with China: about 253 km
    assert "border with LAO" not in printed
    html = out.read_text()
    assert "border belt" in html and "06184" in html  # Đồng Đăng, on the China border
    assert "sapnhap.bando.com.vn" in html  # the data attribution on the map


def _start() -> datetime:
    """A day of 2022-2024 of this run's own (decisions are never deleted; days differ)."""
    offset = uuid.uuid4().int % 1090
    return datetime(2022, 1, 1, 8, 0, tzinfo=HANOI) + timedelta(days=offset)


def _post(api, url: str, body: dict) -> None:
    answer = api.post(url, json=body, headers=officer_auth(api))
    assert answer.status_code == 201, answer.text


def test_notebook__decisions_timeline_counts_acts_per_day(client, tmp_path,  # noqa: F811
                                                          monkeypatch, db_url):
    start = _start()
    a = decision_body("land_border_area", "commander", 24, start=start)
    _post(client, "/v1/decisions", a)  # day 0, 08:00 to day 1, 08:00
    _post(client, path(a["number"], "/extensions"),
          extension_body(start + 48 * H, "committee", start + 23 * H))  # signed day 1
    _post(client, path(a["number"], "/revocation"),
          revocation_body(start + 30 * H, "commander"))  # ends day 1, 14:00
    _post(client, "/v1/decisions", decision_body(  # day 1, 20:00 to day 2, 08:00
        "land_border_area", "commander", 12, start=start + 36 * H))
    out = tmp_path / "timeline.csv"
    first: date = start.date()
    printed = _run("decisions_timeline", monkeypatch, db_url, BORDERZONE_NOTEBOOK_OUT=str(out),
                   BORDERZONE_NOTEBOOK_PROVINCE="08", BORDERZONE_NOTEBOOK_FROM=str(first),
                   BORDERZONE_NOTEBOOK_TO=str(first + timedelta(days=3)))
    assert "decisions recorded for province 08" in printed
    rows = {r["day"]: [int(r[k]) for k in ("issued", "extended", "revoked", "in_force")]
            for r in csv.DictReader(out.open())}
    day = [str(first + timedelta(days=n)) for n in range(4)]
    assert rows == {day[0]: [1, 0, 0, 1], day[1]: [1, 1, 1, 2], day[2]: [0, 0, 0, 1],
                    day[3]: [0, 0, 0, 0]}
