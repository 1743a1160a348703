"""One family of domain errors; ``api`` maps each class to an HTTP status in one table."""

from __future__ import annotations


class GeoError(Exception):
    """Base of every error the domain raises on purpose."""

    def __init__(self, message: str, *, field: str | None = None, detail: dict | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.detail = detail or {}


class InvalidInput(GeoError):
    """The caller sent something unusable; ``field`` names what (422)."""


class PayloadTooLarge(GeoError):
    """A body, geometry or batch over its configured limit (413)."""


class NotFound(GeoError):
    """A named record does not exist (404)."""


class Conflict(GeoError):
    """A concurrent change won, or the record's state forbids the change (409)."""


class NotPermitted(GeoError):
    """The caller's role or province scope does not allow this (403)."""


class NotAuthenticated(GeoError):
    """No or bad credentials (401)."""


class RateLimited(GeoError):
    """Too many requests for this key (429)."""


class AuthorityExceeded(InvalidInput):
    """A decision beyond its issuer's legal authority; ``detail['citation']`` names the rule."""


class StoreUnavailable(GeoError):
    """The database cannot be reached (503)."""


class DataError(GeoError):
    """A source dataset is missing or malformed (raised by loaders, reported by the CLI)."""


class ReadOnlyStore(StoreUnavailable):
    """A write reached a read-only replica; ``detail['primary']`` names where writes go (503)."""
