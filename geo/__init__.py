"""borderzone's domain: border zones of Vietnam, their geometry, rules and decisions.

Pure Python with shapely, pyproj and geopandas. No web framework, no SQL: storage lives
in ``geo.store``. Coordinates are (lon, lat) in EPSG:4326 unless a name says otherwise.

One package per capability, in the order they may import one another (pyproject's
import-linter contracts enforce it; nothing in the domain imports a package above it):

* ``geo.batch``      many points at once: input, lookup grid, exact path, output
* ``geo.location``   where a point or route is: checks, answers, the zone index and its inputs
* ``geo.rules``      the rule catalogue (may use decisions' authority limits)
* ``geo.decisions``  restriction and suspension decisions
* ``geo.common``     the shared ground: CRS, errors, time, limits, zone vocabulary, security
* ``geo.store``      PostGIS (above the whole domain; the domain never imports it)
"""
