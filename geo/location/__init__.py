"""Location checks: where a point or a route is relative to the border zones, at an instant.

The point check, routes and their border crossings, what a point stands on (land,
internal waters, territorial sea), answers for apps, the in-memory zone index and what feeds
it (input parsing, border line and belt, sea area, public footprints, decisions as index
features).
May import ``geo.rules``, ``geo.decisions`` and ``geo.common``; never ``geo.batch`` or storage.
"""
