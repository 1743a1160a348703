"""Engines and transactions; database errors become domain errors here, once."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from geo.common.errors import Conflict, ReadOnlyStore, StoreUnavailable


def make_engine(url: str, *, pool_size: int = 10, read_only: bool = False,
                writes_to: str | None = None) -> Engine:
    """A pooled engine; connections are checked before use so a restarted server is
    picked up again without restarting the service.

    ``read_only``: every transaction is ``READ ONLY`` (a replica, or a worker told to
    serve reads only); a write on it raises ``ReadOnlyStore`` naming ``writes_to`` (where
    writes go), before anything is written."""
    # every timestamptz read comes back in Hanoi time (+07:00), the one offset the API and
    # the CLI print (``geo.common.timeutil.stamp``); instants compare the same either way
    options = "-c timezone=Asia/Ho_Chi_Minh"
    if read_only:
        options += " -c default_transaction_read_only=on"
    connect_args: dict = {"connect_timeout": 5, "options": options}
    engine = create_engine(url, pool_size=pool_size, max_overflow=20, pool_pre_ping=True,
                           pool_recycle=1800, connect_args=connect_args)
    engine.info_read_only = read_only  # type: ignore[attr-defined]
    engine.info_writes_to = writes_to  # type: ignore[attr-defined]
    return engine


def is_read_only(engine: Engine) -> bool:
    return bool(getattr(engine, "info_read_only", False))


def refuse_write(engine: Engine) -> ReadOnlyStore:
    """The error for a write attempted on a read-only engine."""
    target = getattr(engine, "info_writes_to", None)
    where = f" ({target})" if target else ""
    return ReadOnlyStore("this worker serves reads from a read-only replica; writes go to "
                         f"the primary{where}: send them to a worker connected to it",
                         detail={"primary": target} if target else None)


#: SQLSTATE raised by the append-only triggers on legal records (migrations 0002, 0003).
APPEND_ONLY_SQLSTATE = "BZ001"
#: read_only_sql_transaction: a write on a standby or in a READ ONLY transaction.
READ_ONLY_SQLSTATE = "25006"


def _translate(exc: DBAPIError) -> Exception:
    if isinstance(exc, OperationalError) or exc.connection_invalidated:
        return unavailable(exc)
    if getattr(exc.orig, "sqlstate", None) == READ_ONLY_SQLSTATE:
        return ReadOnlyStore("the database refused a write: it is a read-only replica; "
                             "writes go to the primary")
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
    """One transaction: committed when the block ends, rolled back on any error. On a
    read-only engine a write fails with ``ReadOnlyStore`` (nothing is written)."""
    try:
        with translated(), engine.begin() as conn:
            yield conn
    except ReadOnlyStore as exc:
        if is_read_only(engine) and "primary" not in exc.detail:
            raise refuse_write(engine) from exc
        raise


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A read-only connection (no commit)."""
    with translated(), engine.connect() as conn:
        yield conn


#: Store functions take an engine (their own transaction) or a connection (the caller's:
#: a savepoint inside it, as the API's tests and multi-step writes use).
Bind = Engine | Connection


@contextmanager
def writing(bind: Bind) -> Iterator[Connection]:
    """A transaction on ``bind``: a savepoint when it is a caller's connection."""
    if isinstance(bind, Connection):
        with bind.begin_nested():
            yield bind
    else:
        with transaction(bind) as conn:
            yield conn


@contextmanager
def reading_bind(bind: Bind) -> Iterator[Connection]:
    """A read on ``bind``: the caller's connection as it is, else a read snapshot."""
    if isinstance(bind, Connection):
        yield bind
    else:
        with reading(bind) as conn:
            yield conn
