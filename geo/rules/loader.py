"""Read ``catalogue.yaml`` (PyYAML) into a validated :class:`Catalogue`, once per path.

Every problem raises :class:`CatalogueError` (a :class:`geo.common.errors.DataError`) whose
message starts with the offending rule id, so a bad entry is found at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from importlib import resources
from os import PathLike
from pathlib import Path
from typing import Any

import yaml

from geo.common.errors import DataError, InvalidInput
from geo.common.zones import PersonCategory
from geo.rules.catalogue import Catalogue
from geo.rules.model import (
    Citation,
    DateBasis,
    Document,
    LeadTime,
    Rule,
    RuleKind,
    TimeUnit,
    parse_person,
    parse_zone_kind,
)

PACKAGED_NAME = "catalogue.yaml"
RULE_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
RULES_REF = re.compile(r"^[A-Z]+(-[A-Z]+)*-\d+$")
RULE_KEYS = frozenset(
    {
        "id",
        "kind",
        "zone_kinds",
        "persons",
        "text_en",
        "text_vi",
        "form",
        "lead_time",
        "citations",
        "effective_from",
        "effective_to",
        "unconfirmed",
        "unconfirmed_reason",
        "supersedes",
        "note",
    }
)
REQUIRED_RULE_KEYS = frozenset(
    {"id", "kind", "zone_kinds", "persons", "text_en", "text_vi", "citations", "effective_from"}
)
CITATION_KEYS = frozenset(
    {
        "document",
        "article",
        "clause",
        "point",
        "amends",
        "amended_by",
        "rules_ref",
        "source",
        "note",
    }
)
DOCUMENT_KEYS = frozenset(
    {"name", "title_vi", "effective_from", "date_basis", "date_source", "note"}
)


class CatalogueError(DataError):
    """The rule catalogue file is malformed; ``detail['rule_id']`` names the entry."""


def _fail(owner: str, message: str) -> CatalogueError:
    return CatalogueError(f"{owner}: {message}", field="catalogue", detail={"rule_id": owner})


def _text(raw: Any, owner: str, key: str) -> str | None:
    """An optional scalar read as text (YAML may give ints for article numbers)."""
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise _fail(owner, f"{key} must be text, got {raw!r}")
    return str(raw).strip() or None


def _date(raw: Any, owner: str, key: str) -> date:
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise _fail(owner, f"{key} must be an ISO date (YYYY-MM-DD), got {raw!r}") from None


def _check_keys(raw: Any, allowed: frozenset[str], owner: str, what: str) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise _fail(owner, f"{what} must be a mapping, got {type(raw).__name__}")
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise _fail(owner, f"unknown {what} field(s): {', '.join(map(str, unknown))}")
    return raw


def _parse_document(raw: Any) -> Document:
    name = str(raw.get("name", "?")) if isinstance(raw, Mapping) else "?"
    owner = f"document {name!r}"
    fields = _check_keys(raw, DOCUMENT_KEYS, owner, "document")
    try:
        return Document(
            name=str(fields["name"]),
            title_vi=str(fields["title_vi"]),
            effective_from=_date(fields["effective_from"], owner, "effective_from"),
            date_basis=DateBasis(fields["date_basis"]),
            date_source=str(fields["date_source"]),
            note=_text(fields.get("note"), owner, "note"),
        )
    except (KeyError, ValueError) as exc:
        raise _fail(owner, f"bad document entry ({exc})") from None


def _parse_citation(raw: Any, owner: str, documents: Mapping[str, Document]) -> Citation:
    fields = _check_keys(raw, CITATION_KEYS, owner, "citation")
    values = {key: _text(fields.get(key), owner, f"citation.{key}") for key in CITATION_KEYS}
    if values["document"] not in documents:
        raise _fail(owner, f"citation names undeclared document {values['document']!r}")
    rules_ref = values["rules_ref"]
    if not rules_ref or not RULES_REF.match(rules_ref):
        raise _fail(owner, f"citation needs a RULES.md id as rules_ref, got {rules_ref!r}")
    try:
        return Citation(**values)  # type: ignore[arg-type]  # required keys checked above
    except (TypeError, ValueError) as exc:
        raise _fail(owner, str(exc)) from None


def _parse_lead_time(raw: Any, owner: str) -> LeadTime | None:
    if raw is None:
        return None
    fields = _check_keys(raw, frozenset({"amount", "unit", "before", "after"}), owner, "lead_time")
    try:
        return LeadTime(
            amount=fields.get("amount"),  # type: ignore[arg-type]  # LeadTime checks it
            unit=TimeUnit(str(fields.get("unit"))),
            before=_text(fields.get("before"), owner, "lead_time.before"),
            after=_text(fields.get("after"), owner, "lead_time.after"),
        )
    except ValueError as exc:
        raise _fail(owner, f"bad lead_time ({exc}); units: working_days, days, hours") from None


def _parse_persons(raw: Any, owner: str) -> tuple[PersonCategory, ...]:
    if raw == "all":
        return tuple(PersonCategory)
    if not isinstance(raw, list) or not raw:
        raise _fail(owner, "persons must be 'all' or a non-empty list")
    try:
        return tuple(parse_person(item) for item in raw)
    except InvalidInput as exc:
        raise _fail(owner, exc.message) from None


def _parse_enums(fields: Mapping[str, Any], owner: str) -> dict[str, Any]:
    zone_kinds = fields["zone_kinds"]
    if not isinstance(zone_kinds, list) or not zone_kinds:
        raise _fail(owner, "zone_kinds must be a non-empty list")
    try:
        return {
            "kind": RuleKind(fields["kind"]),
            "zone_kinds": tuple(parse_zone_kind(item) for item in zone_kinds),
        }
    except InvalidInput as exc:
        raise _fail(owner, exc.message) from None
    except ValueError:
        raise _fail(
            owner,
            f"unknown kind {fields['kind']!r}; valid kinds are: "
            + ", ".join(kind.value for kind in RuleKind),
        ) from None


def _parse_rule(raw: Any, documents: Mapping[str, Document]) -> Rule:
    owner = str(raw.get("id", "<rule without id>")) if isinstance(raw, Mapping) else "<rule>"
    fields = _check_keys(raw, RULE_KEYS, owner, "rule")
    missing = sorted(REQUIRED_RULE_KEYS - set(fields))
    if missing:
        raise _fail(owner, f"missing field(s): {', '.join(missing)}")
    if not RULE_ID.match(owner):
        raise _fail(owner, "id must be dotted lower-case words, e.g. belt.organisation.notify")
    citations = fields["citations"]
    if not isinstance(citations, list) or not citations:
        raise _fail(owner, "a rule needs at least one citation")
    try:
        return Rule(
            id=owner,
            **_parse_enums(fields, owner),
            persons=_parse_persons(fields["persons"], owner),
            text_en=str(fields["text_en"]).strip(),
            text_vi=str(fields["text_vi"]).strip(),
            citations=tuple(_parse_citation(item, owner, documents) for item in citations),
            effective_from=_date(fields["effective_from"], owner, "effective_from"),
            effective_to=(
                _date(fields["effective_to"], owner, "effective_to")
                if fields.get("effective_to") is not None
                else None
            ),
            form=_text(fields.get("form"), owner, "form"),
            lead_time=_parse_lead_time(fields.get("lead_time"), owner),
            unconfirmed=fields.get("unconfirmed", False) is True,
            unconfirmed_reason=_text(fields.get("unconfirmed_reason"), owner, "unconfirmed_reason"),
            supersedes=_text(fields.get("supersedes"), owner, "supersedes"),
            note=_text(fields.get("note"), owner, "note"),
        )
    except ValueError as exc:
        raise _fail(owner, str(exc)) from None


def _check_links(rules: tuple[Rule, ...], documents: Mapping[str, Document]) -> None:
    """Unique ids; supersession links meet exactly; no rule older than all it cites."""
    by_id: dict[str, Rule] = {}
    for rule in rules:
        if rule.id in by_id:
            raise _fail(rule.id, "duplicate rule id")
        by_id[rule.id] = rule
    for rule in rules:
        earliest = min(documents[c.document].effective_from for c in rule.citations)
        if rule.effective_from < earliest:
            raise _fail(
                rule.id,
                f"effective_from {rule.effective_from} precedes every cited "
                f"document (earliest {earliest})",
            )
        if rule.supersedes is None:
            continue
        old = by_id.get(rule.supersedes)
        if old is None:
            raise _fail(rule.id, f"supersedes unknown rule {rule.supersedes!r}")
        if old.effective_to != rule.effective_from:
            raise _fail(
                rule.id,
                f"supersedes {old.id}, whose effective_to ({old.effective_to}) "
                f"must equal this rule's effective_from ({rule.effective_from})",
            )


def parse_catalogue(raw: Any) -> Catalogue:
    """Validate the parsed YAML document and build the catalogue."""
    top_keys = frozenset({"schema", "about", "documents", "rules", "not_applicable"})
    body = _check_keys(raw, top_keys, "<file>", "top")
    if body.get("schema") != 1:
        raise _fail("<file>", f"unsupported schema {body.get('schema')!r} (expected 1)")
    documents = {doc.name: doc for doc in map(_parse_document, body.get("documents") or [])}
    entries = body.get("rules")
    if not isinstance(entries, list) or not entries:
        raise _fail("<file>", "'rules' must be a non-empty list")
    rules = tuple(_parse_rule(entry, documents) for entry in entries)
    _check_links(rules, documents)
    cited = {citation.rules_ref for rule in rules for citation in rule.citations}
    return Catalogue(rules, documents, _parse_not_applicable(body.get("not_applicable"), cited))


def _parse_not_applicable(raw: Any, cited: set[str]) -> dict[str, str]:
    """RULES.md IDs no catalogue rule rests on, each with the reason (``ids`` + ``reason``)."""
    found: dict[str, str] = {}
    for group in raw or []:
        fields = _check_keys(group, frozenset({"ids", "reason"}), "not_applicable", "entry")
        reason = _text(fields.get("reason"), "not_applicable", "reason")
        ids = fields.get("ids")
        if not reason or not isinstance(ids, list) or not ids:
            raise _fail("not_applicable", "each entry needs a list of ids and a reason")
        for ref in map(str, ids):
            if not RULES_REF.match(ref) or ref in found or ref in cited:
                raise _fail("not_applicable", f"{ref!r} is malformed, repeated or cited by a rule")
            found[ref] = " ".join(reason.split())
    return found


@lru_cache(maxsize=8)
def _load(path: str | None) -> Catalogue:
    if path is None:
        text = resources.files("geo.rules").joinpath(PACKAGED_NAME).read_text(encoding="utf-8")
    else:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise CatalogueError(f"cannot read rule catalogue {path}: {exc}") from exc
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CatalogueError(f"rule catalogue is not valid YAML: {exc}") from exc
    return parse_catalogue(raw)


def load_catalogue(path: str | PathLike[str] | None = None) -> Catalogue:
    """The catalogue from ``path``, or the packaged ``geo/rules/catalogue.yaml`` when None.

    Parsed and validated once per path, then cached (the result is immutable).
    """
    return _load(None if path is None else str(Path(path).resolve()))


#: Public names for the other catalogue files (``crossings.yaml``) that cite the same way.
parse_citation = _parse_citation
parse_document = _parse_document
check_keys = _check_keys
