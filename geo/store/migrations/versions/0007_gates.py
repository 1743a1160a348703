"""gates: working hours set by instrument, and emergency openings, as legal records

Revision ID: 0007
Revises: 0006

RULES.md §4.5. ``gate_hours`` holds the daily working hours of a gate (Hanoi time, minutes
after midnight, half-open ``[opens_min, closes_min)``) from ``valid_from`` on, each row set
by an officer with the instrument that set them; a later row supersedes an earlier one from
its own ``valid_from``. ``gate_emergency_opening`` records the opening of a gate outside its
hours for urgent reasons (DEC-63). Both are append-only (``borderzone_append_only()`` of
migration 0002, SQLSTATE BZ001); every insert is also in the audit log.
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TABLES = ("gate_hours", "gate_emergency_opening")
REASONS = ("'defence', 'security', 'natural_disaster', 'fire', 'emergency_rescue', "
           "'pursuit_of_criminals', 'force_majeure'")


def _recorded() -> list[sa.Column]:
    return [
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
        sa.Column("recorded_by", sa.Text(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "gate_hours",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("gate_id", sa.Text(), sa.ForeignKey("gate.id"), nullable=False),
        sa.Column("opens_min", sa.Integer(), nullable=False),
        sa.Column("closes_min", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("instrument", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        *_recorded(),
        sa.CheckConstraint("opens_min >= 0 AND opens_min < closes_min AND closes_min <= 1440",
                           name="ck_gate_hours_window"),
        sa.CheckConstraint("length(instrument) > 0", name="ck_gate_hours_instrument"),
    )
    op.create_table(
        "gate_emergency_opening",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("number", sa.Text(), nullable=False),
        sa.Column("gate_id", sa.Text(), sa.ForeignKey("gate.id"), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("reason_text", sa.Text(), nullable=False),
        sa.Column("agreed_with", sa.Text(), nullable=False),
        sa.Column("ordered_by", sa.Text(), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=False),
        *_recorded(),
        sa.UniqueConstraint("number", name="uq_gate_emergency_opening_number"),
        sa.CheckConstraint("valid_to > valid_from", name="ck_gate_emergency_opening_window"),
        sa.CheckConstraint(f"reason IN ({REASONS})", name="ck_gate_emergency_opening_reason"),
    )
    op.create_index("ix_gate_hours_gate", "gate_hours", ["gate_id", "valid_from"])
    op.create_index("ix_gate_emergency_opening_gate", "gate_emergency_opening",
                    ["gate_id", "valid_from"])
    for table in TABLES:
        op.execute(f"CREATE TRIGGER trg_{table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                   "FOR EACH ROW EXECUTE FUNCTION borderzone_append_only()")
        op.execute(f"CREATE TRIGGER trg_{table}_no_truncate BEFORE TRUNCATE ON {table} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION borderzone_append_only()")


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
