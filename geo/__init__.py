"""borderzone's domain: border zones of Vietnam, their geometry, rules and decisions.

Pure Python with shapely, pyproj and geopandas. No web framework, no SQL: storage lives
in ``geo.store``. Coordinates are (lon, lat) in EPSG:4326 unless a name says otherwise.
"""
