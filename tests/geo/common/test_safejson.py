"""Caller JSON and instants: bounded nesting, no NaN, no lone surrogates, 1900-9999 only."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from geo.common.errors import InvalidInput
from geo.common.safejson import MAX_DEPTH, loads, nesting_depth
from geo.common.timeutil import HANOI, parse_instant


@pytest.mark.parametrize("data, depth", [
    (b"5", 0), (b"[]", 1), (b'{"a":[{"b":[1]}]}', 4),
    (b'["[[[[", "]]"]', 1),                   # brackets inside strings do not count
    (b'["a\\"[[[[", "\\\\", [2]]', 2),        # nor after an escaped quote or backslash
    (b"[" * 100_000 + b"]" * 100_000, 100_000),
])
def test_nesting_depth__counts_structure_only(data, depth):
    assert nesting_depth(data) == depth


def test_loads__deep_json_refused_before_parsing():
    with pytest.raises(InvalidInput) as err:
        loads(b'{"features":' + b"[" * 100_000 + b"]" * 100_000 + b"}")
    assert err.value.field == "body" and "100001 levels" in err.value.message
    assert loads(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH) is not None


@pytest.mark.parametrize("data, field, words", [
    (b'{"features":[{"id":NaN}]}', "features[0].id", "NaN is not a finite number"),
    (b'{"features":[{"id":-Infinity}]}', "features[0].id", "-Infinity"),
    (b'{"times":["x", 1e400]}', "times[1]", "1e400 is not a finite number"),
    (b'{"features":[{"id":"\\ud800"}]}', "features[0].id", "lone surrogate \\ud800"),
    (b'{"a":{"\\udfff":1}}', "a: key", "lone surrogate \\udfff"),
    (b'{"person":"\xed\xa0\x80"}', "body", "not UTF-8"),
    (b'{"a":', "body", "not valid JSON"),
])
def test_loads__unechoable_values_are_422_naming_the_place(data, field, words):
    with pytest.raises(InvalidInput) as err:
        loads(data)
    assert err.value.field == field and words in err.value.message


def test_loads__valid_surrogate_pair_and_big_int_are_kept():
    assert loads(b'{"id":"\\ud83d\\ude00","n":123456789012345678901234567890}') == {
        "id": "\U0001F600", "n": 123456789012345678901234567890}
    assert json.dumps(loads(b'[1.5, -0.0, "\\u2028"]'), allow_nan=False) == \
        '[1.5, -0.0, "\\u2028"]'


@pytest.mark.parametrize("text", ["0001-01-01T00:00+14:00", "9999-12-31T23:59:59-14:00",
                                  "9999-12-31T17:00:00Z", "1899-12-31T23:59:59Z"])
def test_parse_instant__outside_1900_9999_after_offset_is_422(text):
    with pytest.raises(InvalidInput) as err:
        parse_instant(text, field="at")
    assert err.value.field == "at" and "outside the accepted range" in err.value.message


def test_parse_instant__the_bounds_themselves_are_accepted():
    assert parse_instant("1900-01-01T00:00:00Z").year == 1900
    last = parse_instant("9999-12-31T23:59:59.999999")  # Hanoi time
    assert last == datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=HANOI)


@pytest.mark.parametrize("value, words", [(1, "a number"), ({}, "an object"),
                                          ([], "a list"), (True, "a boolean")])
def test_parse_instant__non_text_is_422(value, words):
    with pytest.raises(InvalidInput) as err:
        parse_instant(value, field="valid_from")
    assert err.value.field == "valid_from" and words in err.value.message
