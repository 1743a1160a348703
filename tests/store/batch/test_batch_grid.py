"""The batch grid on the real data: what goes to the exact path, what a region may answer,
how epochs are cached, and how answers are streamed."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

import numpy as np
import shapely

from geo.batch import check as batch
from geo.batch import grid
from geo.batch.input import parse_csv
from geo.batch.output import CSV, NDJSON, answer_chunks
from geo.common import crs
from geo.common.timeutil import HANOI

AT = datetime(2026, 1, 5, 8, 0, tzinfo=HANOI)


def test_grid__every_polygon_vertex_is_in_a_touched_cell(index):
    ep = batch.epoch(index, AT)
    for layer in (index.territory, index.provinces, index.communes_simplified, index.belt):
        xy = shapely.get_coordinates(layer.geoms)[::7]
        region, _ = ep.grid.locate(xy[:, 0], xy[:, 1])
        assert (region == grid.TOUCHED).all()


def test_grid__points_within_90_m_of_the_line_are_answered_exactly(index):
    rng = np.random.default_rng(40)
    a = index.border.a[rng.integers(0, len(index.border.a), 50_000)]
    r, theta = rng.uniform(0, 90, len(a)), rng.uniform(0, 2 * np.pi, len(a))
    lon, lat = crs.from_metric(a[:, 0] + r * np.cos(theta), a[:, 1] + r * np.sin(theta))
    region, band = batch.epoch(index, AT).grid.locate(lon, lat)
    assert (region == grid.TOUCHED).all() and band.all()


def test_grid__far_away_points_are_outside_and_answered_as_nowhere(index):
    lon, lat = np.array([120.0, 95.0, 106.0]), np.array([30.0, 5.0, 40.0])
    region, band = batch.epoch(index, AT).grid.locate(lon, lat)
    assert (region == grid.OUTSIDE).all() and not band.any()
    cols = batch.check_arrays(index, lon, lat, AT, distance=False)
    assert not cols["in_vietnam"].any() and (cols["country"] == "").all()
    assert (cols["zone_count"] == 0).all()


def test_grid__most_points_over_vietnam_skip_the_exact_path(index):
    ep = batch.epoch(index, AT)
    rng = np.random.default_rng(41)
    region, _ = ep.grid.locate(rng.uniform(102.14, 109.47, 100_000),
                               rng.uniform(8.4, 23.4, 100_000))
    assert (region == grid.TOUCHED).mean() < 0.03
    assert 1_000 < ep.grid.regions < 100_000 and ep.nbytes < 64e6


def test_epoch__one_grid_per_validity_epoch_cached_on_the_index(index):
    fresh = dataclasses.replace(index)
    first = batch.epoch(fresh, AT)
    assert batch.epoch(fresh, AT + timedelta(days=3)) is first  # same features in force
    before = batch.epoch(fresh, datetime(2025, 3, 1, tzinfo=HANOI))
    assert before is not first and before.grid.regions < first.grid.regions
    assert batch.epoch(fresh, datetime(2024, 1, 1, tzinfo=HANOI), build=False) is before
    assert batch.epoch(index, AT) is not first  # every index has its own grids


def test_answer_chunks__computes_one_chunk_at_a_time(index):
    rows = "".join(f"p{i},{105 + i / 5000},{21 + i / 9000}\n" for i in range(3_500))
    points = parse_csv(rows.encode(), max_points=10_000)
    done: list[int] = []
    chunks = answer_chunks(index, points, fmt=NDJSON, cleared=False, at=AT, chunk=1_000,
                           progress=done.append)
    first = next(chunks)
    assert done == [1_000] and first.count(b"\n") == 1_000  # nothing beyond the first chunk
    rest = list(chunks)
    assert done == [1_000, 1_000, 1_000, 500] and len(rest) == 3
    csv_chunks = list(answer_chunks(index, points, fmt=CSV, cleared=False, at=AT,
                                    chunk=2_000))
    assert csv_chunks[0].startswith(b"id,lon,lat,at,in_vietnam") and len(csv_chunks) == 3
