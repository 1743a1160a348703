"""The shared ground of the domain: CRS, errors, instants, size limits, lon/lat input, zone
vocabulary, roles and clearance, dataset sources and safe JSON reading.

Every capability may import it; it imports no other ``geo`` package (only its own modules).
"""
