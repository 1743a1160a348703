"""Restriction decisions in PostGIS: their tables, rows, areas, forms and the repository.

``repository`` records and reads decisions (one transaction per act), ``rows`` maps rows to
domain records, ``tables`` declares them (migration 0003), ``areas`` resolves an area to
geometry, ``notices`` fills the forms. May import ``geo.store``'s shared modules and the domain.
"""
