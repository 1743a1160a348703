"""Zone layers in PostGIS: boundary data loaded, derived layers (border communes, belt), zone
edits with their public footprints, and the snapshot read into the location index.

``load``, ``derive``, ``edit``, ``snapshot``, ``live`` (a worker's index) and ``queries`` (the
one-query reference check). May import ``geo.store.decisions`` (decisions in the index).
"""
