"""Storage: the only code that knows PostGIS — tables, migrations, loaders, queries."""
