"""The loaded rule catalogue and its queries (which rules apply where, to whom, when)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from types import MappingProxyType

from geo.common.errors import NotFound
from geo.common.zones import PersonCategory, ZoneKind
from geo.rules.model import (
    Document,
    Rule,
    RuleKind,
    local_date,
    parse_person,
    parse_zone_kind,
)

#: Reader order of rule kinds: must do, must not do, may do, context.
READER_RANK = {RuleKind.OBLIGATION: 0, RuleKind.PROHIBITION: 1, RuleKind.PERMISSION: 2,
               RuleKind.INFO: 3}


class Catalogue:
    """An immutable, validated set of rules and the documents they cite.

    Build it with :func:`geo.rules.load_catalogue`; the loader has already checked ids,
    enums, citations, dates and supersession links.
    """

    __slots__ = ("_rules", "_by_id", "_documents", "_position", "_not_applicable")

    def __init__(self, rules: tuple[Rule, ...], documents: Mapping[str, Document],
                 not_applicable: Mapping[str, str] | None = None):
        self._rules = rules
        self._by_id = MappingProxyType({rule.id: rule for rule in rules})
        self._position = MappingProxyType({rule.id: i for i, rule in enumerate(rules)})
        self._documents = MappingProxyType(dict(documents))
        self._not_applicable = MappingProxyType(dict(not_applicable or {}))

    def __len__(self) -> int:
        return len(self._rules)

    def __iter__(self) -> Iterator[Rule]:
        return iter(self._rules)

    def __repr__(self) -> str:
        return f"<Catalogue {len(self._rules)} rules, {len(self._documents)} documents>"

    @property
    def rules(self) -> tuple[Rule, ...]:
        """Every rule version, in catalogue order (in force or not)."""
        return self._rules

    @property
    def documents(self) -> Mapping[str, Document]:
        """Cited documents by name, e.g. ``"Circular 112/2025/TT-BQP"``."""
        return self._documents

    @property
    def not_applicable(self) -> Mapping[str, str]:
        """RULES.md IDs no rule rests on, with the reason (applied elsewhere, or no duty)."""
        return self._not_applicable

    def reader_order(self, rules: Iterable[Rule]) -> list[Rule]:
        """``rules`` as a reader needs them: what to do first (obligations), then what not to
        do (prohibitions, sanctions), then permissions, then information; within a kind, in
        catalogue order (which puts what must be had before entering first)."""
        return sorted(rules, key=lambda r: (READER_RANK[r.kind], self._position[r.id]))

    def get(self, rule_id: str) -> Rule:
        """The rule with this id; NotFound(field="rule_id") if there is none."""
        try:
            return self._by_id[rule_id]
        except KeyError:
            message = f"rule_id: no rule {rule_id!r} in the catalogue"
            raise NotFound(message, field="rule_id") from None

    def in_force(self, on: date | datetime) -> list[Rule]:
        """Every rule in force on the Hanoi date of ``on``, in catalogue order."""
        day = local_date(on)
        return [rule for rule in self._rules if rule.in_force(day)]

    def rules_for(
        self,
        zone_kind: ZoneKind | str,
        person: PersonCategory | str,
        on: date | datetime,
    ) -> list[Rule]:
        """Rules for ``person`` in ``zone_kind`` in force on ``on`` (effective_from <= on <
        effective_to, on the Hanoi calendar), in :meth:`reader_order`.

        Only the rules listed for that zone kind are returned: rules of the land border area
        are listed under the belt and land prohibited zones too (they lie inside it), but a
        caller whose location falls in several zones should ask for each of them.
        Unknown strings raise InvalidInput naming ``zone_kind`` or ``person``.
        """
        kind = parse_zone_kind(zone_kind)
        category = parse_person(person)
        day = local_date(on)
        return self.reader_order(
            rule for rule in self._rules if rule.applies_to(kind, category) and rule.in_force(day)
        )

    def citation_ids(self) -> frozenset[str]:
        """Every RULES.md ID (``PER-22``, ``DEC-10``, …) cited by any rule version."""
        return frozenset(citation.rules_ref for rule in self._rules for citation in rule.citations)
