"""security: users, API keys, append-only audit log, protected legal records

Revision ID: 0002
Revises: 0001

Functions other migrations may attach to their legal-record tables:

* ``borderzone_append_only()`` — a BEFORE UPDATE OR DELETE (row) or BEFORE TRUNCATE
  (statement) trigger function that refuses the change (SQLSTATE BZ001).
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

#: SQLSTATE raised when a protected row would be changed; geo.store maps it to Conflict.
REFUSED = "BZ001"


def upgrade() -> None:
    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("roles", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("provinces", postgresql.ARRAY(sa.Text()), server_default="{}",
                  nullable=False),
        sa.Column("gate_types", postgresql.ARRAY(sa.Text()), server_default="{}",
                  nullable=False),
        sa.Column("active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "api_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.Text(), nullable=False),
        sa.Column("key_hash", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key_id"),
        sa.UniqueConstraint("key_hash"),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
        sa.Column("who", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("key_id", sa.Text(), nullable=True),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("entity", sa.Text(), nullable=False),
        sa.Column("entity_id", sa.Text(), nullable=True),
        sa.Column("before", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("after", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_entity", "audit_log", ["entity", "entity_id"])
    op.create_index("ix_audit_log_who", "audit_log", ["who"])
    op.create_index("ix_api_key_user", "api_key", ["user_id"])
    _protections()


def _protections() -> None:
    op.execute(f"""
        CREATE FUNCTION borderzone_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% on %: rows of this table are never changed or deleted',
                TG_OP, TG_TABLE_NAME USING ERRCODE = '{REFUSED}';
        END $$""")
    op.execute("CREATE TRIGGER trg_audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
               "FOR EACH ROW EXECUTE FUNCTION borderzone_append_only()")
    op.execute("CREATE TRIGGER trg_audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
               "FOR EACH STATEMENT EXECUTE FUNCTION borderzone_append_only()")
    # An approved (or superseded) checkpoint area is a legal record: never deleted, and
    # edited only to close it (status approved -> superseded, valid_to set).
    op.execute(f"""
        CREATE FUNCTION borderzone_protect_checkpoint_area() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF OLD.status NOT IN ('approved', 'superseded') THEN
                RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
            END IF;
            IF TG_OP = 'UPDATE'
               AND NEW.status IN ('approved', 'superseded')
               AND NOT (OLD.status = 'superseded' AND NEW.status = 'approved')
               AND NEW.id = OLD.id AND NEW.gate_id = OLD.gate_id
               AND NEW.version = OLD.version AND NEW.source = OLD.source
               AND NEW.area_m2 IS NOT DISTINCT FROM OLD.area_m2
               AND NEW.valid_from IS NOT DISTINCT FROM OLD.valid_from
               AND NEW.recorded_at = OLD.recorded_at
               AND ST_AsEWKB(NEW.geom) = ST_AsEWKB(OLD.geom) THEN
                RETURN NEW;
            END IF;
            RAISE EXCEPTION '% on checkpoint_area %: an % checkpoint area is a legal record; '
                'it is never deleted or edited (only superseded, with valid_to)',
                TG_OP, OLD.id, OLD.status USING ERRCODE = '{REFUSED}';
        END $$""")
    op.execute("CREATE TRIGGER trg_checkpoint_area_legal BEFORE UPDATE OR DELETE ON "
               "checkpoint_area FOR EACH ROW EXECUTE FUNCTION "
               "borderzone_protect_checkpoint_area()")


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS trg_checkpoint_area_legal ON checkpoint_area")
    op.execute("DROP FUNCTION IF EXISTS borderzone_protect_checkpoint_area()")
    op.drop_table("audit_log")
    op.execute("DROP FUNCTION IF EXISTS borderzone_append_only()")
    op.drop_index("ix_api_key_user", table_name="api_key")
    op.drop_table("api_key")
    op.drop_table("app_user")
