"""The ``borderzone`` command, one module per command family.

``commands`` holds the parser and the db, user, data, belt, rules, serve and check commands;
``batch`` the batch check of a file; ``decisions`` the decision commands. May import ``api``'s
shared modules, ``geo.store`` and the domain. ``main`` is re-exported for the console script.
"""

from api.cli.commands import main

__all__ = ["main"]
