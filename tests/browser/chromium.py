"""Headless Chromium for the browser tests: Debian's ``chromium`` driven by Playwright.

Playwright's own browser download (``playwright install``) is never used: the browser comes
from the distribution, installed by ``make test`` (the ``browser`` target) like PostgreSQL.
Every run gets a fresh profile and the flags that keep Chromium from calling home.
"""

from __future__ import annotations

import shutil
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
INSTALL_HINT = "apt-get update && apt-get install -y chromium   (as root; `make test` does it)"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
        "--disable-default-apps", "--disable-domain-reliability", "--metrics-recording-only"]


def executable() -> str:
    """Path of Debian's chromium; a missing browser fails the test with the command to run
    (a skip would let the dashboard go untested)."""
    found = CHROMIUM if CHROMIUM.exists() else shutil.which("chromium")
    if not found:
        raise AssertionError(f"chromium is not installed: {INSTALL_HINT}")
    return str(found)


def launch(playwright, profile_dir: Path):
    """A persistent context on a fresh user-data-dir (``profile_dir`` must be new)."""
    return playwright.chromium.launch_persistent_context(
        str(profile_dir), executable_path=executable(), headless=True, args=ARGS,
        viewport={"width": 1280, "height": 860}, locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh")
