"""Batches: many points checked at once, as columns of arrays (CSV / GeoJSON in, NDJSON / CSV out).

``input`` reads a batch, ``grid`` looks points up by region, ``exact`` answers the rest exactly,
``check`` joins them (``check_arrays``), ``output`` writes answers chunk by chunk.
May import ``geo.location`` and anything it may import; nothing in the domain imports batches.
"""
