"""Validation of point input (no database)."""

import pytest

from geo.common.errors import InvalidInput
from geo.common.lonlat import validate_lonlat
from geo.common.timeutil import HANOI, check_window, parse_instant


@pytest.mark.parametrize("lon, lat, field, words", [
    (21.0285, 105.8542, "lat", "swapped"),
    (200.0, 10.0, "lon", "outside"),
    (100.0, -95.0, "lat", "outside"),
    (float("nan"), 10.0, "lon", "finite"),
])
def test_validate_lonlat__refusals_name_the_field(lon, lat, field, words):
    with pytest.raises(InvalidInput) as err:
        validate_lonlat(lon, lat)
    assert err.value.field == field and words in err.value.message


def test_validate_lonlat__accepts_hanoi_and_abroad():
    validate_lonlat(105.8542, 21.0285)
    validate_lonlat(2.35, 48.85)  # Paris: valid, not Vietnam, not swapped


def test_parse_instant__naive_is_hanoi_time():
    moment = parse_instant("2026-01-05T08:00:00")
    assert moment.tzinfo == HANOI and moment.utcoffset().total_seconds() == 7 * 3600
    assert parse_instant("2026-01-05T01:00:00Z") == moment


def test_check_window__end_before_start_is_refused():
    start, end = parse_instant("2026-01-05T08:00"), parse_instant("2026-01-05T07:00")
    with pytest.raises(InvalidInput) as err:
        check_window(start, end, field="valid_to")
    assert err.value.field == "valid_to"
