"""``borderzone check LON LAT`` answers as GET /v1/check/point does, from the layers around
the point only, without importing the other command families."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.cli import main
from api.settings import Settings

AT = "2026-03-02T09:00:00+07:00"
#: Lũng Cú (00715, in the land border area); Lạng Sơn city; 300 m inside the belt near
#: Hữu Nghị; a point in China 2 km north of Lũng Cú; Hạ Long Bay; Hà Nội
POINTS = [(105.3208, 23.3590), (106.7615, 21.8537), (106.7060, 21.9620),
          (105.3300, 23.3900), (107.3000, 20.7500), (105.8542, 21.0285)]


@pytest.fixture(scope="module")
def client(db_url, loaded):
    with TestClient(create_app(Settings(), url=db_url)) as c:
        yield c


@pytest.fixture()
def cli(db_url, loaded, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("BORDERZONE_SERVER_URL", "http://127.0.0.1:9")  # nothing: check here

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.mark.parametrize(("lon", "lat"), POINTS)
def test_cli_check__equals_the_api_answer(cli, client, lon, lat):
    code, out, _ = cli("check", str(lon), str(lat), "--at", AT, "--json")
    assert code == 0
    mine = json.loads(out)
    api = client.get("/v1/check/point", params={"lon": lon, "lat": lat, "at": AT}).json()
    shared = sorted(set(mine) & set(api))
    assert len(shared) >= 15
    assert {k: mine[k] for k in shared} == {k: api[k] for k in shared}


def test_cli_check__lung_cu_named(cli):
    code, out, _ = cli("check", "105.3208", "23.3590", "--at", AT, "--json")
    body = json.loads(out)
    assert code == 0 and body["commune"]["code"] == "00715"
    assert body["province"] == {"code": "08", "name": "Tuyên Quang"}
    assert body["in_land_border_area"] is True and body["nearest_neighbour"] == "CHN"


def test_cli_check__bad_input_exits_2_naming_the_field(cli):
    code, _, err = cli("check", "200", "23.3")
    assert code == 2 and "lon" in err
    code, _, err = cli("check", "105.3", "23.3", "--at", "yesterday")
    assert code == 2 and "at" in err


def test_cli_check__imports_no_other_command_family(db_url, loaded):
    """The single-point path leaves pandas, GDAL and FastAPI unimported."""
    probe = ("import sys, io, contextlib; from api.cli import main; "
             "out = io.StringIO()\n"
             "with contextlib.redirect_stdout(out): code = main(['check', '105.3208', '23.359'])\n"
             "heavy = [m for m in ('pandas', 'pyogrio', 'fastapi', 'alembic', 'api.cli.commands')"
             " if m in sys.modules]\n"
             "print(code, heavy, '00715' in out.getvalue())")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env={**os.environ, "DATABASE_URL": db_url}, timeout=120)
    assert done.stdout.strip() == "0 [] True", done.stderr



def test_cli_check__a_running_service_answers_without_numpy(db_url, loaded, cli):
    # With a service up, the command asks it (one loopback request): the same answer as
    # the local check, and the process never imports the geometry stack.
    from tests.live_server import live_server

    lon, lat = POINTS[0]
    _, local, _ = cli("check", str(lon), str(lat), "--at", AT, "--json", "--local")
    probe = ("import json, sys; from api.cli import main; "
             f"code = main(['check', '{lon}', '{lat}', '--at', '{AT}', '--json']); "
             "print(json.dumps({'code': code, 'numpy': 'numpy' in sys.modules}), "
             "file=sys.stderr)")
    with live_server(db_url) as server:
        done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                              env={**os.environ, "BORDERZONE_SERVER_URL": server.url,
                                   "DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none"},
                              timeout=60)
    meta = json.loads(done.stderr.strip().splitlines()[-1])
    assert meta == {"code": 0, "numpy": False}
    assert json.loads(done.stdout) == json.loads(local)
