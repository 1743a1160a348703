"""Checkpoint-area surveys in PostGIS: ``surroundings`` reads what a survey is validated
against (gate, land, border line, communes); ``repository`` stores versions, moves them
through review, and publishes one atomically as the gate's checkpoint area."""
