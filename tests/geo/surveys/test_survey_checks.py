"""The survey checks one by one, without a database, on the intake tests' real polygon (an
irregular heptagon around the deepest point of Lũng Cú, 00715): spikes, slivers, repair,
accuracy, area plausibility, the thresholds as data, the review steps and the diff."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pyogrio.raw
import pytest
import shapely

from geo.common.errors import Conflict, InvalidInput
from geo.intake import read_geometry
from geo.surveys import context, diff, review, rules, validate
from geo.surveys.meta import agencies, edits
from tests.geo.intake import intake_support as s

TH = rules.load()


@pytest.fixture(scope="module")
def site():
    polygon, _ = s.heptagon(s.lung_cu())
    forward, inverse = s.metric_of(polygon)
    return polygon, forward, inverse


def _metric(site, geom):
    return validate.Metric(site[0]).to(geom)


def test_spikes__a_needle_vertex_is_found_with_its_angle(site):
    polygon, forward, inverse = site
    ring = s.ring(s.apply(forward, polygon))
    out = ring[0] - ring.mean(axis=0)
    tip = ring[0] + 600 * out / np.linalg.norm(out)
    along = ring[1] - ring[0]
    base = ring[0] + 8 * along / np.linalg.norm(along)
    needle = np.vstack([ring[:1], tip[None, :], base[None, :], ring[1:]])
    spiky = s.apply(inverse, shapely.Polygon(needle))
    m = validate.Metric(spiky)
    item = validate.spikes(m.to(spiky), m, TH)
    assert item.severity == "warning" and item.measure["count"] >= 1
    assert item.measure["sharpest_deg"] < 2  # 8 m wide at 600 m out
    clean = validate.spikes(m.to(polygon), m, TH)
    assert clean.severity == "ok" and clean.measure["count"] == 0


def test_slivers__a_2_m_wide_strip_is_a_sliver_with_its_area(site):
    polygon, forward, inverse = site
    local = s.apply(forward, polygon)
    c = local.centroid
    strip = shapely.box(c.x, c.y - 1, c.x + 800, c.y + 1)  # 2 m wide, reaching 300+ m out
    shape = s.apply(inverse, shapely.union(local, strip))
    m = validate.Metric(shape)
    item = validate.slivers(m.to(shape), m, TH)
    outside = shapely.difference(strip, local).area
    assert item.severity == "warning" and item.measure["count"] == 1
    assert item.measure["area_m2"] == pytest.approx(outside, rel=0.05)
    assert validate.slivers(m.to(polygon), m, TH).severity == "ok"


def test_repair__a_bow_tie_is_repaired_saying_what_changed(site):
    polygon = site[0]
    a, b, c, d = s.ring(polygon)[:4]
    ring = [[float(v) for v in p] for p in (a, c, b, d, a)]
    bow = json.dumps({"type": "Polygon", "coordinates": [ring]}).encode()
    with pytest.raises(InvalidInput, match="Self-intersection"):
        read_geometry(bow)
    got = read_geometry(bow, repair=True)
    item = validate.valid_polygon(got)
    assert item.severity == "warning" and item.measure["repaired"] is True
    assert "Self-intersection" in item.message and "1 part(s) became 2" in item.message


def test_accuracy__odk_zero_is_unknown_and_worse_is_flagged(site):
    got = read_geometry(s.odk_text(site[0]))
    item = validate.accuracy(got, TH.with_changes(accuracy_max_m=4.0))
    assert item.severity == "warning"
    assert (item.measure["unknown"], item.measure["worse"]) == (3, 4)  # 0.0 x3, 4.5 m x4
    kml = validate.accuracy(read_geometry(s.gdal_file(
        __import__("pathlib").Path(__import__("tempfile").mkdtemp()), site[0], "KML", "kml")),
        TH)
    assert kml.severity == "info"


@pytest.mark.parametrize(("gate_type", "ha", "severity"), [
    ("main", 263.8, "ok"), ("international", 562.1, "ok"), ("auxiliary", 562.1, "ok"),
    ("border_opening", 562.1, "warning"), ("international", 5.0, "warning")])
def test_area__plausible_per_gate_type_against_the_approved_references(gate_type, ha,
                                                                       severity):
    item = validate.area(ha * 1e4, gate_type, TH)
    assert item.severity == severity and item.measure["area_ha"] == ha
    assert item.measure["reference_ha"]["Hoa Lư international gate (GEO-GATE-04)"] == 562.1


def test_thresholds__are_data_and_validate_themselves():
    assert TH.spike_angle_deg == 12.0 and TH.area_ha["main"] == (20.0, 1500.0)
    with pytest.raises(InvalidInput):
        TH.with_changes(sliver_width_m=float("nan"))
    with pytest.raises(InvalidInput, match="unknown thresholds"):
        rules.parse({"spike_angle": 3})


def test_review__steps_states_and_authority():
    assert review.step("draft", "submit") is review.State.SUBMITTED
    assert review.step("approved", "publish") is review.State.PUBLISHED
    for state, name in (("approved", "approve"), ("published", "submit"),
                        ("rejected", "publish"), ("draft", "approve")):
        with pytest.raises(Conflict):
            review.step(state, name)
    with pytest.raises(Conflict, match="new version"):
        review.require_editable("approved")
    assert review.authority_for("main").code == "government"
    assert review.authority_for("border_opening").code == "provincial_peoples_committee"


@pytest.mark.parametrize(("number", "when", "field"), [
    ("", "2026-01-02", "instrument_number"), ("12/NQ-CP", "2030-01-01", "instrument_date"),
    ("12/NQ-CP", "2025-12-31", "instrument_date"), ("12/NQ-CP", "mai", "instrument_date")])
def test_review__approval_instrument_is_checked(number, when, field):
    with pytest.raises(InvalidInput) as caught:
        review.approval(number, when, date(2026, 1, 1), date(2026, 6, 1))
    assert caught.value.field == field
    assert review.approval(" 12/NQ-CP ", "2026-02-01", date(2026, 1, 1), date(2026, 6, 1)) \
        == ("12/NQ-CP", date(2026, 2, 1))


def test_meta__agencies_and_edits():
    assert agencies("BĐBP tỉnh; Công an tỉnh\nUBND xã") == ("BĐBP tỉnh", "Công an tỉnh",
                                                             "UBND xã")
    assert agencies('["Sở Ngoại vụ, tỉnh Quảng Ninh"]') == ("Sở Ngoại vụ, tỉnh Quảng Ninh",)
    with pytest.raises(InvalidInput):
        agencies(" ; ")
    with pytest.raises(InvalidInput) as caught:
        edits({"geom": 1}, date(2026, 1, 1))
    assert caught.value.field == "geom"


def test_diff__a_100_m_shift_east(site):
    polygon, forward, inverse = site
    moved = s.apply(inverse, shapely.affinity.translate(s.apply(forward, polygon), 100, 0))
    d = diff.compare(polygon, moved)
    assert d["area_change_pct"] == pytest.approx(0, abs=0.01)
    assert d["hausdorff_m"] == pytest.approx(100, abs=0.05)
    local = s.apply(forward, polygon)
    expected = shapely.symmetric_difference(local, shapely.affinity.translate(local, 100, 0))
    assert d["symmetric_difference_m2"] == pytest.approx(expected.area, rel=1e-3)
    assert len(d["gained"]) == 1 and len(d["lost"]) == 1


# -- the whole report, on the data files (no database) -----------------------------------
@pytest.fixture(scope="module")
def lung_cu_surroundings():
    commune = s.lung_cu()
    _, _, wkb, names = pyogrio.raw.read(s.DATA_DIR / "vn_land_boundary.geojson",
                                        columns=["neighbour_iso3"])
    chn = shapely.from_wkb(wkb[list(names[0]).index("CHN")])
    border = shapely.intersection(chn, shapely.buffer(shapely.envelope(commune), 0.05))
    gate = context.Gate("TEST-GATE", "Thử", "auxiliary", "08", "CHN")
    return context.Surroundings(gate, commune, border, ("00715", "Lũng Cú"), commune,
                                ("Lũng Cú (00715)",))


def test_report__an_area_away_from_the_border_warns_with_its_gap(site, lung_cu_surroundings):
    polygon = site[0]
    intake = read_geometry(s.odk_text(polygon))
    got = validate.report(intake, lung_cu_surroundings,
                          [context.CommuneShare("00715", "Lũng Cú", "08", 480_000.0)], TH)
    items = {i["code"]: i for i in got["items"]}
    assert got["ok"] and items["border"]["severity"] == "warning"
    forward = site[1]
    gap = shapely.distance(s.apply(forward, polygon),
                           s.apply(forward, lung_cu_surroundings.border))
    assert items["border"]["measure"]["gap_m"] == pytest.approx(gap, abs=1.0)
    assert items["commune"]["severity"] == "ok"
    assert items["gate_location"]["severity"] == "info"
    assert items["accuracy"]["measure"]["unknown"] == 3


def test_report__outside_the_gates_commune_warns_and_another_province_is_an_error(
        site, lung_cu_surroundings):
    polygon, forward, inverse = site
    far = s.apply(inverse, shapely.affinity.translate(s.apply(forward, polygon), 0, -30_000))
    m = validate.Metric(far)
    item = validate.commune(m.to(far), lung_cu_surroundings,
                            [context.CommuneShare("99999", "Xa", "08", 480_000.0)], m, TH)
    assert item.severity == "warning" and item.measure["outside_share"] == 1.0
    other = validate.commune(m.to(far), lung_cu_surroundings,
                             [context.CommuneShare("99999", "Xa", "20", 480_000.0)], m, TH)
    assert other.severity == "error" and "outside the gate's province 08" in other.message
