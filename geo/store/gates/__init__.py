"""Gates in PostGIS: the gate list, working hours and emergency openings (``repository``),
and the recorded locations of gates (``locations``).

May import ``geo.store.decisions`` (decisions on a gate) and the shared store modules.
"""
