"""Engines and transactions; database errors become domain errors here, once."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from geo.common.errors import Conflict, StoreUnavailable


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    """A pooled engine; connections are checked before use so a restarted server is
    picked up again without restarting the service."""
    return create_engine(url, pool_size=pool_size, max_overflow=20, pool_pre_ping=True,
                         pool_recycle=1800, connect_args={"connect_timeout": 5})


#: SQLSTATE raised by the append-only triggers on legal records (migrations 0002, 0003).
APPEND_ONLY_SQLSTATE = "BZ001"


def _translate(exc: DBAPIError) -> Exception:
    if isinstance(exc, OperationalError) or exc.connection_invalidated:
        return unavailable(exc)
    if getattr(exc.orig, "sqlstate", None) == APPEND_ONLY_SQLSTATE:
        return Conflict(f"legal records are never changed or deleted: {exc.orig}")
    return exc


def unavailable(exc: Exception) -> StoreUnavailable:
    return StoreUnavailable("the database is unavailable; try again shortly "
                            f"({type(exc).__name__})")


@contextmanager
def translated() -> Iterator[None]:
    """Database errors raised in the block become domain errors (StoreUnavailable for a
    lost server, Conflict for an edit of a legal record); others pass unchanged."""
    try:
        yield
    except DBAPIError as exc:
        domain = _translate(exc)
        if domain is exc:
            raise
        raise domain from exc


@contextmanager
def transaction(engine: Engine) -> Iterator[Connection]:
    """One transaction: committed when the block ends, rolled back on any error."""
    with translated(), engine.begin() as conn:
        yield conn


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A read-only connection (no commit)."""
    with translated(), engine.connect() as conn:
        yield conn
