"""Which issuer may establish which kind of zone: the rules of ``authority.yaml``, each with
the citations of its RULES.md id taken from the rule catalogue (``geo.rules``), so the two
never drift apart.

A record whose issuer does not fit its kind is refused (``AuthorityExceeded``, 422, naming
who may and citing the rules). A rule the catalogue marks UNCONFIRMED is applied as written
and warns, with the catalogue's reason. GEO-PZ-05 (no statutory extent for prohibited zones)
means no size check: the geometry is whatever the instrument defines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from importlib.resources import files

import yaml

from geo.common.errors import AuthorityExceeded, DataError
from geo.common.timeutil import to_hanoi
from geo.common.zones import ZoneKind
from geo.registry.kinds import Issuer
from geo.rules.loader import load_catalogue


@dataclass(frozen=True)
class EstablishingRule:
    """One issuer's power over one kind, with its citations (labels) from the catalogue."""

    id: str
    kind: ZoneKind
    issuer: Issuer
    text: str
    catalogue_rule: str
    citations: tuple[str, ...]
    unconfirmed_reason: str | None = None
    notice_days: int | None = None


@dataclass(frozen=True)
class Verdict:
    """What the check found: the rule applied, its citations, and warnings."""

    rule: EstablishingRule
    warnings: tuple[str, ...] = ()

    @property
    def citation(self) -> str:
        return "; ".join(self.rule.citations)


def _rule(raw: dict) -> EstablishingRule:
    entry = load_catalogue().get(raw["catalogue_rule"])
    cites = tuple(c.label for c in entry.citations if c.rules_ref == raw["id"])
    if not cites:
        raise DataError(f"authority.yaml {raw['id']}: catalogue rule {raw['catalogue_rule']} "
                        f"cites nothing under {raw['id']}")
    return EstablishingRule(raw["id"], ZoneKind(raw["kind"]), Issuer(raw["issuer"]),
                            " ".join(str(raw["text"]).split()), raw["catalogue_rule"], cites,
                            entry.unconfirmed_reason if entry.unconfirmed else None,
                            raw.get("notice_days"))


@lru_cache(maxsize=1)
def rules() -> tuple[EstablishingRule, ...]:
    """Every establishing rule, loaded once."""
    raw = yaml.safe_load(files("geo.registry").joinpath("authority.yaml").read_text("utf-8"))
    return tuple(_rule(r) for r in raw["rules"])


def who_may(kind: ZoneKind) -> tuple[EstablishingRule, ...]:
    return tuple(r for r in rules() if r.kind == kind)


def check(kind: ZoneKind, issuer: Issuer, instrument_date: date,
          valid_from: datetime) -> Verdict:
    """The rule under which ``issuer`` establishes ``kind``; ``AuthorityExceeded`` if none."""
    fitting = [r for r in who_may(kind) if r.issuer == issuer]
    if not fitting:
        allowed = who_may(kind)
        names = "; ".join(f"{r.issuer.value} ({r.id}: {r.citations[0]})" for r in allowed)
        raise AuthorityExceeded(
            f"issuer: {issuer.value} does not establish {kind.value}; it is for {names}",
            field="issuer", detail={"rule_id": allowed[0].id if allowed else None,
                                    "citation": "; ".join(c for r in allowed
                                                          for c in r.citations)})
    rule = fitting[0]
    warnings = []
    if rule.unconfirmed_reason:
        warnings.append(f"{rule.id} is UNCONFIRMED: {rule.unconfirmed_reason}")
    if rule.notice_days is not None:
        lead = (to_hanoi(valid_from).date() - instrument_date).days
        if lead < rule.notice_days:
            warnings.append(f"{rule.id}: published {lead} day(s) before it applies, fewer "
                            f"than the {rule.notice_days} a Notice to Mariners needs (only "
                            "an emergency allows that)")
    return Verdict(rule, tuple(warnings))
