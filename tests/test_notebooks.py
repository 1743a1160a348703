"""Planners' notebooks run against the test database, so they never go stale."""

from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def test_notebook__province_belt_runs_and_maps_lang_son(db_url, loaded, tmp_path, monkeypatch):
    out = tmp_path / "belt_map.html"
    monkeypatch.setenv("BORDERZONE_NOTEBOOK_DB", db_url)
    monkeypatch.setenv("BORDERZONE_NOTEBOOK_OUT", str(out))
    monkeypatch.setenv("BORDERZONE_NOTEBOOK_PROVINCE", "20")
    nb = nbformat.read(ROOT / "notebooks" / "province_belt.ipynb", as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT)}}).execute()
    printed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                      for o in c.get("outputs", []))
    assert "land border communes" in printed
    count = int(printed.split(" land border communes")[0].split()[-1])
    assert count > 10  # Lạng Sơn has many communes on the China border
    html = out.read_text()
    assert "border belt" in html and "06184" in html  # Đồng Đăng, on the China border
