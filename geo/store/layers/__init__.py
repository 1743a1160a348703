"""Map layers in PostGIS: OGC API Features items (``features``), CQL2 and datetime filters as
SQLAlchemy expressions (``filter``), and vector tiles with a cache that stays true
(``tiles``).

May import ``geo.layers`` (the collection declarations) and the shared store modules.
"""
