"""Map layers side by side with tipg, in one run against the same database.

* the same z8, z10 and z12 tiles over the land border (belt and communes), cold (first
  request after start) and warm (the same tiles again): borderzone's ``/tiles/{layer}`` vs
  tipg's ``/collections/public.{table}/tiles/WebMercatorQuad``;
* a 1,000-feature items page of communes: ``/ogc/collections/communes/items`` vs tipg's
  ``/collections/public.commune/items`` (feature and vertex counts printed beside);
* cached tiles over HTTP vs a bare FastAPI endpoint answering bytes of the same size
  (requests/s with wrk, one uvicorn worker each, 32 connections).

tipg is installed by pip into its own venv (``.borderzone/bench-tipg-venv``), never into the
project. Run after `make data`: `.venv/bin/python bench/layers_bench.py`. Prints figures;
asserts nothing. Needs `wrk` for the last part (Debian package `wrk`).
"""

from __future__ import annotations

import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
TIPG_VENV = ROOT / ".borderzone" / "bench-tipg-venv"
ZOOMS = (8, 10, 12)
TILES_PER_ZOOM = 12
#: our layer id -> tipg's collection (the same table)
LAYERS = {"belt": "public.belt_segment", "communes": "public.commune"}
WRK_S = 10


# --------------------------------------------------------------------------- servers
def _tipg_python() -> Path:
    python = TIPG_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(TIPG_VENV)], check=True)
    if subprocess.run([str(python), "-c", "import tipg, uvicorn"],
                      capture_output=True).returncode != 0:
        subprocess.run([str(python), "-m", "pip", "install", "-q", "tipg", "uvicorn"],
                       check=True)
    return python


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A server in its own process on loopback; ``ready`` is a path answering 200."""

    def __init__(self, name: str, argv: list[str], env: dict, ready: str):
        self.name, self.port = name, _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        argv = [a.replace("{port}", str(self.port)) for a in argv]
        self.log = Path(tempfile.mkstemp(prefix=f"bench-{name}-", suffix=".log")[1])
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(argv, env={**os.environ, **env}, cwd=ROOT,
                                         stdout=out, stderr=subprocess.STDOUT)
        self._wait(ready)

    def _wait(self, ready: str, timeout_s: float = 180) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log.read_text()}")
            try:
                answer = httpx.get(self.url + ready, timeout=5)
                if answer.status_code == 200 and answer.json().get("prepared", True):
                    return
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(0.5)
        raise RuntimeError(f"{self.name} not ready: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def ours(db_url: str) -> Server:
    return Server("borderzone", [sys.executable, "-m", "uvicorn", "--factory",
                                 "api.app:create_app", "--host", "127.0.0.1", "--port",
                                 "{port}", "--log-level", "warning", "--no-access-log"],
                  {"DATABASE_URL": db_url, "BORDERZONE_RATE_PER_S": "0",
                   "PYTHONPATH": str(ROOT)}, "/health")


def tipg(db_url: str) -> Server:
    plain = "postgresql://" + db_url.split("://", 1)[1]
    return Server("tipg", [str(_tipg_python()), "-m", "uvicorn", "tipg.main:app", "--host",
                           "127.0.0.1", "--port", "{port}", "--log-level", "warning",
                           "--no-access-log"],
                  {"DATABASE_URL": plain, "TIPG_DB_SCHEMAS": '["public"]',
                   "TIPG_MAX_FEATURES_PER_QUERY": "10000"}, "/collections")


def bare(size: int) -> Server:
    return Server("bare", [sys.executable, str(Path(__file__).resolve()), "--serve-bare",
                           "{port}", str(size)], {"PYTHONPATH": str(ROOT)}, "/ready")


def serve_bare(port: int, size: int) -> None:
    """A FastAPI app answering ``size`` constant bytes as a tile: the HTTP ceiling."""
    import uvicorn
    from fastapi import FastAPI
    from fastapi.responses import Response

    app, payload = FastAPI(), os.urandom(size)

    @app.get("/ready")
    async def ready() -> dict:
        return {"prepared": True}

    @app.get("/tiles/{layer}/{z}/{x}/{y}.mvt")
    async def tile(layer: str, z: int, x: int, y: int) -> Response:
        return Response(payload, media_type="application/vnd.mapbox-vector-tile")

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


# --------------------------------------------------------------------------- workload
def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The Web Mercator (XYZ) tile holding a lon/lat point at zoom ``z``."""
    n = 2 ** z
    x = int((lon + 180.0) / 360.0 * n)
    rad = math.radians(lat)
    y = int((1.0 - math.asinh(math.tan(rad)) / math.pi) / 2.0 * n)
    return x, y


