"""Storage: the only code that knows PostGIS — tables, migrations, loaders, queries.

Shared: ``db`` (engines, transactions, error translation), ``models`` (tables), ``migrate``
and ``migrations`` (alembic), ``audit``, ``users``, ``backup``, ``embedded``. Per capability:
``decisions`` and ``zones``. May import the domain; never ``api``.
"""
