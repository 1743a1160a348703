"""The import-linter contract must name every domain module (so none escapes it)."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_import_contract__lists_every_domain_module():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contract = next(c for c in config["tool"]["importlinter"]["contracts"]
                    if c["type"] == "forbidden")
    listed = set(contract["source_modules"])
    present = {f"geo.{p.stem}" for p in (ROOT / "geo").iterdir()
               if (p.suffix == ".py" and p.stem != "__init__") or
               (p.is_dir() and (p / "__init__.py").exists() and p.name != "store")}
    assert present <= listed, sorted(present - listed)
