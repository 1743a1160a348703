"""Who may restrict or suspend what, and for how long: the rules of ``authority.yaml``.

The rules are data (``geo/decisions/authority.yaml``), one per line of RULES.md §4.2
(DEC-10..DEC-26), each with its citation in Law 66/2020/QH14 Art 11.

How UNCONFIRMED limits are treated
----------------------------------
RULES.md marks every figure of §4.2 UNCONFIRMED: only the 2020 wording of Art 11 could be read,
and Law 98/2025/QH15 amended five unidentified articles of Law 66/2020 (OQ-01). The brief says
"where RULES.md marks the limit UNCONFIRMED, it is accepted with a warning". Read literally
that would accept *anything* (every limit is unconfirmed), which makes the check useless and
would let a Border Post commander sign a month-long gate closure. We therefore read it as:

* competence (which issuer for which scope and gate type) and the maximum duration are
  **enforced as the 2020 text states** — a decision beyond them raises ``AuthorityExceeded``
  whose message cites the rule ("Law 66/2020/QH14 Art 11(3)(a)") and whose ``detail`` holds
  ``citation`` and ``rule_id``;
* what passes carries a **warning** that the figure awaits confirmation against Law 98/2025
  (``unconfirmed`` flag + reason, per rule, in the YAML), so a reviewer sees it on every act;
* where the law states **no maximum** (Prime Minister, international gate, DEC-18) the act is
  accepted with a warning saying so.

When OQ-01 is closed, edit the YAML: change a figure, or set ``unconfirmed: false``.

Other choices
-------------
* Durations: a decision is measured ``valid_to - valid_from``; an extension by the period it
  adds, from the current end (decision or previous extension) to ``new_valid_to``. Limits are
  inclusive ("không quá 12 giờ": exactly 12 h is allowed).
* A belt decision is the Border Post commander's (Art 11(3)(a)); the provincial BĐBP commander
  acts on the land border area (Art 11(3)(b)) and may confine it to the belt with
  ``AreaSpec.belt_within``.
* Belt decisions cannot be extended (DEC-26): refused, citing Art 11(3).
* An extension must be decided before the current period expires (Art 11(5)): refused when
  ``signed_at`` is at or after the current end; applied also to the land-border-area
  continuation of Art 11(3)(b), which by its nature continues a running restriction.
* The Prime Minister's extension of an international-gate decision is not in Art 11(5); it is
  accepted as a further act under Art 11(4)(d) with a warning (rule DEC-18-EXT).
* Whether the place lies within the issuer's own area ("thuộc phạm vi quản lý") needs the
  units' areas of responsibility; that check belongs to the caller with data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from importlib.resources import files
from typing import Any

import yaml

from geo.common.errors import AuthorityExceeded, Conflict, DataError, InvalidInput
from geo.decisions.model import Decision, Extension, GateType, IssuerRole, Revocation, Scope
from geo.decisions.timeline import effective_window, extension_periods


class Action(StrEnum):
    DECIDE = "decide"
    EXTEND = "extend"


@dataclass(frozen=True)
class Citation:
    """A place in a legal text, written e.g. ``Law 66/2020/QH14 Art 11(3)(b) 2nd para``."""

    document: str
    article: str
    clause: str = ""
    point: str = ""
    note: str = ""

    def __str__(self) -> str:
        text = f"{self.document} Art {self.article}"
        text += f"({self.clause})" if self.clause else ""
        text += f"({self.point})" if self.point else ""
        return f"{text} {self.note}" if self.note else text


@dataclass(frozen=True)
class Clause:
    """A rule without issuer or figure (extension timing, number of extensions)."""

    rule_id: str
    text: str
    citation: Citation


@dataclass(frozen=True)
class AuthorityRule:
    """One line of RULES.md §4.2: issuer × action × scope (× gate types) → max duration."""

    rule_id: str
    action: Action
    scope: Scope
    gate_types: frozenset[GateType]
    issuer: IssuerRole | None
    max_hours: int | None
    allowed: bool
    citation: Citation
    form_id: str | None
    obligations: tuple[str, ...]
    unconfirmed: bool
    unconfirmed_reason: str
    note: str

    @property
    def max_duration(self) -> timedelta | None:
        return None if self.max_hours is None else timedelta(hours=self.max_hours)

    def covers(self, action: Action, scope: Scope, gate_type: GateType | None) -> bool:
        if self.action is not action or self.scope is not scope:
            return False
        return scope is not Scope.GATE or gate_type in self.gate_types


@dataclass(frozen=True)
class RuleBook:
    rules: tuple[AuthorityRule, ...]
    extension_timing: Clause
    successive_extensions: Clause

    def candidates(
        self, action: Action, scope: Scope, gate_type: GateType | None
    ) -> tuple[AuthorityRule, ...]:
        return tuple(r for r in self.rules if r.covers(action, scope, gate_type))


@dataclass(frozen=True)
class AuthorityVerdict:
    """The rule an act falls under, its measured duration and the warnings to show."""

    rule: AuthorityRule
    duration_hours: float
    warnings: tuple[str, ...]

    @property
    def citation(self) -> str:
        return str(self.rule.citation)

    @property
    def rule_id(self) -> str:
        return self.rule.rule_id

    @property
    def form_id(self) -> str | None:
        return self.rule.form_id

    @property
    def obligations(self) -> tuple[str, ...]:
        return self.rule.obligations


# --------------------------------------------------------------------------- loading
def _citation(raw: Mapping[str, Any]) -> Citation:
    return Citation(**{k: str(v) for k, v in raw.items()})


def _rule(raw: Mapping[str, Any], defaults: Mapping[str, Any]) -> AuthorityRule:
    scope = Scope(raw["scope"])
    gate_types = frozenset(GateType(g) for g in raw.get("gate_types") or ())
    if (scope is Scope.GATE) != bool(gate_types):
        raise ValueError("gate_types go with scope 'gate', and only there")
    allowed = bool(raw.get("allowed", True))
    issuer = IssuerRole(raw["issuer"]) if raw.get("issuer") else None
    if allowed and issuer is None:
        raise ValueError("an allowed act needs an issuer")
    return AuthorityRule(
        rule_id=str(raw["id"]),
        action=Action(raw["action"]),
        scope=scope,
        gate_types=gate_types,
        issuer=issuer,
        max_hours=None if raw.get("max_hours") is None else int(raw["max_hours"]),
        allowed=allowed,
        citation=_citation(raw["citation"]),
        form_id=None if raw.get("form") is None else str(raw["form"]),
        obligations=tuple(str(o) for o in raw.get("obligations") or ()),
        unconfirmed=bool(raw.get("unconfirmed", defaults.get("unconfirmed", True))),
        unconfirmed_reason=str(raw.get("unconfirmed_reason", defaults.get("unconfirmed_reason"))),
        note=" ".join(str(raw.get("note", "")).split()),
    )


def _clause(raw: Mapping[str, Any]) -> Clause:
    return Clause(str(raw["id"]), str(raw["text"]), _citation(raw["citation"]))


def parse_rulebook(data: Mapping[str, Any]) -> RuleBook:
    """Build the rule book from the parsed YAML; a malformed rule raises ``DataError``."""
    defaults = data.get("defaults") or {}
    rules = []
    for raw in data.get("rules") or ():
        try:
            rules.append(_rule(raw, defaults))
        except (KeyError, TypeError, ValueError) as exc:
            raise DataError(f"authority.yaml: rule {raw.get('id', '?')}: {exc!r}") from exc
    try:
        timing = _clause(data["extension_timing"])
        successive = _clause(data["successive_extensions"])
    except (KeyError, TypeError) as exc:
        raise DataError(f"authority.yaml: {exc!r}") from exc
    return RuleBook(tuple(rules), timing, successive)


@lru_cache(maxsize=1)
def load_rulebook() -> RuleBook:
    """The packaged rule book (``geo/decisions/authority.yaml``), parsed once."""
    text = files("geo.decisions").joinpath("authority.yaml").read_text(encoding="utf-8")
    return parse_rulebook(yaml.safe_load(text))


# --------------------------------------------------------------------------- checking
def _what(scope: Scope, gate_type: GateType | None) -> str:
    return f"{gate_type.value} gate" if scope is Scope.GATE and gate_type else scope.value


def _refuse(
    message: str, rules: Iterable[AuthorityRule], *, field: str = "issuer", **extra: Any
) -> AuthorityExceeded:
    """The error for an act beyond authority; ``detail`` has ``citation`` and ``rule_id``."""
    cited = tuple(rules)
    citation = "; ".join(dict.fromkeys(str(r.citation) for r in cited))
    rule_id = ", ".join(r.rule_id for r in cited)
    detail = {"citation": citation, "rule_id": rule_id, **extra}
    if any(r.unconfirmed for r in cited):
        message += " [2020 wording, UNCONFIRMED pending Law 98/2025 (OQ-01)]"
    return AuthorityExceeded(message, field=field, detail=detail)


def _match_issuer(
    rules: tuple[AuthorityRule, ...], role: IssuerRole, action: Action, what: str
) -> AuthorityRule:
    refusals = [r for r in rules if not r.allowed]
    if refusals:
        rule = refusals[0]
        raise _refuse(
            f"{rule.rule_id}: no power to {action.value} a {what} restriction "
            f"({rule.citation}): {rule.note}",
            [rule],
        )
    for rule in rules:
        if rule.issuer is role:
            return rule
    who = "; ".join(
        f"{r.issuer.value if r.issuer else '-'} up to "
        f"{'no stated maximum' if r.max_hours is None else f'{r.max_hours} h'} "
        f"({r.citation}, {r.rule_id})"
        for r in rules
    )
    raise _refuse(
        f"{role.value} may not {action.value} a {what} restriction; competent: {who or 'nobody'}",
        rules,
    )


def _check_duration(
    rule: AuthorityRule, duration: timedelta, what: str, field: str = "valid_to"
) -> float:
    hours = duration.total_seconds() / 3600
    limit = rule.max_duration
    if limit is not None and duration > limit:
        raise _refuse(
            f"{rule.rule_id}: {rule.issuer.value if rule.issuer else '-'} may "
            f"{rule.action.value} a {what} restriction for at most {rule.max_hours} h "
            f"({rule.citation}); this one lasts {hours:g} h",
            [rule],
            field=field,
            duration_hours=hours,
            max_hours=rule.max_hours,
        )
    return hours


def _rule_warnings(rule: AuthorityRule) -> list[str]:
    warnings = []
    if rule.max_hours is None:
        warnings.append(
            f"{rule.rule_id}: no maximum duration is stated in {rule.citation}; "
            "accepted without a limit"
        )
    elif rule.unconfirmed:
        warnings.append(
            f"{rule.rule_id}: the {rule.max_hours} h limit and the issuer follow "
            f"{rule.citation}, UNCONFIRMED — {rule.unconfirmed_reason}"
        )
    if rule.form_id is None:
        warnings.append(
            f"{rule.rule_id}: Circular 112/2025/TT-BQP has no form for this act (DEC-55)"
        )
    if rule.note:
        warnings.append(f"{rule.rule_id}: {rule.note}")
    return warnings


def _check_decision(decision: Decision, book: RuleBook) -> AuthorityVerdict:
    what = _what(decision.scope, decision.gate_type)
    rules = book.candidates(Action.DECIDE, decision.scope, decision.gate_type)
    rule = _match_issuer(rules, decision.issuer.role, Action.DECIDE, what)
    hours = _check_duration(rule, decision.valid_to - decision.valid_from, what)
    warnings = _rule_warnings(rule)
    if decision.valid_from < decision.signed_at:
        warnings.append(
            "valid_from is before signed_at: the forms take effect on signing "
            "(Form 17 Art 3; Appendix II Art 4)"
        )
    return AuthorityVerdict(rule, hours, tuple(warnings))


def _current_end(
    ext: Extension,
    decision: Decision,
    extensions: Iterable[Extension],
    revocation: Revocation | None,
) -> tuple[datetime, int]:
    """End of the period ``ext`` extends (from the acts signed before it) and their count."""
    prior = [e for e in extensions if e.number != ext.number and e.signed_at <= ext.signed_at]
    periods = extension_periods(decision, prior)
    current_end = periods[-1].end if periods else decision.valid_to
    earlier_acts = {decision.number, *(e.number for e in prior)}
    if (
        revocation is not None
        and revocation.revokes in earlier_acts
        and revocation.effective_at <= ext.signed_at
        and effective_window(decision, prior, revocation)[1] < current_end
    ):
        raise Conflict(
            f"{ext.number}: {revocation.revokes} was revoked by {revocation.number} "
            "before this extension was signed",
            field="extends",
        )
    return current_end, len(periods)


def _check_extension(
    ext: Extension,
    decision: Decision | None,
    extensions: Iterable[Extension],
    revocation: Revocation | None,
    book: RuleBook,
) -> AuthorityVerdict:
    if decision is None:
        raise InvalidInput("decision: checking an extension needs its decision", field="decision")
    if ext.extends != decision.number:
        raise InvalidInput(
            f"extends: {ext.number} extends {ext.extends}, not {decision.number}", field="extends"
        )
    what = _what(decision.scope, decision.gate_type)
    rules = book.candidates(Action.EXTEND, decision.scope, decision.gate_type)
    rule = _match_issuer(rules, ext.issuer.role, Action.EXTEND, what)
    current_end, earlier = _current_end(ext, decision, extensions, revocation)
    timing = book.extension_timing
    if ext.signed_at >= current_end:
        raise _refuse(
            f"{timing.rule_id}: {timing.text} ({timing.citation}); the period ended "
            f"{current_end.isoformat()}, the extension was signed "
            f"{ext.signed_at.isoformat()}",
            [rule],
            field="signed_at",
            citation=str(timing.citation),
            rule_id=timing.rule_id,
        )
    if ext.new_valid_to <= current_end:
        raise InvalidInput("new_valid_to: not after the current end", field="new_valid_to")
    hours = _check_duration(rule, ext.new_valid_to - current_end, what, "new_valid_to")
    warnings = _rule_warnings(rule)
    if earlier:
        extra = book.successive_extensions
        warnings.append(f"{extra.rule_id}: extension no. {earlier + 1}; {extra.text}")
    return AuthorityVerdict(rule, hours, tuple(warnings))


def check_authority(
    record: Decision | Extension,
    *,
    decision: Decision | None = None,
    extensions: Iterable[Extension] = (),
    revocation: Revocation | None = None,
    rulebook: RuleBook | None = None,
) -> AuthorityVerdict:
    """Check that the issuer of ``record`` may make it, and within the maximum duration.

    For an ``Extension`` pass its ``decision``, the other ``extensions`` of that decision and
    any ``revocation``. Raises ``AuthorityExceeded`` (message and ``detail`` cite the rule),
    ``Conflict`` (extending a revoked decision) or ``InvalidInput``.
    """
    book = rulebook or load_rulebook()
    if isinstance(record, Decision):
        return _check_decision(record, book)
    if isinstance(record, Extension):
        return _check_extension(record, decision, extensions, revocation, book)
    raise InvalidInput("record: a Decision or an Extension is required", field="record")
