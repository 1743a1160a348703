"""Checkpoint-area surveys: the Border Guard's sketch of a gate's area, read through the
geometry intake (``geo.intake``), validated against the real data, versioned and reviewed
by the competent authority (RULES.md GEO-GATE-01…08).

Modules:

* ``rules``    — the validation thresholds, as data (``thresholds.yaml``);
* ``context``  — what a survey is checked against (its gate, the land, the border line,
                 the communes around the gate) and the intake references built from it;
* ``validate`` — the validation report: each item with its measure and severity;
* ``review``   — states, transitions and the authority each gate type needs;
* ``diff``     — two versions compared in a metric CRS (area change, Hausdorff distance,
                 parts gained and lost);
* ``render``   — the readable pages (report, sketch, diff) as self-contained HTML + SVG;
* ``export``   — GeoJSON, KML and GeoPackage in WGS 84 or a VN-2000 zone.

Pure domain: may import ``geo.common`` and ``geo.intake``; never ``geo.store`` or ``api``.
"""
