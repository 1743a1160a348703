"""The rule set as borderzone answers with it: GET /v1/rules (public law, anyone may read)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.auth import PrincipalDep
from geo.common.timeutil import now, parse_instant
from geo.rules.browse import rules_at

router = APIRouter(prefix="/v1/rules", tags=["rules"])


@router.get("")
def list_rules(
    principal: PrincipalDep,
    at: Annotated[str | None, Query(description="ISO-8601 instant or date; no offset = "
                                                "Hanoi; default now")] = None,
    zone: Annotated[str | None, Query(description="zone kind, e.g. border_belt")] = None,
    person: Annotated[str | None, Query(description="person category, e.g. "
                                                    "foreign_visitor")] = None,
) -> dict:
    """Rules in force at ``at`` (Hanoi calendar date), for ``zone`` and ``person`` when given,
    in reader order, each with its citations, RULES.md IDs and UNCONFIRMED flag and reason."""
    return rules_at(parse_instant(at, field="at") or now(), zone, person)
