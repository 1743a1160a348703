"""Crossing rules as data (``crossings.yaml``): documents per gate type, border and holder,
who may use each gate type, the land-gate e-border procedures, and the working-hours regime.

Loaded once and validated like the catalogue (:class:`~geo.rules.loader.CatalogueError`
naming the entry): citations name declared documents and RULES.md IDs, ``rule`` names a
rule of ``catalogue.yaml``, document codes come from the published vocabulary, dates of
force are Hanoi calendar dates (``effective_from <= d < effective_to``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from geo.common.zones import GateType
from geo.rules.catalogue import Catalogue
from geo.rules.loader import (
    CatalogueError,
    check_keys,
    load_catalogue,
    parse_citation,
    parse_document,
)
from geo.rules.model import Citation, Document

PACKAGED_NAME = "crossings.yaml"


class Holder(StrEnum):
    """Whose documents: by nationality relative to the gate's border."""

    VIETNAMESE = "vietnamese"  # nationality VNM
    NEIGHBOUR = "neighbour"  # citizen of the country across this gate
    FOREIGN = "foreign"  # any other nationality


class TravellerCategory(StrEnum):
    """Who crosses (the ``category`` of a crossing check)."""

    VIETNAMESE_CITIZEN = "vietnamese_citizen"
    BORDER_RESIDENT = "border_resident"  # of either side (GL-32)
    THIRD_COUNTRY_NATIONAL = "third_country_national"  # a foreigner not crossing as resident
    TOURIST_GROUP = "tourist_group"
    OFFICIAL_DELEGATION = "official_delegation"
    VEHICLE = "vehicle"


def _fail(owner: str, message: str) -> CatalogueError:
    return CatalogueError(f"{owner}: {message}", field="catalogue", detail={"rule_id": owner})


@dataclass(frozen=True)
class VocabularyEntry:
    code: str
    name_vi: str
    name_en: str


@dataclass(frozen=True)
class DocumentOption:
    """Documents that together suffice: each slot is satisfied by any one of its codes."""

    slots: tuple[tuple[str, ...], ...]
    borders: frozenset[str] | None = None
    residents_only: bool = False
    citation: Citation | None = None

    @property
    def label(self) -> str:
        return " + ".join("|".join(slot) for slot in self.slots)

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(code for slot in self.slots for code in slot)

    def open_to(self, border: str, resident: bool) -> bool:
        """Listed for a holder on this border (ISO3 of the neighbour), resident or not."""
        return (self.borders is None or border in self.borders) and (
            resident or not self.residents_only)

    def satisfied_by(self, held: frozenset[str]) -> bool:
        return all(held & set(slot) for slot in self.slots)


@dataclass(frozen=True)
class Versioned:
    effective_from: date
    effective_to: date | None

    def in_force(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None
                                               or day < self.effective_to)


@dataclass(frozen=True)
class DocumentRule(Versioned):
    id: str
    holders: Holder
    gate_types: frozenset[GateType]
    options: tuple[DocumentOption, ...]
    listed: bool
    open_clause: str | None
    rule_id: str
    citation: Citation
    unconfirmed_reason: str | None


@dataclass(frozen=True)
class GateUsers:
    gate_type: GateType
    holders: frozenset[Holder]
    condition: str | None
    citation: Citation


@dataclass(frozen=True)
class EProcedure(Versioned):
    code: str
    nsw_item: int | None
    name_vi: str
    categories: frozenset[TravellerCategory]
    holders: frozenset[Holder]
    when_holding: frozenset[str]
    unless_holding: frozenset[str]
    gate_types: frozenset[GateType]
    declare_before_hours: int
    confirm_within_hours: int
    rule_id: str
    citations: tuple[Citation, ...]
    amendment: str | None
    note: str | None
    unconfirmed_reason: str | None


@dataclass(frozen=True)
class Amendment:
    code: str
    nsw_item: int
    name_vi: str
    submit_within_hours: int
    confirm_within_hours: int
    citations: tuple[Citation, ...]


@dataclass(frozen=True)
class CrossingRules:
    """Everything of ``crossings.yaml``, validated; ``common`` and ``hours`` keep their YAML
    shape with citations parsed."""

    vocabulary: Mapping[str, VocabularyEntry]
    document_rules: tuple[DocumentRule, ...]
    gate_users: Mapping[GateType, GateUsers]
    e_procedures: tuple[EProcedure, ...]
    amendments: Mapping[str, Amendment]
    common: Mapping[str, Any]
    hours: Mapping[str, Any]
    documents: Mapping[str, Document]