def border_tiles(engine) -> dict[int, list[tuple[int, int]]]:
    """``TILES_PER_ZOOM`` distinct tiles per zoom, spread along the precise border line."""
    with engine.connect() as conn:
        points = conn.execute(text(
            "SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (SELECT ST_StartPoint("
            "ST_GeometryN(geom, 1)) AS p, neighbour_iso3, seq FROM border_segment "
            "WHERE source = 'bando_2026') s ORDER BY neighbour_iso3, seq")).all()
    out = {}
    for z in ZOOMS:
        distinct = list(dict.fromkeys(tile_of(p.lon, p.lat, z) for p in points))
        step = max(1, len(distinct) // TILES_PER_ZOOM)
        out[z] = distinct[::step][:TILES_PER_ZOOM]
    return out


def _timed(client: httpx.Client, url: str) -> tuple[float, httpx.Response]:
    start = time.perf_counter()
    answer = client.get(url)
    return time.perf_counter() - start, answer


def tile_round(client, url_of, tiles) -> tuple[list[float], int, int]:
    times, size, errors = [], 0, 0
    for x, y in tiles:
        elapsed, answer = _timed(client, url_of(x, y))
        times.append(elapsed)
        size += len(answer.content)
        errors += answer.status_code not in (200, 204)
    return times, size, errors


def _ms(times: list[float]) -> str:
    return f"{statistics.median(times) * 1000:8.1f} ms"


def _x(theirs: list[float], mine: list[float]) -> str:
    return f"{statistics.median(theirs) / statistics.median(mine):5.1f}x"


def compare_tiles(ours_url: str, tipg_url: str, tiles) -> list[str]:
    lines = []
    with httpx.Client(timeout=120) as client:
        for layer, table in LAYERS.items():
            for z in ZOOMS:
                def mine(x, y, z=z, layer=layer):
                    return f"{ours_url}/tiles/{layer}/{z}/{x}/{y}.mvt"

                def theirs(x, y, z=z, table=table):
                    return (f"{tipg_url}/collections/{table}/tiles/WebMercatorQuad/"
                            f"{z}/{x}/{y}")
                row = {}
                for name, url_of in (("ours", mine), ("tipg", theirs)):
                    cold, size, err = tile_round(client, url_of, tiles[z])
                    warm, _, err2 = tile_round(client, url_of, tiles[z])
                    row[name] = (cold, warm, size, err + err2)
                (oc, ow, osz, oe), (tc, tw, tsz, te) = row["ours"], row["tipg"]
                lines.append(
                    f"{layer:<9} z{z:<3} cold ours {_ms(oc)}  tipg {_ms(tc)}  ({_x(tc, oc)})"
                    f"   warm ours {_ms(ow)}  tipg {_ms(tw)}  ({_x(tw, ow)})"
                    f"   bytes {osz:>9,} / {tsz:>9,}   errors {oe}/{te}")
    return lines


def _vertices(geometry: dict | None) -> int:
    if not geometry:
        return 0
    coords = geometry.get("coordinates")

    def count(c) -> int:
        return 1 if isinstance(c[0], (int, float)) else sum(count(i) for i in c)
    return count(coords) if coords else 0


def compare_items(ours_url: str, tipg_url: str, rounds: int = 5) -> list[str]:
    urls = {"ours": f"{ours_url}/ogc/collections/communes/items?limit=1000",
            "tipg": f"{tipg_url}/collections/public.commune/items?limit=1000"}
    lines, medians = [], {}
    with httpx.Client(timeout=300) as client:
        for name, url in urls.items():
            times = []
            for _ in range(rounds):
                elapsed, answer = _timed(client, url)
                times.append(elapsed)
            body = answer.json()
            feats = body.get("features", [])
            verts = sum(_vertices(f.get("geometry")) for f in feats)
            medians[name] = statistics.median(times)
            lines.append(f"communes items {name:<5} {_ms(times)}  {len(feats):>5} features  "
                         f"{verts:>9,} vertices  {len(answer.content) / 1e6:6.1f} MB  "
                         f"status {answer.status_code}")
    lines.append(f"items: tipg / ours = {medians['tipg'] / medians['ours']:.1f}x")
    return lines


# --------------------------------------------------------------------------- HTTP load
def _wrk(url: str, script: Path) -> float:
    out = subprocess.run(["wrk", "-t1", "-c32", f"-d{WRK_S}s", "-s", str(script), url],
                         capture_output=True, text=True, check=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        print(f"  (wrk: {errors.group(1)} non-2xx answers at {url})")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def compare_http(ours_srv: Server, tiles) -> list[str]:
    if not shutil.which("wrk"):
        return ["HTTP load skipped: wrk is not installed (apt-get install -y wrk)"]
    paths = [f"/tiles/belt/{z}/{x}/{y}.mvt" for z in (10, 12) for x, y in tiles[z]]
    with httpx.Client(base_url=ours_srv.url, timeout=120) as client:
        sizes = [len(client.get(p).content) for p in paths]  # warm the cache
        hits = [client.get(p).headers.get("x-tile-cache") for p in paths]
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text("paths = {" + ",".join(f'"{p}"' for p in paths) + "}\n"
                      "i = 0\nrequest = function()\n  i = i % #paths + 1\n"
                      "  return wrk.format(nil, paths[i])\nend\n")
    mine = _wrk(ours_srv.url, script)
    bare_srv = bare(int(statistics.mean(sizes)))
    try:
        ceiling = _wrk(bare_srv.url, script)
    finally:
        bare_srv.stop()
    return [f"cached tiles ({len(paths)} belt tiles, cache {set(hits)}): ours {mine:,.0f} "
            f"req/s   bare FastAPI {ceiling:,.0f} req/s   ours / bare = {mine / ceiling:.0%}"]


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--serve-bare":
        serve_bare(int(sys.argv[2]), int(sys.argv[3]))
        return
    from api.database import start_database
    from api.settings import Settings
    from geo.store.db import make_engine

    db_url = start_database(Settings(), log=lambda _: None)
    engine = make_engine(db_url)
    tiles = border_tiles(engine)
    print("tiles per zoom:", {z: len(t) for z, t in tiles.items()}, flush=True)
    theirs = tipg(db_url)
    mine = ours(db_url)
    try:
        for line in compare_tiles(mine.url, theirs.url, tiles):
            print(line, flush=True)
        for line in compare_items(mine.url, theirs.url):
            print(line, flush=True)
        theirs.stop()
        for line in compare_http(mine, tiles):
            print(line, flush=True)
    finally:
        theirs.stop()
        mine.stop()


if __name__ == "__main__":
    main()
