"""Checkpoint-area surveys: upload-to-report time for a 5,000-vertex sketch, and the publish
swap time while point checks run concurrently.

Works in a scratch copy of the database (made like a test run's, from
``<db>_bench_template``, loaded once), dropped at the end: surveys and checkpoint areas are
legal records that are never deleted, so a benchmark must not write them into a real
database. The sketch: Hoành Mô commune (06841, Quảng Ninh) within 1,200 m of the middle of
its China border stretch, its outline segmentised to 5,000 vertices, written as a VN-2000
CSV (EPSG:5899) with per-vertex accuracies. Prints figures; asserts nothing.
"""

from __future__ import annotations

import statistics
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import httpx
import numpy as np
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from _common import ServerThread, percentiles_ms  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from api.app import create_app  # noqa: E402
from api.database import start_database  # noqa: E402
from api.settings import Settings  # noqa: E402
from geo.common import crs  # noqa: E402
from geo.common.security import Principal, Role  # noqa: E402
from geo.common.timeutil import now  # noqa: E402
from geo.intake import IntakeLimits  # noqa: E402
from geo.store import migrate  # noqa: E402
from geo.store.db import make_engine  # noqa: E402
from geo.store.gates import locations  # noqa: E402
from geo.store.surveys import repository  # noqa: E402
from geo.surveys import rules  # noqa: E402
from geo.surveys.meta import SurveyMeta  # noqa: E402
from tests.api.surveys.survey_site import GATE, TM3_QUANG_NINH, site  # noqa: E402
from tests.database import create_run_database  # noqa: E402

VERTICES = 5_000
ADMIN = Principal(subject="bench-surveys", roles=frozenset({Role.ADMIN}))


def sketch_of(s, radius_m: float):
    local = s.to_m(s.sketch(radius_m))
    dense = shapely.segmentize(local, local.exterior.length / VERTICES)
    return s.to_lonlat(dense)


def csv_of(polygon) -> bytes:
    t = crs.transformer(4326, TM3_QUANG_NINH)
    xy = shapely.get_coordinates(polygon.exterior)[:-1]
    x, y = t.transform(xy[:, 0], xy[:, 1])
    rows = "".join(f"{a:.3f},{b:.3f},{0.02 + (i % 50) * 0.01:.2f}\n"
                   for i, (a, b) in enumerate(zip(x, y, strict=True)))
    return ("x,y,accuracy\n" + rows).encode()


def upload(engine, data: bytes, minutes: str) -> dict:
    meta = SurveyMeta.parse({"gate_id": GATE, "agencies": "BĐBP tỉnh Quảng Ninh",
                             "survey_date": (now() - timedelta(days=2)).date().isoformat(),
                             "minutes_ref": minutes}, now().date())
    read = repository.file_reader(data, "s.csv", f"EPSG:{TM3_QUANG_NINH}", IntakeLimits())
    return repository.upload(engine, ADMIN, meta, read, rules.load())


def approved(engine, data: bytes, n: int) -> int:
    sid = upload(engine, data, f"BB-BENCH-{n}")["id"]
    repository.act(engine, ADMIN, sid, "submit")
    repository.act(engine, ADMIN, sid, "approve", instrument_number=f"{n}/NQ-CP-BENCH",
                   instrument_date=now().date().isoformat())
    return sid


def time_upload(engine, data: bytes) -> None:
    times, report = [], None
    for i in range(3):
        start = time.perf_counter()
        report = upload(engine, data, f"BB-BENCH-U{i}")["report"]
        times.append(time.perf_counter() - start)
    print(f"upload to report, {report['intake']['vertices']:,} vertices (VN-2000 CSV): best "
          f"{min(times) * 1000:,.0f} ms, median {statistics.median(times) * 1000:,.0f} ms; "
          f"{report['counts']}")


def hammer(url: str, point, stop: threading.Event, out: list, failures: list) -> None:
    with httpx.Client(base_url=url, timeout=10) as http:
        while not stop.is_set():
            start = time.perf_counter()
            r = http.get("/v1/check/point", params={"lon": point.x, "lat": point.y})
            out.append(time.perf_counter() - start)
            if r.status_code != 200:
                failures.append(r.status_code)


def seen(url: str, point, area_id: int, timeout_s: float = 30) -> float:
    start = time.perf_counter()
    with httpx.Client(base_url=url, timeout=10) as http:
        while time.perf_counter() - start < timeout_s:
            zones = http.get("/v1/check/point", params={"lon": point.x, "lat": point.y}
                             ).json()["zones"]
            if any(z["id"] == str(area_id) for z in zones):
                break
            time.sleep(0.02)
    return time.perf_counter() - start


def time_publish(run_url: str, engine, s, data: bytes) -> None:
    ids = [approved(engine, data, n) for n in range(3)]
    point = s.inland_point(400)
    latencies: list[float] = []
    failures: list[int] = []
    stop = threading.Event()
    settings = Settings(BORDERZONE_RATE_PER_S=0, BORDERZONE_INDEX_POLL_S=5)
    with ServerThread(create_app(settings, url=run_url)) as server:
        url = f"http://127.0.0.1:{server.port}"
        threads = [threading.Thread(target=hammer, args=(url, point, stop, latencies,
                                                         failures)) for _ in range(4)]
        for t in threads:
            t.start()
        swaps, visible = [], []
        for sid in ids:
            done = repository.publish(engine, ADMIN, sid)
            swaps.append(done["swap_s"])
            visible.append(seen(url, point, done["checkpoint_area_id"]))
        stop.set()
        for t in threads:
            t.join()
    print(f"publish swap (one transaction), 3 publications under 4 threads of point checks: "
          f"{', '.join(f'{x * 1000:.0f} ms' for x in swaps)}; answered by the checks after "
          f"{', '.join(f'{x:.2f} s' for x in visible)} (index rebuilt on NOTIFY)")
    print(f"point checks meanwhile: {len(latencies):,}, {percentiles_ms(latencies)}, "
          f"failures {len(failures)}")


def main() -> None:
    settings = Settings()
    base = start_database(settings, log=lambda _: None)
    bench_base = make_url(base).set(database=f"{make_url(base).database}_bench") \
        .render_as_string(hide_password=False)
    run_url = create_run_database(bench_base, Path(settings.data_dir))
    engine = make_engine(run_url)
    try:
        s = site(engine)
        polygon = sketch_of(s, 1_200)
        gate_point = s.inland_point(400)
        locations.record(engine, ADMIN, GATE, lon=gate_point.x, lat=gate_point.y,
                         source="survey", accuracy_m=5.0, reference="bench survey point")
        data = csv_of(polygon)
        print(f"sketch: {len(shapely.get_coordinates(polygon)) - 1:,} vertices, "
              f"{abs(crs.GEOD.geometry_area_perimeter(polygon)[0]) / 1e4:,.1f} ha")
        time_upload(engine, data)
        time_publish(run_url, engine, s, data)
    finally:
        engine.dispose()
        migrate.drop_database(run_url)


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
