"""``borderzone gate ...`` against the test database (read-only: nothing is recorded)."""

from __future__ import annotations

import json

import pytest

from api.cli.commands import main


@pytest.fixture()
def cli(db_url, loaded, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", db_url)

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_cli__gate_status_and_list(cli):
    code, out, _ = cli("gate", "status", "VN-GATE-004", "--at", "2026-03-02T09:00", "--json")
    data = json.loads(out)
    assert code == 0 and data["name"] == "Móng Cái" and data["at"] == "2026-03-02T09:00:00+07:00"
    assert data["hours_known"] is False
    code, out, _ = cli("gate", "list", "--q", "huu nghi")
    assert code == 0 and "VN-GATE-010" in out and "Hữu Nghị" in out


def test_cli__crossing_tour_group_at_huu_nghi(cli):
    code, out, _ = cli("gate", "crossing", "VN-GATE-010", "--nationality", "VNM",
                       "--category", "tourist_group", "--documents", "passport",
                       "--arrival", "2026-03-02T09:00")
    data = json.loads(out)
    assert code == 0 and data["accepted"] is True
    assert data["e_procedure"]["declare_by"] == "2026-03-02T03:00:00+07:00"


def test_cli__bad_nationality_exits_2_naming_it(cli):
    code, _, err = cli("gate", "crossing", "VN-GATE-010", "--nationality", "ZZZ",
                       "--category", "tourist_group")
    assert code == 2 and "nationality" in err
