"""Location checks: where a point or a route is relative to the border zones, at an instant.

The point check, routes, answers for apps, the in-memory zone index and what feeds it (input
parsing, border line and belt, sea area, public footprints, decisions as index features).
May import ``geo.rules``, ``geo.decisions`` and ``geo.common``; never ``geo.batch`` or storage.
"""
