"""The rule catalogue as data: who must, must not or may do what, in which zone, since when.

``catalogue.yaml`` (package data) is written from the research catalogue RULES.md; every
entry cites the legal provision and the RULES.md ID it rests on, carries its dates of
force, and is flagged ``unconfirmed`` where RULES.md could not confirm it.

    >>> from datetime import date
    >>> from geo.rules import load_catalogue
    >>> from geo.common.zones import PersonCategory, ZoneKind
    >>> rules = load_catalogue().rules_for(
    ...     ZoneKind.BORDER_BELT, PersonCategory.FOREIGN_RESIDENT, date(2026, 1, 1))

Zone kinds are listed per rule, not inherited: a rule of the land border area is also
listed under the border belt and land prohibited zones, which lie inside it; a rule of
the sea border area under the sea zone kinds. Dates are Hanoi calendar dates.
"""

from geo.rules.catalogue import Catalogue
from geo.rules.loader import CatalogueError, load_catalogue, parse_catalogue
from geo.rules.model import (
    Citation,
    DateBasis,
    Document,
    LeadTime,
    Rule,
    RuleKind,
    TimeUnit,
    local_date,
    parse_person,
    parse_zone_kind,
)

__all__ = [
    "Catalogue",
    "CatalogueError",
    "Citation",
    "DateBasis",
    "Document",
    "LeadTime",
    "Rule",
    "RuleKind",
    "TimeUnit",
    "load_catalogue",
    "local_date",
    "parse_catalogue",
    "parse_person",
    "parse_zone_kind",
]
