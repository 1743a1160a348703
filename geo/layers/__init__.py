"""Map layers: the collection registry behind OGC API – Features and vector tiles.

A layer is *one declaration* (``geo.layers.collections.COLLECTIONS``): its id, title,
geometry type, source table and geometry column, properties (which are also its
queryables), validity-interval columns, sensitivity rule and whether it is bitemporal.
Nothing else in the code names a layer: the store (``geo.store.layers``) builds its SQL from
the declaration, the routers (``api.routers.ogc``, ``api.routers.tiles``) serve whatever the
registry holds. Adding a table or a kind of zone is adding one ``Collection(...)``.

Pure domain, as the rest of ``geo``: no SQL, no web framework. The modules:

* ``collections`` — the declarations and their lookup (stable ids: dashboards and notebooks
  depend on them);
* ``params``   — the query a caller may make (``bbox``, ``datetime`` as an interval,
  ``as_known_at``, ``limit``/``offset``, ``sortby``, ``properties``, ``crs``), parsed into a
  neutral ``ItemQuery``; CQL2 (text and JSON, via pygeofilter) into its AST, checked
  against the collection's queryables;
* ``tiles``    — Web Mercator tile math (WebMercatorQuad) and the zoom bands of prepared,
  simplified geometry;
* ``cache``    — the tile cache that stays true: entries expire at the next validity
  boundary inside the tile and are dropped exactly when an edit's old or new geometry
  touches them.

CRS: features leave in EPSG:4326 / CRS84 (lon, lat) unless ``crs`` asks otherwise; tiles
are EPSG:3857 (metres of Web Mercator, for display only: never measure in it).
"""
