"""One geometry intake: whatever an office has (GeoJSON, KML/KMZ, GPX, GeoPackage, zipped
Shapefile, a CSV of vertices, an ODK/Kobo geoshape) in WGS 84 or VN-2000, read into one
lon/lat (EPSG:4326) MultiPolygon with a report of what was read and how.

Modules:

* ``model``     — frozen value objects: limits, the report, diagnoses, a placement reference;
* ``sniff``     — format detection from the bytes, hardened XML (defusedxml) and zip screening;
* ``gdal``      — the readers of everything GDAL reads (through pyogrio; no hand parsing);
* ``odk``       — ODK/Kobo geoshape strings (``lat lon alt acc;…``);
* ``vn2000``    — which VN-2000 CRSs are accepted, deprecated codes, the provinces' 3° zones,
                  and the pinned EPSG:6960 transform;
* ``diagnosis`` — likely VN-2000 mistakes (missing datum shift, shift twice, UTM scale,
                  wrong 3° zone, swapped axes, rotation signs), each with its offset;
* ``reader``    — ``read_geometry`` (files) and ``from_geojson``: the entry points.

Pure domain: may import ``geo`` (crs, errors, limits), shapely, pyproj, numpy, pyogrio and
defusedxml; never ``geo.store``, ``api``, SQL or a web framework (import-linter contract).
Nothing is silently corrected: diagnoses warn and carry the corrected geometry beside the
geometry as written.
"""

from geo.intake.model import Diagnosis, Intake, IntakeLimits, IntakeReport, Reference
from geo.intake.reader import from_geojson, read_geometry

__all__ = ["Diagnosis", "Intake", "IntakeLimits", "IntakeReport", "Reference",
           "from_geojson", "read_geometry"]