class _Reader:
    """Parses one file against the catalogue's documents and rules."""

    def __init__(self, catalogue: Catalogue, raw: Mapping[str, Any]):
        own = [parse_document(d) for d in raw.get("documents") or []]
        self.documents = {**catalogue.documents, **{d.name: d for d in own}}
        self.catalogue = catalogue
        self.codes: dict[str, VocabularyEntry] = {}
        for item in raw.get("vocabulary") or []:
            entry = VocabularyEntry(str(item["code"]), str(item["name_vi"]),
                                    str(item["name_en"]))
            if entry.code in self.codes:
                raise _fail("vocabulary", f"code {entry.code!r} listed twice")
            self.codes[entry.code] = entry

    def citation(self, raw: Any, owner: str) -> Citation:
        return parse_citation(raw, owner, self.documents)

    def citations(self, raw: Any, owner: str) -> tuple[Citation, ...]:
        if not isinstance(raw, list) or not raw:
            raise _fail(owner, "citations must be a non-empty list")
        return tuple(self.citation(item, owner) for item in raw)

    def rule_id(self, raw: Any, owner: str) -> str:
        rule = str(raw or "")
        if rule not in {r.id for r in self.catalogue}:
            raise _fail(owner, f"rule {rule!r} is not in catalogue.yaml")
        return rule

    def code_list(self, raw: Any, owner: str) -> tuple[str, ...]:
        codes = tuple(str(c).strip() for c in raw or [])
        unknown = [c for c in codes if c not in self.codes]
        if unknown:
            raise _fail(owner, f"document code(s) not in the vocabulary: {unknown}")
        return codes

    def option(self, raw: Any, owner: str) -> DocumentOption:
        fields = check_keys(raw, frozenset({"docs", "borders", "residents_only", "citation"}),
                            owner, "option")
        slots = tuple(self.code_list(part.split("|"), owner)
                      for part in str(fields["docs"]).split("+"))
        borders = fields.get("borders")
        return DocumentOption(
            slots, frozenset(borders) if borders else None,
            fields.get("residents_only") is True,
            self.citation(fields["citation"], owner) if fields.get("citation") else None)

    def versioned(self, fields: Mapping[str, Any], owner: str) -> dict[str, Any]:
        start, end = fields.get("effective_from"), fields.get("effective_to")
        if not isinstance(start, date) or (end is not None and not isinstance(end, date)):
            raise _fail(owner, "effective_from/effective_to must be ISO dates")
        if end is not None and end <= start:
            raise _fail(owner, "effective_to must be after effective_from")
        return {"effective_from": start, "effective_to": end}

    def document_rule(self, raw: Any) -> DocumentRule:
        owner = str(raw.get("id", "<document rule>"))
        keys = {"id", "holders", "gate_types", "options", "listed", "open_clause", "rule",
                "citation", "effective_from", "effective_to", "unconfirmed_reason"}
        fields = check_keys(raw, frozenset(keys), owner, "document rule")
        listed = fields.get("listed", True) is not False
        options = tuple(self.option(o, owner) for o in fields.get("options") or [])
        if listed != bool(options):
            raise _fail(owner, "a listed rule needs options; `listed: false` takes none")
        try:
            return DocumentRule(
                **self.versioned(fields, owner), id=owner, holders=Holder(fields["holders"]),
                gate_types=frozenset(GateType(t) for t in fields["gate_types"]),
                options=options, listed=listed, open_clause=fields.get("open_clause"),
                rule_id=self.rule_id(fields.get("rule"), owner),
                citation=self.citation(fields["citation"], owner),
                unconfirmed_reason=fields.get("unconfirmed_reason"))
        except (KeyError, ValueError) as exc:
            raise _fail(owner, f"bad document rule ({exc})") from None

    def gate_users(self, raw: Any) -> GateUsers:
        owner = f"gate_users {raw.get('gate_type')}"
        return GateUsers(GateType(raw["gate_type"]),
                         frozenset(Holder(h) for h in raw["holders"]), raw.get("condition"),
                         self.citation(raw["citation"], owner))

    def e_procedure(self, raw: Any) -> EProcedure:
        owner = f"e_procedure {raw.get('code')}"
        try:
            return EProcedure(
                **self.versioned(raw, owner), code=str(raw["code"]),
                nsw_item=raw.get("nsw_item"), name_vi=" ".join(str(raw["name_vi"]).split()),
                categories=frozenset(TravellerCategory(c) for c in raw["categories"]),
                holders=frozenset(Holder(h) for h in raw["holders"]),
                when_holding=frozenset(self.code_list(raw.get("when_holding"), owner)),
                unless_holding=frozenset(self.code_list(raw.get("unless_holding"), owner)),
                gate_types=frozenset(GateType(t) for t in raw["gate_types"]),
                declare_before_hours=int(raw["declare_before_hours"]),
                confirm_within_hours=int(raw["confirm_within_hours"]),
                rule_id=self.rule_id(raw.get("rule"), owner),
                citations=self.citations(raw.get("citations"), owner),
                amendment=raw.get("amendment"), note=raw.get("note"),
                unconfirmed_reason=raw.get("unconfirmed_reason"))
        except (KeyError, ValueError, TypeError) as exc:
            raise _fail(owner, f"bad e-procedure ({exc})") from None

    def amendment(self, raw: Any) -> Amendment:
        owner = f"amendment {raw.get('code')}"
        return Amendment(str(raw["code"]), int(raw["nsw_item"]),
                         " ".join(str(raw["name_vi"]).split()),
                         int(raw["submit_within_hours"]), int(raw["confirm_within_hours"]),
                         self.citations(raw.get("citations"), owner))

    def cited(self, value: Any, owner: str) -> Any:
        """A YAML tree with every ``citation``/``citations`` value parsed."""
        if isinstance(value, list):
            return tuple(self.cited(v, owner) for v in value)
        if not isinstance(value, Mapping):
            return value
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key == "citation":
                out[key] = self.citation(item, owner)
            elif key in ("citations", "emergency_opening", "suspension"):
                out[key] = self.citations(item, f"{owner}.{key}")
            else:
                out[key] = self.cited(item, f"{owner}.{key}")
        return out


