"""``borderzone check --file points.csv [--out results.csv] [--at T]``: a batch from a file.

Input: CSV ``id,lon,lat[,time]`` (header optional) or, for ``.geojson``/``.json`` files, a
FeatureCollection of Points. Output: CSV (NDJSON with ``--json`` or an ``.ndjson``/``.jsonl``
``--out``) to ``--out`` or stdout, with a progress bar on stderr. No size limit applies.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from tqdm import tqdm

from api.database import start_database
from api.settings import Settings
from geo.batch.input import parse
from geo.batch.output import CSV, NDJSON, answer_chunks
from geo.common.crs import parse_crs
from geo.common.errors import InvalidInput
from geo.common.timeutil import now, parse_instant
from geo.store import migrate
from geo.store.db import make_engine
from geo.store.zones.snapshot import build_index

JSON_SUFFIXES = (".ndjson", ".jsonl")
GEOJSON_SUFFIXES = (".geojson", ".json")


def check_file(args, settings: Settings) -> int:
    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"--file: cannot read {path}: {exc.strerror}", field="file") from None
    at = parse_instant(args.at) or now()
    kind = "application/geo+json" if path.suffix.lower() in GEOJSON_SUFFIXES else "text/csv"
    batch = parse(data, kind, max_points=0, epsg=parse_crs(args.crs), default_at=at)
    url = start_database(settings, log=lambda _: None)
    migrate.upgrade(url)
    engine = make_engine(url)
    try:
        index = build_index(engine)
    finally:
        engine.dispose()
    fmt = NDJSON if args.json or (args.out and args.out.lower().endswith(JSON_SUFFIXES)) else CSV
    start = time.perf_counter()
    out = open(args.out, "wb") if args.out else sys.stdout.buffer  # noqa: SIM115
    try:
        with tqdm(total=len(batch), unit="pt", unit_scale=True, file=sys.stderr,
                  desc="checking") as bar:
            for chunk in answer_chunks(index, batch, fmt=fmt, cleared=False, at=at,
                                       progress=bar.update):
                out.write(chunk)
    finally:
        if args.out:
            out.close()
    refused = (f", {len(batch.refused):,} row(s) refused (first: "
               f"{batch.refused[0].message})" if batch.refused else "")
    print(f"{len(batch):,} points checked in {time.perf_counter() - start:.1f} s{refused}"
          + (f" -> {args.out}" if args.out else ""), file=sys.stderr)
    return 0
