"""The import-linter contracts must name every domain package (so none escapes them), and
``geo/`` keeps one package per capability (issue 10)."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _contract(name_words: str) -> dict:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return next(c for c in config["tool"]["importlinter"]["contracts"]
                if name_words in c["name"])


def _domain() -> set[str]:
    """Every module and package directly under geo/, but geo.store."""
    return {f"geo.{p.stem}" for p in (ROOT / "geo").iterdir()
            if (p.suffix == ".py" and p.stem != "__init__") or
            (p.is_dir() and (p / "__init__.py").exists() and p.name != "store")}


def test_import_contract__lists_every_domain_module():
    listed = set(_contract("the domain imports no storage")["source_modules"])
    assert _domain() <= listed, sorted(_domain() - listed)


def test_import_contract__every_domain_package_has_a_layer():
    layers = {name.strip() for layer in _contract("capabilities of the domain")["layers"]
              for name in layer.split("|")}
    assert _domain() <= layers, sorted(_domain() - layers)


def test_layout__geo_has_at_most_eight_top_level_modules():
    modules = [p.name for p in (ROOT / "geo").glob("*.py") if p.name != "__init__.py"]
    assert len(modules) <= 8, modules