def parse_crossings(raw: Any, catalogue: Catalogue) -> CrossingRules:
    """Validate the parsed YAML of ``crossings.yaml`` against ``catalogue``."""
    top = frozenset({"schema", "documents", "vocabulary", "document_rules", "gate_users",
                     "e_procedures", "amendments", "e_procedure_common", "hours"})
    body = check_keys(raw, top, "<crossings>", "top")
    if body.get("schema") != 1:
        raise _fail("<crossings>", f"unsupported schema {body.get('schema')!r}")
    reader = _Reader(catalogue, body)
    rules = tuple(reader.document_rule(r) for r in body.get("document_rules") or [])
    procedures = tuple(reader.e_procedure(p) for p in body.get("e_procedures") or [])
    amendments = {a.code: a for a in map(reader.amendment, body.get("amendments") or [])}
    for proc in procedures:
        if proc.amendment is not None and proc.amendment not in amendments:
            raise _fail(f"e_procedure {proc.code}", f"unknown amendment {proc.amendment!r}")
    ids = [r.id for r in rules]
    if len(set(ids)) != len(ids):
        raise _fail("document_rules", "duplicate id")
    users = {u.gate_type: u for u in map(reader.gate_users, body.get("gate_users") or [])}
    if set(users) != set(GateType):
        raise _fail("gate_users", "every gate type needs an entry")
    return CrossingRules(
        vocabulary=reader.codes, document_rules=rules, gate_users=users,
        e_procedures=procedures, amendments=amendments,
        common=reader.cited(body.get("e_procedure_common") or {}, "e_procedure_common"),
        hours=reader.cited(body.get("hours") or {}, "hours"), documents=reader.documents)


@lru_cache(maxsize=1)
def load_crossings() -> CrossingRules:
    """The packaged ``geo/rules/crossings.yaml``, parsed and validated once."""
    text = resources.files("geo.rules").joinpath(PACKAGED_NAME).read_text(encoding="utf-8")
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CatalogueError(f"crossings.yaml is not valid YAML: {exc}") from exc
    return parse_crossings(raw, load_catalogue())
