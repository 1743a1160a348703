"""Tables of restriction decisions (migration 0003), on the shared ``models.metadata``.

Legal records: rows are inserted, never updated or deleted (triggers refuse both). An
extension or a revocation is a row of its own linked to its decision; every act also appends
one ``decision_event`` (who, when, what). ``recorded_at`` is transaction time (the database's
``now()`` of the recording transaction); valid time is in the decision's own fields.
Geometry: ``decision.geom`` is the area in force (the written area clipped to the decision's
scope within its province, migration 0011), ``decision.written_geom`` the area as written
(NULL on rows recorded before 0011); both MultiPolygon, EPSG:4326 (lon, lat); areas geodesic m².
A revocation row is unique per revoked act (the decision or one extension).
"""

from __future__ import annotations

from geoalchemy2 import Geometry
from sqlalchemy import (
    ARRAY,
    BigInteger,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB

from geo.store.models import metadata


def _issuer() -> list[Column]:
    return [
        Column("issuer_role", Text, nullable=False),
        Column("issuer_unit", Text, nullable=False),
        Column("signer_name", Text, nullable=False),
        Column("signer_rank", Text, nullable=False, server_default=""),
        Column("signer_title", Text, nullable=False),
    ]


def _paperwork() -> list[Column]:
    return [
        Column("reason_text", Text, nullable=False),
        Column("legal_basis", ARRAY(Text), nullable=False, server_default="{}"),
        Column("recipients", JSONB, nullable=False),
        Column("signed_at", DateTime(timezone=True), nullable=False),
    ]


def _recorded() -> list[Column]:
    return [
        Column("recorded_at", DateTime(timezone=True), nullable=False,
               server_default=func.now()),
        Column("recorded_by", Text, nullable=False),
    ]


decision = Table(
    "decision", metadata,
    Column("id", Integer, primary_key=True),
    Column("number", Text, nullable=False, unique=True),
    Column("kind", Text, nullable=False),  # restrict | suspend
    Column("scope", Text, nullable=False),  # border_belt | land_border_area | gate
    Column("activities", ARRAY(Text), nullable=False),
    Column("area_spec", JSONB, nullable=False),  # AreaSpec as given
    Column("area_text", Text, nullable=False),  # the area as the forms write it
    Column("area_m2", Float, nullable=False),  # geodesic
    Column("geom", Geometry("MULTIPOLYGON", srid=4326, spatial_index=False), nullable=False),
    Column("written_geom", Geometry("MULTIPOLYGON", srid=4326, spatial_index=False)),
    Column("written_area_m2", Float),
    *_issuer(),
    Column("province_code", Text, nullable=False),
    Column("gate_id", Text),
    Column("gate_type", Text),
    Column("reason_code", Text, nullable=False),
    *_paperwork(),
    Column("valid_from", DateTime(timezone=True), nullable=False),
    Column("valid_to", DateTime(timezone=True), nullable=False),
    Column("rule_id", Text, nullable=False),
    Column("citation", Text, nullable=False),
    Column("warnings", JSONB, nullable=False, server_default="[]"),
    *_recorded(),
)

decision_extension = Table(
    "decision_extension", metadata,
    Column("id", Integer, primary_key=True),
    Column("decision_id", Integer, ForeignKey("decision.id"), nullable=False),
    Column("seq", Integer, nullable=False),  # 1, 2, ... per decision
    Column("number", Text, nullable=False, unique=True),
    Column("new_valid_to", DateTime(timezone=True), nullable=False),
    *_issuer(),
    *_paperwork(),
    Column("rule_id", Text, nullable=False),
    Column("citation", Text, nullable=False),
    Column("warnings", JSONB, nullable=False, server_default="[]"),
    *_recorded(),
    UniqueConstraint("decision_id", "seq", name="uq_decision_extension_seq"),
)

decision_revocation = Table(
    "decision_revocation", metadata,
    Column("id", Integer, primary_key=True),
    Column("decision_id", Integer, ForeignKey("decision.id"), nullable=False),
    Column("number", Text, nullable=False, unique=True),
    Column("revokes", Text, nullable=False),  # the decision's or one extension's number
    Column("effective_at", DateTime(timezone=True), nullable=False),
    *_issuer(),
    *_paperwork(),
    *_recorded(),
    UniqueConstraint("decision_id", "revokes", name="uq_decision_revocation_act"),
)

#: Append-only log of every act: one row per decision, extension or revocation recorded.
#: ``act_number`` is unique, so no two acts (of any kind) share a number.
decision_event = Table(
    "decision_event", metadata,
    Column("id", BigInteger, primary_key=True),
    Column("decision_id", Integer, ForeignKey("decision.id"), nullable=False),
    Column("kind", Text, nullable=False),  # issued | extended | revoked
    Column("act_number", Text, nullable=False, unique=True),
    Column("payload", JSONB, nullable=False),
    *_recorded(),
)

DECISION_TABLES = ("decision", "decision_extension", "decision_revocation", "decision_event")
