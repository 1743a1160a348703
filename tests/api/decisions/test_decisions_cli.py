"""``borderzone decision ...`` against the test database (committed; unique numbers)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from api.cli.commands import main
from tests.api.decisions.decision_support import (
    T0,
    H,
    decision_body,
    extension_body,
    revocation_body,
)

START = T0 + timedelta(days=200, minutes=7)


@pytest.fixture()
def cli(db_url, loaded, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("DATABASE_URL", db_url)

    def run(*argv: str, body: dict | None = None) -> tuple[int, str, str]:
        args = list(argv)
        if body is not None:
            file = tmp_path / "body.json"
            file.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
            args.append(str(file))
        code = main(args)
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_cli__create_extend_revoke_list_show_notice(cli):
    body = decision_body("land_border_area", "commander", 24, start=START)
    number = body["number"]
    code, out, err = cli("decision", "create", body=body)
    assert code == 0, err
    assert json.loads(out)["decision"]["area_text"] == "xã Lũng Cú, tỉnh Tuyên Quang"
    assert "UNCONFIRMED" in err
    ext = extension_body(START + 48 * H, "committee", START + 20 * H)
    assert cli("decision", "extend", number, body=ext)[0] == 0
    rev = revocation_body(START + 30 * H, "commander")
    assert cli("decision", "revoke", number, body=rev)[0] == 0
    code, out, _ = cli("decision", "list", "--active-at", (START + 29 * H).isoformat(),
                       "--province", "08", "--json")
    assert number in {d["number"] for d in json.loads(out)}
    code, out, _ = cli("decision", "show", number)
    shown = json.loads(out)
    assert [e["kind"] for e in shown["history"]] == ["issued", "extended", "revoked"]
    assert shown["recorded_by"].startswith("cli:")
    code, out, _ = cli("decision", "notice", number, "19")
    assert code == 0 and "(theo giờ Hà Nội)" in out and number in out


def test_cli__beyond_authority_exits_2_citing_the_rule(cli):
    body = decision_body("border_belt", "post", 13, start=START)
    code, _, err = cli("decision", "create", body=body)
    assert code == 2
    assert "Law 66/2020/QH14 Art 11(3)(a)" in err


def test_cli__show_prints_a_summary_and_the_geometry_only_on_request(cli):
    body = decision_body("land_border_area", "commander", 24, start=START)
    assert cli("decision", "create", body=body)[0] == 0
    code, out, _ = cli("decision", "show", body["number"])
    shown = json.loads(out)
    summary = shown["geometry"]
    assert code == 0 and "coordinates" not in summary
    assert summary["type"] == "MultiPolygon" and summary["vertices"] > 1000  # Lũng Cú
    assert 105.2 < summary["bbox"]["west"] < summary["bbox"]["east"] < 105.4
    assert len(out.splitlines()) < 150
    code, out, _ = cli("decision", "show", body["number"], "--geometry")
    full = json.loads(out)["geometry"]
    assert full["type"] == "MultiPolygon"
    assert sum(len(ring) for poly in full["coordinates"] for ring in poly) == \
        summary["vertices"]


@pytest.mark.parametrize("depth", ["80", "1200"])
def test_cli__belt_depth_outside_100_1000_m_needs_the_prime_minister(cli, depth):
    code, _, err = cli("belt", "set-depth", "--commune", "00715", "--depth-m", depth,
                       "--instrument", "Nghị quyết 99/2026/NQ-HĐND",
                       "--issuer", "provincial_peoples_council")
    assert code == 2
    assert "needs a Prime Minister's decision" in err and "GEO-BELT-05" in err
