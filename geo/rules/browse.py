"""The rule set as a reader sees it: the rules in force at an instant (for ``GET /v1/rules``
and ``borderzone rules``) and ``docs/rules.md``, generated from the catalogue and the
authority limits so that it never goes stale (a test regenerates it and compares).

Dates are Hanoi calendar dates; an instant is read on the Hanoi calendar.
"""

from __future__ import annotations

from datetime import date, datetime

from geo.common.zones import PersonCategory, ZoneKind
from geo.decisions.authority import RuleBook, load_rulebook
from geo.rules.catalogue import Catalogue
from geo.rules.loader import load_catalogue
from geo.rules.model import Rule, local_date, parse_person, parse_zone_kind


def rules_at(on: date | datetime, zone: ZoneKind | str | None = None,
             person: PersonCategory | str | None = None,
             catalogue: Catalogue | None = None) -> dict:
    """Every rule in force on the Hanoi date of ``on``, optionally only those listed for
    ``zone`` and/or ``person``, in reader order, as JSON-ready dicts with citations, RULES.md
    IDs and flags. Unknown ``zone``/``person`` raise InvalidInput naming the field."""
    catalogue = catalogue or load_catalogue()
    kind = parse_zone_kind(zone) if zone is not None else None
    category = parse_person(person) if person is not None else None
    day = local_date(on)
    found = [rule for rule in catalogue.in_force(day)
             if (kind is None or kind in rule.zone_kinds)
             and (category is None or category in rule.persons)]
    return {"on": day.isoformat(), "zone_kind": kind.value if kind else None,
            "person": category.value if category else None, "count": len(found),
            "rules": [rule.to_dict() for rule in catalogue.reader_order(found)]}


def authority_ids(book: RuleBook | None = None) -> frozenset[str]:
    """RULES.md IDs the authority limits rest on (``geo/decisions/authority.yaml``)."""
    book = book or load_rulebook()
    ids = {rule.rule_id for rule in book.rules if not rule.rule_id.endswith("-EXT")}
    return frozenset(ids | {book.extension_timing.rule_id, book.successive_extensions.rule_id})


def _cell(text: str | None) -> str:
    return " ".join((text or "—").split()).replace("|", "\\|")


def _rule_lines(rule: Rule) -> list[str]:
    until = rule.effective_to.isoformat() if rule.effective_to else "open"
    lines = [f"### `{rule.id}`", "",
             f"- **{rule.kind.value}** · in force {rule.effective_from.isoformat()} → {until}"
             + (f" · supersedes `{rule.supersedes}`" if rule.supersedes else ""),
             f"- zones: {', '.join(k.value for k in rule.zone_kinds)}",
             f"- persons: {', '.join(p.value for p in rule.persons)}",
             f"- RULES.md: {', '.join(rule.rules_refs)}", "", _cell(rule.text_en), ""]
    if rule.form:
        lines.insert(5, f"- form: {_cell(rule.form)}")
    if rule.lead_time:
        lead = rule.lead_time
        edge = f"before {lead.before}" if lead.before else f"after {lead.after}"
        lines.insert(5, f"- time limit: {lead.amount} {lead.unit.value} {edge}")
    if rule.unconfirmed:
        lines += [f"> **UNCONFIRMED** — {_cell(rule.unconfirmed_reason)}", ""]
    lines += ["Sources:", ""]
    lines += [f"- {c.label} [{c.rules_ref}]" + (f", amends {c.amends}" if c.amends else "")
              + (f", as amended by {c.amended_by}" if c.amended_by else "")
              + (f" — {_cell(c.source)}" if c.source else "") for c in rule.citations]
    return [*lines, ""]


def _authority_lines(book: RuleBook) -> list[str]:
    lines = ["## Authority limits of restriction decisions", "",
             "From `geo/decisions/authority.yaml` (Law 66/2020/QH14 Art 11, 2020 wording).", "",
             "| RULES.md | action | scope | gate types | issuer | max hours | citation | flag |",
             "|---|---|---|---|---|---|---|---|"]
    for r in book.rules:
        gates = ", ".join(sorted(g.value for g in r.gate_types)) or "—"
        issuer = r.issuer.value if r.issuer else "—"
        hours = "—" if r.max_hours is None else str(r.max_hours)
        if not r.allowed:
            hours = "not allowed"
        flag = f"UNCONFIRMED: {_cell(r.unconfirmed_reason)}" if r.unconfirmed else "—"
        lines.append(f"| {r.rule_id} | {r.action.value} | {r.scope.value} | {gates} | {issuer} "
                     f"| {hours} | {_cell(str(r.citation))} | {flag} |")
    for clause in (book.extension_timing, book.successive_extensions):
        lines.append(f"| {clause.rule_id} | — | — | — | — | — | {_cell(str(clause.citation))} "
                     f"| {_cell(clause.text)} |")
    return [*lines, ""]


def rules_markdown(catalogue: Catalogue | None = None, book: RuleBook | None = None) -> str:
    """``docs/rules.md``: every rule with its sources, the authority limits, the documents
    and the RULES.md IDs no rule rests on with the reason."""
    catalogue = catalogue or load_catalogue()
    book = book or load_rulebook()
    lines = ["# Rules borderzone answers with", "",
             "Generated from `geo/rules/catalogue.yaml` and `geo/decisions/authority.yaml` by "
             "`borderzone rules --markdown > docs/rules.md`; do not edit by hand (a test "
             "regenerates it). Not legal advice. RULES.md IDs refer to the research catalogue "
             "RULES.md; dates are Hanoi calendar dates; a rule is in force from its first date "
             "up to, not including, its last.", "",
             f"{len(catalogue)} rule versions; {sum(r.unconfirmed for r in catalogue)} flagged "
             "UNCONFIRMED.", "", "## Documents", "",
             "| document | date used | basis | where the date was read |", "|---|---|---|---|"]
    lines += [f"| {d.name} | {d.effective_from.isoformat()} | {d.date_basis.value} "
              f"| {_cell(d.date_source)} |" for d in catalogue.documents.values()]
    lines += ["", "## Rules", "", "In catalogue order; answers list them in reader order "
              "(obligations, prohibitions, permissions, information).", ""]
    for rule in catalogue:
        lines += _rule_lines(rule)
    lines += _authority_lines(book)
    lines += ["## RULES.md IDs not applied as a rule", "", "| RULES.md | reason |", "|---|---|"]
    lines += [f"| {ref} | {_cell(reason)} |" for ref, reason in catalogue.not_applicable.items()]
    return "\n".join([*lines, ""])
