"""The ``borderzone`` command, one module per command family.

``commands`` holds the parser and the db, user, data, belt, rules, serve and check commands;
``batch`` the batch check of a file; ``point`` the check of one point; ``decisions`` the
decision commands. May import ``api``'s shared modules, ``geo.store`` and the domain.
``main`` is the console script: ``check LON LAT`` goes straight to ``point`` (no import of
the other command families: the answer comes in well under a second).
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    from api.cli import point

    if point.is_single_point(argv):
        return point.main(argv[1:])
    from api.cli.commands import main as full

    return full(argv)


__all__ = ["main"]
