"""Instants in responses: one format, ISO 8601 with the Hanoi offset (``+07:00``).

``Instant`` is a ``datetime`` field that serialises through ``geo.common.timeutil.stamp``,
whatever offset the value carries (pydantic alone writes UTC as ``Z``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import PlainSerializer

from geo.common.timeutil import stamp

Instant = Annotated[datetime, PlainSerializer(stamp, return_type=str, when_used="json")]
