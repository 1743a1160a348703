"""Batch input read in chunks (so no call holds the GIL over a million rows): chunk edges
change nothing, neither the rows, their lines and times, nor the refusals and their lines."""

from __future__ import annotations

import gc
from datetime import UTC, datetime

import numpy as np
import pytest

from geo.batch import input as batch_input
from geo.batch.input import parse
from geo.common.errors import InvalidInput

AT = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
#: 12 data lines after the header: blank lines, bad rows, times repeated and distinct
CSV = (b"id,lon,lat,time\n"
       b"a,105.3208,23.3590,2026-01-05T08:00:00\n"
       b"b,106.76,21.85,\n"
       b"\n"
       b"c,abc,21.85,2026-01-05T08:00:00\n"
       b"d,106.76,21.85,2026-01-06T08:00:00+07:00\n"
       b",,,\n"
       b"e,106.76,,2026-01-05T08:00:00\n"
       b"f,106.76,21.85,yesterday\n"
       b"g,104.0,22.5,2026-01-05T08:00:00\n"
       b"\n"
       b"h,21.85,106.76,\n"
       b"i,105.0,22.0,2026-01-06T08:00:00+07:00\n")


def _read(data: bytes, rows: int, monkeypatch, content_type="text/csv"):
    monkeypatch.setattr(batch_input, "READ_CHUNK_ROWS", rows)
    return parse(data, content_type, max_points=100, default_at=AT)


def _as_tuple(batch):
    return (batch.ids.tolist(), batch.lon.tolist(), batch.lat.tolist(),
            batch.when.astype(str).tolist(), batch.positions.tolist(),
            [(e.position, e.place, e.field, e.id) for e in batch.refused])


def test_csv__chunks_of_any_size_read_as_one(monkeypatch):
    whole = _as_tuple(_read(CSV, 50_000, monkeypatch))
    for rows in (1, 2, 3, 5, 7):
        assert _as_tuple(_read(CSV, rows, monkeypatch)) == whole
    ids, lon, _, when, _, refused = whole
    assert ids == ["a", "b", "d", "g", "i"] and lon == [105.3208, 106.76, 106.76, 104.0, 105.0]
    assert when == ["2026-01-05T01:00:00.000000", "2026-01-05T01:00:00.000000",
                    "2026-01-06T01:00:00.000000", "2026-01-05T01:00:00.000000",
                    "2026-01-06T01:00:00.000000"]  # Hanoi time without offset; empty = AT
    assert refused == [(2, "line 5", "lon", "c"), (4, "line 8", "lat", "e"),
                       (5, "line 9", "time", "f"), (7, "line 12", "lat", "h")]


@pytest.mark.parametrize("rows", [1, 2, 4, 50_000])
def test_csv__too_many_fields_in_a_later_chunk_names_its_line(monkeypatch, rows):
    data = b"id,lon,lat\n" + b"a,105.8,21.0\n" * 5 + b"\n" + b"b,105.8,21.0,x,y\n"
    with pytest.raises(InvalidInput) as err:
        _read(data, rows, monkeypatch)
    assert err.value.detail == {"line": 8} and "line 8: 5 fields" in err.value.message


def test_csv__not_utf8_is_named_with_its_byte(monkeypatch):
    with pytest.raises(InvalidInput) as err:
        _read(b"id,lon,lat\na,105.8,21.0\nb\xff,105.8,21.0\n", 1, monkeypatch)
    assert err.value.field == "body" and "position 25" in err.value.message


@pytest.mark.parametrize("data, words", [
    (b"\xef", "not UTF-8"), (b"\xef\xbb", "not UTF-8"), (b"\xc2\xa0\n", "no points"),
    (b"   \n\t\n", "no points")])
def test_csv__a_partial_bom_or_only_blanks_is_refused_by_name(monkeypatch, data, words):
    with pytest.raises(InvalidInput) as err:
        _read(data, 3, monkeypatch)
    assert err.value.field == "body" and words in err.value.message


def test_geojson__sniffed_after_any_amount_of_whitespace():
    body = b" " * 200 + b'{"type":"FeatureCollection","features":[{"type":"Feature",' \
        b'"geometry":{"type":"Point","coordinates":[105.32,23.36]}}]}'
    assert parse(body, None, max_points=10).lon.tolist() == [105.32]


def test_csv__a_bom_and_semicolons_are_read(monkeypatch):
    batch = _read(b"\xef\xbb\xbfid;lon;lat\r\na;105,3208;23,3590\r\n", 1, monkeypatch)
    assert (batch.ids.tolist(), batch.lon.tolist()) == (["a"], [105.3208])


def test_geojson__each_feature_is_let_go_as_it_is_read_and_the_collector_is_back(monkeypatch):
    features = b",".join(b'{"type":"Feature","id":"p%d","geometry":{"type":"Point",'
                         b'"coordinates":[%d.5,22]}}' % (i, 104 + i % 3) for i in range(9))
    data = b'{"type":"FeatureCollection","features":[' + features + b"]}"
    seen = []
    real = batch_input._feature

    def spy(i, feature):
        seen.append((i, gc.isenabled()))
        return real(i, feature)

    monkeypatch.setattr(batch_input, "_feature", spy)
    batch = parse(data, "application/geo+json", max_points=100)
    assert batch.ids.tolist() == [f"p{i}" for i in range(9)]
    assert np.array_equal(batch.lon, [104.5, 105.5, 106.5] * 3)
    assert seen == [(i, False) for i in range(9)]  # read with the collector paused ...
    assert gc.isenabled()  # ... and on again after
