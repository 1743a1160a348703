"""Value objects of the rule catalogue: citations, lead times, rules, cited documents.

Every object is frozen and checks itself on construction (``ValueError`` on bad values);
the loader turns those errors into :class:`~geo.rules.loader.CatalogueError` naming the rule.
Dates are calendar dates in Hanoi time (UTC+07:00), the way Vietnamese texts state them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from geo.common.errors import InvalidInput
from geo.common.timeutil import parse_instant, to_hanoi
from geo.common.zones import PersonCategory, ZoneKind


class RuleKind(StrEnum):
    """What a catalogue entry does to the person it concerns."""

    OBLIGATION = "obligation"  # must do
    PROHIBITION = "prohibition"  # must not do
    PERMISSION = "permission"  # may do
    INFO = "info"  # context: how a regime works, or why no specific rule exists


class TimeUnit(StrEnum):
    """Units of a lead time or time limit."""

    WORKING_DAYS = "working_days"
    DAYS = "days"
    HOURS = "hours"


class DateBasis(StrEnum):
    """What a document's date in the catalogue is: its entry into force or its signing."""

    EFFECTIVE = "effective"
    SIGNED = "signed"  # entry into force not found; the document date is used instead


def _choices(enum: type[StrEnum]) -> str:
    return ", ".join(member.value for member in enum)


def _parse_choice(enum: type[StrEnum], text: object, field: str) -> Any:
    """Read ``text`` as a member of ``enum`` (case and ``-``/space tolerant), else 422."""
    if isinstance(text, enum):
        return text
    key = str(text).strip().lower().replace("-", "_").replace(" ", "_")
    try:
        return enum(key)
    except ValueError:
        raise InvalidInput(
            f"{field}: unknown value {text!r}; valid values are: {_choices(enum)}",
            field=field,
            detail={"valid": [member.value for member in enum]},
        ) from None


def parse_person(text: str | PersonCategory) -> PersonCategory:
    """The :class:`PersonCategory` named by ``text``; InvalidInput(field="person") if none."""
    category: PersonCategory = _parse_choice(PersonCategory, text, "person")
    return category


def parse_zone_kind(text: str | ZoneKind) -> ZoneKind:
    """The :class:`ZoneKind` named by ``text``; InvalidInput(field="zone_kind") if none."""
    kind: ZoneKind = _parse_choice(ZoneKind, text, "zone_kind")
    return kind


def local_date(on: date | datetime) -> date:
    """The Hanoi calendar date of ``on``; a naive datetime is taken as Hanoi time."""
    if isinstance(on, datetime):
        moment = parse_instant(on, field="on")
        assert moment is not None  # a datetime never parses to None
        return to_hanoi(moment).date()
    if isinstance(on, date):
        return on
    raise InvalidInput(f"on: expected a date or datetime, got {on!r}", field="on")


@dataclass(frozen=True, slots=True)
class Citation:
    """One legal provision behind a rule, with the RULES.md ID that records it.

    ``amends`` names the provision this one rewrites (amending acts such as Circular
    112/2025); ``amended_by`` says the cited provision is read as amended by a later act.
    """

    document: str
    article: str
    rules_ref: str
    clause: str | None = None
    point: str | None = None
    amends: str | None = None
    amended_by: str | None = None
    source: str | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        for name in ("document", "article", "rules_ref"):
            if not getattr(self, name):
                raise ValueError(f"citation needs a non-empty {name}")

    @property
    def label(self) -> str:
        """Short human form, e.g. ``Circular 112/2025/TT-BQP Art 1(4)(b)``."""
        text = f"{self.document} Art {self.article}"
        if self.clause:
            text += f"({self.clause})"
        if self.point:
            text += f"({self.point})"
        return text

    def to_dict(self) -> dict[str, str | None]:
        return {
            "document": self.document,
            "article": self.article,
            "clause": self.clause,
            "point": self.point,
            "label": self.label,
            "amends": self.amends,
            "amended_by": self.amended_by,
            "rules_ref": self.rules_ref,
            "source": self.source,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class LeadTime:
    """A time limit: ``amount`` ``unit`` either *before* or *after* a named event."""

    amount: int
    unit: TimeUnit
    before: str | None = None
    after: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, int) or self.amount <= 0:
            raise ValueError(f"lead_time.amount must be a positive integer, got {self.amount!r}")
        if not isinstance(self.unit, TimeUnit):
            raise ValueError(f"lead_time.unit must be one of: {_choices(TimeUnit)}")
        if (self.before is None) == (self.after is None):
            raise ValueError("lead_time needs exactly one of 'before' or 'after'")

    def to_dict(self) -> dict[str, Any]:
        return {
            "amount": self.amount,
            "unit": self.unit.value,
            "before": self.before,
            "after": self.after,
        }


@dataclass(frozen=True, slots=True)
class Document:
    """A legal text cited by the catalogue and the date rules drawn from it start from."""

    name: str
    title_vi: str
    effective_from: date
    date_basis: DateBasis
    date_source: str
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Rule:
    """One obligation, prohibition, permission or info entry of the catalogue.

    In force on a day ``d`` when ``effective_from <= d < effective_to`` (open-ended when
    ``effective_to`` is None). ``supersedes`` names the rule version this one replaced.
    """

    id: str
    kind: RuleKind
    zone_kinds: tuple[ZoneKind, ...]
    persons: tuple[PersonCategory, ...]
    text_en: str
    text_vi: str
    citations: tuple[Citation, ...]
    effective_from: date
    effective_to: date | None = None
    form: str | None = None
    lead_time: LeadTime | None = None
    unconfirmed: bool = False
    unconfirmed_reason: str | None = None
    supersedes: str | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        if not self.citations:
            raise ValueError("a rule needs at least one citation")
        if not self.zone_kinds or not self.persons:
            raise ValueError("a rule needs at least one zone kind and one person category")
        if not self.text_en.strip() or not self.text_vi.strip():
            raise ValueError("a rule needs text_en and text_vi")
        if self.effective_to is not None and self.effective_to <= self.effective_from:
            raise ValueError("effective_to must be after effective_from")
        if self.unconfirmed != bool(self.unconfirmed_reason):
            raise ValueError("unconfirmed: true and unconfirmed_reason go together")

    def in_force(self, on: date | datetime) -> bool:
        """True when the rule applies on the Hanoi date of ``on``."""
        day = local_date(on)
        return self.effective_from <= day and (self.effective_to is None or day < self.effective_to)

    def applies_to(self, zone_kind: ZoneKind, person: PersonCategory) -> bool:
        return zone_kind in self.zone_kinds and person in self.persons

    @property
    def rules_refs(self) -> tuple[str, ...]:
        """The RULES.md IDs this rule rests on, in citation order, without repeats."""
        return tuple(dict.fromkeys(citation.rules_ref for citation in self.citations))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (strings, numbers, lists, None; dates as ISO text)."""
        return {
            "id": self.id,
            "kind": self.kind.value,
            "zone_kinds": [kind.value for kind in self.zone_kinds],
            "persons": [person.value for person in self.persons],
            "text_en": self.text_en,
            "text_vi": self.text_vi,
            "form": self.form,
            "lead_time": self.lead_time.to_dict() if self.lead_time else None,
            "citations": [citation.to_dict() for citation in self.citations],
            "rules_refs": list(self.rules_refs),
            "effective_from": self.effective_from.isoformat(),
            "effective_to": self.effective_to.isoformat() if self.effective_to else None,
            "unconfirmed": self.unconfirmed,
            "unconfirmed_reason": self.unconfirmed_reason,
            "supersedes": self.supersedes,
            "note": self.note,
        }
