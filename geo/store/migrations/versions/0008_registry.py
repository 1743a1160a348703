"""registry: zones as versioned legal records; gate locations, versioned

Revision ID: 0008
Revises: 0007 (0007_gates)

``zone`` rows become versions of a registry record: ``record_id`` (the id of its first
version; NULL for rows written before, which stand alone), ``version``, the instrument
(number, date, issuer, authority level, the establishing rule), protection rules and
managing unit, the geometry as written (source CRS) and the intake report, who recorded
it, and — once a later version or a retirement closes it — ``closed_reason`` with the
stated end kept in ``valid_to_stated`` (``valid_to`` is when the version actually ends).

``gate_location``: every location recorded for a gate (point, source, accuracy), versions
closed by the next (``superseded_at``); ``gate.location`` holds the current one.
"""
import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

ZONE_COLUMNS = (
    ("record_id", sa.Integer()), ("instrument_number", sa.Text()),
    ("instrument_date", sa.Date()), ("issuer", sa.Text()), ("authority_level", sa.Text()),
    ("rule_id", sa.Text()), ("protection_rules_ref", sa.Text()), ("managing_unit", sa.Text()),
    ("valid_to_stated", sa.DateTime(timezone=True)), ("closed_reason", sa.Text()),
    ("closed_by", sa.Text()), ("recorded_by", sa.Text()),
    ("written", postgresql.JSONB()), ("intake", postgresql.JSONB()),
)
SOURCES = "'survey', 'officer_report', 'gazetteer'"


def upgrade() -> None:
    for name, kind in ZONE_COLUMNS:
        op.add_column("zone", sa.Column(name, kind, nullable=True))
    op.add_column("zone", sa.Column("version", sa.Integer(), nullable=False,
                                    server_default="1"))
    op.create_unique_constraint("uq_zone_record_version", "zone", ["record_id", "version"])
    op.create_check_constraint("ck_zone_closed_reason", "zone",
                               "closed_reason IS NULL OR closed_reason IN ('amended', 'retired')")
    op.create_table(
        "gate_location",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("gate_id", sa.Text(), sa.ForeignKey("gate.id"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("geom", Geometry("POINT", srid=4326, spatial_index=False), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("accuracy_m", sa.Float(), nullable=False),
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.Column("superseded_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("gate_id", "version", name="uq_gate_location_version"),
        sa.CheckConstraint(f"source IN ({SOURCES})", name="ck_gate_location_source"),
        sa.CheckConstraint("accuracy_m > 0", name="ck_gate_location_accuracy"),
    )
    op.create_index("ix_gate_location_geom_gist", "gate_location", ["geom"],
                    postgresql_using="gist")


def downgrade() -> None:
    op.drop_index("ix_gate_location_geom_gist", table_name="gate_location")
    op.drop_table("gate_location")
    op.drop_constraint("ck_zone_closed_reason", "zone", type_="check")
    op.drop_constraint("uq_zone_record_version", "zone", type_="unique")
    op.drop_column("zone", "version")
    for name, _ in reversed(ZONE_COLUMNS):
        op.drop_column("zone", name)
