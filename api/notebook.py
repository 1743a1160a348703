"""What the planners' notebooks share: the project root and the database they read.

A notebook may be started from any folder (``notebooks/``, the project root, elsewhere):
relative paths such as the embedded cluster's ``.borderzone/`` are resolved against the
project root, never the working folder, so no second, empty cluster is ever started.
The database is, in order: ``BORDERZONE_NOTEBOOK_DB``, ``DATABASE_URL``, then the embedded
cluster of the project (started when needed, as ``make run`` does).
"""

from __future__ import annotations

import os
from pathlib import Path

from api.database import start_database
from api.settings import Settings
from geo.store.db import make_engine


def _is_root(folder: Path) -> bool:
    marker = folder / "pyproject.toml"
    return marker.is_file() and 'name = "borderzone"' in marker.read_text(errors="replace")


def project_root(start: Path | None = None) -> Path:
    """The borderzone checkout: the first folder holding borderzone's ``pyproject.toml``
    above ``start`` (default: the working folder), else above this package's own files."""
    for origin in (Path(start or Path.cwd()).resolve(), Path(__file__).resolve().parent):
        for folder in (origin, *origin.parents):
            if _is_root(folder):
                return folder
    raise FileNotFoundError("no borderzone checkout (pyproject.toml) above "
                            f"{start or Path.cwd()} or {Path(__file__).parent}")


def notebook_settings(root: Path | None = None) -> Settings:
    """Settings read as the service reads them, with relative paths taken from the root."""
    root = root or project_root()
    settings = Settings(_env_file=root / ".env")
    updates = {name: root / getattr(settings, name) for name in ("state_dir", "data_dir")
               if not getattr(settings, name).is_absolute()}
    return settings.model_copy(update=updates)


def notebook_url(root: Path | None = None) -> str:
    """The database URL a notebook reads (see the module docstring for the order)."""
    settings = notebook_settings(root)
    explicit = os.environ.get("BORDERZONE_NOTEBOOK_DB")
    if explicit:
        settings = settings.model_copy(update={"database_url": explicit})
    return start_database(settings, log=lambda _: None)


def notebook_engine(root: Path | None = None):
    return make_engine(notebook_url(root))
