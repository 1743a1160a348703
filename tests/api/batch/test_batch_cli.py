"""``borderzone check --file points.csv [--out results.csv] [--at T]`` on the real data;
``borderzone check LON LAT`` keeps working."""

from __future__ import annotations

import csv
import json

import pytest

from api.cli.commands import main


@pytest.fixture()
def cli(db_url, loaded, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("DATABASE_URL", db_url)

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_cli__check_file_writes_csv_answers_with_progress(cli, tmp_path):
    points = tmp_path / "points.csv"
    points.write_text("id,lon,lat,time\nls,106.7615,21.8537,\n"
                      "lc,105.3208,23.3590,2024-06-01T00:00:00\n", encoding="utf-8")
    out = tmp_path / "answers.csv"
    code, _, err = cli("check", "--file", str(points), "--out", str(out),
                       "--at", "2026-01-05T08:00:00")
    assert code == 0, err
    ls, lc = csv.DictReader(out.open(encoding="utf-8"))
    assert ls["id"] == "ls" and ls["at"] == "2026-01-05T08:00:00+07:00"
    assert ls["province_code"] == "20" and ls["province_name"] == "Lạng Sơn"
    assert lc["at"] == "2024-06-01T00:00:00+07:00" and lc["province_code"] == ""
    assert "checking" in err and "100%" in err  # the progress bar
    assert "2 points checked" in err


def test_cli__check_file_to_stdout_as_ndjson(cli, tmp_path):
    points = tmp_path / "points.csv"
    points.write_text("a,105.3208,23.3590\n", encoding="utf-8")
    code, out, err = cli("check", "--file", str(points), "--json")
    assert code == 0, err
    [row] = [json.loads(line) for line in out.splitlines()]
    assert row["id"] == "a" and row["commune"]["name"] == "Lũng Cú"


def test_cli__check_file_bad_row_names_the_line(cli, tmp_path):
    points = tmp_path / "points.csv"
    points.write_text("id,lon,lat\na,105.8,21.0\nb,21.0285,105.8542\n", encoding="utf-8")
    code, out, err = cli("check", "--file", str(points), "--json")
    assert code == 0, err
    good, bad = [json.loads(line) for line in out.splitlines()]
    assert good["id"] == "a" and bad["line"] == 3
    assert "line 3: lon/lat look swapped" in bad["error"]["message"]
    assert "1 row(s) refused (first: line 3: lon/lat look swapped" in err
    points.write_text("id,lon,lat\nb,21.0285,105.8542\n", encoding="utf-8")
    code, _, err = cli("check", "--file", str(points))
    assert code == 2 and "line 2: lon/lat look swapped" in err


def test_cli__check_lon_lat_still_works(cli):
    code, out, err = cli("check", "106.7615", "21.8537", "--json")
    assert code == 0, err
    assert json.loads(out)["province"]["code"] == "20"
    code, _, err = cli("check")
    assert code == 2 and "--file" in err
