"""The append-only audit log: who did what to which record, with before and after.

Call ``record`` inside the same transaction as the write it describes, so that both are
committed together or neither is::

    with transaction(engine) as conn:
        row = ...insert or update...
        audit.record(conn, principal, "decision.issue", "decision", row.id, None, row_dict)

The table refuses UPDATE, DELETE and TRUNCATE (trigger of migration 0002).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from geo.common.security import Principal
from geo.common.timeutil import stamp
from geo.store.models import audit_log

MAX_PAGE = 1000


def _plain(value: Any) -> Any:
    """JSON for what records hold: instants, dates, decimals, enums, sets, geometries."""
    if isinstance(value, datetime | date):
        return stamp(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, set | frozenset | tuple):
        return sorted(value, key=str) if isinstance(value, set | frozenset) else list(value)
    geo_interface = getattr(value, "__geo_interface__", None)
    if geo_interface is not None:
        return geo_interface
    return str(value)


def jsonable(state: Mapping | None) -> dict | None:
    """A record's state as plain JSON (None stays None)."""
    if state is None:
        return None
    return json.loads(json.dumps(dict(state), default=_plain, ensure_ascii=False))


def record(conn: Connection, principal: Principal, action: str, entity: str,
           entity_id: str | int | None, before: Mapping | None, after: Mapping | None) -> int:
    """Append one entry in the caller's transaction; returns its id.

    ``action`` names the act (e.g. ``"user.create"``, ``"decision.revoke"``), ``entity`` the
    table or kind of record, ``before``/``after`` its state (None when created / deleted).
    """
    values = {"who": principal.subject, "role": principal.role_label,
              "key_id": principal.key_id, "action": action, "entity": entity,
              "entity_id": None if entity_id is None else str(entity_id),
              "before": jsonable(before), "after": jsonable(after)}
    return int(conn.execute(insert(audit_log).values(**values)
                            .returning(audit_log.c.id)).scalar_one())


@dataclass(frozen=True)
class AuditFilter:
    """What to select; every field optional. ``before_id`` pages backwards by id."""

    who: str | None = None
    action: str | None = None
    entity: str | None = None
    entity_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    before_id: int | None = None
    limit: int = 100


def query(conn: Connection, where: AuditFilter | None = None) -> list[dict]:
    """Entries matching ``where``, newest first (at most ``MAX_PAGE``)."""
    where = where or AuditFilter()
    t = audit_log
    stmt = select(t).order_by(t.c.id.desc()).limit(max(1, min(where.limit, MAX_PAGE)))
    for column, value in (("who", where.who), ("action", where.action),
                          ("entity", where.entity), ("entity_id", where.entity_id)):
        if value is not None:
            stmt = stmt.where(t.c[column] == value)
    if where.since is not None:
        stmt = stmt.where(t.c.at >= where.since)
    if where.until is not None:
        stmt = stmt.where(t.c.at < where.until)
    if where.before_id is not None:
        stmt = stmt.where(t.c.id < where.before_id)
    return [dict(row._mapping) for row in conn.execute(stmt)]
