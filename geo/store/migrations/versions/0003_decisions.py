"""decisions: restriction decisions, extensions, revocations and their event log

Revision ID: 0003
Revises: 0002

Legal records (issue 4): every table refuses UPDATE, DELETE and TRUNCATE through
``borderzone_append_only()`` of migration 0002 (SQLSTATE BZ001). Inserts bump
``data_version`` and NOTIFY ``borderzone_zones`` (``bump_data_version()`` of 0001) so the
location index picks up new decisions and changed windows.
"""
import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TABLES = ("decision", "decision_extension", "decision_revocation", "decision_event")
KINDS = "'restrict', 'suspend'"
SCOPES = "'border_belt', 'land_border_area', 'gate'"


def _issuer() -> list[sa.Column]:
    return [
        sa.Column("issuer_role", sa.Text(), nullable=False),
        sa.Column("issuer_unit", sa.Text(), nullable=False),
        sa.Column("signer_name", sa.Text(), nullable=False),
        sa.Column("signer_rank", sa.Text(), server_default="", nullable=False),
        sa.Column("signer_title", sa.Text(), nullable=False),
    ]


def _paperwork() -> list[sa.Column]:
    return [
        sa.Column("reason_text", sa.Text(), nullable=False),
        sa.Column("legal_basis", postgresql.ARRAY(sa.Text()), server_default="{}",
                  nullable=False),
        sa.Column("recipients", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
    ]


def _recorded() -> list[sa.Column]:
    return [
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
        sa.Column("recorded_by", sa.Text(), nullable=False),
    ]


def _jsonb(name: str, default: str | None = None) -> sa.Column:
    return sa.Column(name, postgresql.JSONB(astext_type=sa.Text()), nullable=False,
                     server_default=default)


def upgrade() -> None:
    op.create_geospatial_table(
        "decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("activities", postgresql.ARRAY(sa.Text()), nullable=False),
        _jsonb("area_spec"),
        sa.Column("area_text", sa.Text(), nullable=False),
        sa.Column("area_m2", sa.Float(), nullable=False),
        sa.Column("geom", Geometry(geometry_type="MULTIPOLYGON", srid=4326,
                                   spatial_index=False), nullable=False),
        *_issuer(),
        sa.Column("province_code", sa.Text(), nullable=False),
        sa.Column("gate_id", sa.Text(), nullable=True),
        sa.Column("gate_type", sa.Text(), nullable=True),
        sa.Column("reason_code", sa.Text(), nullable=False),
        *_paperwork(),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rule_id", sa.Text(), nullable=False),
        sa.Column("citation", sa.Text(), nullable=False),
        _jsonb("warnings", "[]"),
        *_recorded(),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number", name="uq_decision_number"),
        sa.CheckConstraint("valid_to > valid_from", name="ck_decision_window"),
        sa.CheckConstraint(f"kind IN ({KINDS})", name="ck_decision_kind"),
        sa.CheckConstraint(f"scope IN ({SCOPES})", name="ck_decision_scope"),
        sa.CheckConstraint("(scope = 'gate') = (gate_id IS NOT NULL AND gate_type IS NOT NULL)",
                           name="ck_decision_gate"),
    )
    op.create_table(
        "decision_extension",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), sa.ForeignKey("decision.id"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("number", sa.Text(), nullable=False),
        sa.Column("new_valid_to", sa.DateTime(timezone=True), nullable=False),
        *_issuer(),
        *_paperwork(),
        sa.Column("rule_id", sa.Text(), nullable=False),
        sa.Column("citation", sa.Text(), nullable=False),
        _jsonb("warnings", "[]"),
        *_recorded(),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number", name="uq_decision_extension_number"),
        sa.UniqueConstraint("decision_id", "seq", name="uq_decision_extension_seq"),
        sa.CheckConstraint("seq >= 1", name="ck_decision_extension_seq"),
    )
    op.create_table(
        "decision_revocation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), sa.ForeignKey("decision.id"), nullable=False),
        sa.Column("number", sa.Text(), nullable=False),
        sa.Column("revokes", sa.Text(), nullable=False),
        sa.Column("effective_at", sa.DateTime(timezone=True), nullable=False),
        *_issuer(),
        *_paperwork(),
        *_recorded(),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number", name="uq_decision_revocation_number"),
        sa.UniqueConstraint("decision_id", name="uq_decision_revocation_decision"),
    )
    op.create_table(
        "decision_event",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("decision_id", sa.Integer(), sa.ForeignKey("decision.id"), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("act_number", sa.Text(), nullable=False),
        _jsonb("payload"),
        *_recorded(),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("act_number", name="uq_decision_event_act_number"),
        sa.CheckConstraint("kind IN ('issued', 'extended', 'revoked')",
                           name="ck_decision_event_kind"),
    )
    _indexes_and_triggers()


def _indexes_and_triggers() -> None:
    op.create_index("ix_decision_geom_gist", "decision", ["geom"], postgresql_using="gist")
    op.create_index("ix_decision_province", "decision", ["province_code"])
    op.create_index("ix_decision_valid", "decision", ["valid_from", "valid_to"])
    op.create_index("ix_decision_recorded_at", "decision", ["recorded_at"])
    op.create_index("ix_decision_extension_decision", "decision_extension", ["decision_id"])
    op.create_index("ix_decision_event_decision", "decision_event",
                    ["decision_id", "recorded_at"])
    for table in TABLES:
        # legal records: refuse changes (function of migration 0002, SQLSTATE BZ001)
        op.execute(f"CREATE TRIGGER trg_{table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                   "FOR EACH ROW EXECUTE FUNCTION borderzone_append_only()")
        op.execute(f"CREATE TRIGGER trg_{table}_no_truncate BEFORE TRUNCATE ON {table} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION borderzone_append_only()")
    for table in TABLES[:3]:
        # windows change: the location index must refresh (function of migration 0001)
        op.execute(f"CREATE TRIGGER trg_{table}_version AFTER INSERT ON {table} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version()")


def downgrade() -> None:
    for table in reversed(TABLES[1:]):
        op.drop_table(table)
    op.drop_geospatial_table("decision")
