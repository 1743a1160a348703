"""surveys: checkpoint-area surveys as versions under review

Revision ID: 0011
Revises: 0010 (0010_version)

``survey``: each upload of a gate's checkpoint-area sketch is one version (``gate_id``,
``version``), with its metadata (survey date, agencies, minutes reference, notes), the
geometry read by the intake (lon/lat, EPSG:4326), the geometry as written (source CRS and
per-vertex accuracy, JSONB), the validation report (JSONB), and its review: state
(draft → submitted → approved | rejected; approved → published → superseded), who acted
and when, the approving instrument (number, date) and the authority that issued it, the
reason of a rejection, and the ``checkpoint_area`` row its publication wrote.

A trigger keeps every version past its draft a legal record: its content never changes,
its state only moves forward along the allowed transitions, a recorded approval or
rejection is never rewritten, and nothing but a draft is ever deleted.
"""
import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

REFUSED = "BZ001"  # geo.store.db.APPEND_ONLY_SQLSTATE: answered as 409
STATES = "'draft', 'submitted', 'approved', 'rejected', 'published', 'superseded'"
CONTENT = ("gate_id", "version", "survey_date", "agencies", "minutes_ref", "notes", "format",
           "epsg", "filename", "area_m2", "written", "report", "uploaded_by", "uploaded_at")
DECIDED = ("decided_by", "decided_at", "instrument_number", "instrument_date", "authority",
           "reject_reason", "submitted_by", "submitted_at")


def _columns() -> list[sa.Column]:
    ts = sa.DateTime(timezone=True)
    return [
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("gate_id", sa.Text(), sa.ForeignKey("gate.id"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False, server_default="draft"),
        sa.Column("survey_date", sa.Date(), nullable=False),
        sa.Column("agencies", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("minutes_ref", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text()),
        sa.Column("format", sa.Text(), nullable=False),
        sa.Column("epsg", sa.Integer(), nullable=False),
        sa.Column("filename", sa.Text()),
        sa.Column("geom", Geometry("MULTIPOLYGON", srid=4326, spatial_index=False),
                  nullable=False),
        sa.Column("area_m2", sa.Float(), nullable=False),
        sa.Column("written", postgresql.JSONB(), nullable=False),
        sa.Column("report", postgresql.JSONB(), nullable=False),
        sa.Column("uploaded_by", sa.Text(), nullable=False),
        sa.Column("uploaded_at", ts, nullable=False, server_default=sa.text("now()")),
        sa.Column("submitted_by", sa.Text()), sa.Column("submitted_at", ts),
        sa.Column("decided_by", sa.Text()), sa.Column("decided_at", ts),
        sa.Column("instrument_number", sa.Text()), sa.Column("instrument_date", sa.Date()),
        sa.Column("authority", sa.Text()), sa.Column("reject_reason", sa.Text()),
        sa.Column("published_by", sa.Text()), sa.Column("published_at", ts),
        sa.Column("checkpoint_area_id", sa.Integer(), sa.ForeignKey("checkpoint_area.id")),
        sa.Column("superseded_at", ts),
        sa.UniqueConstraint("gate_id", "version", name="uq_survey_gate_version"),
        sa.CheckConstraint(f"state IN ({STATES})", name="ck_survey_state"),
    ]


def _distinct(columns) -> str:
    return " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in columns)


def upgrade() -> None:
    op.create_table("survey", *_columns())
    op.create_index("ix_survey_geom_gist", "survey", ["geom"], postgresql_using="gist")
    op.create_index("ix_survey_gate", "survey", ["gate_id", "version"])
    op.execute(f"""
        CREATE FUNCTION borderzone_protect_survey() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                IF OLD.state = 'draft' THEN RETURN OLD; END IF;
                RAISE EXCEPTION 'DELETE on survey %: a % survey is a legal record; it is '
                    'never deleted', OLD.id, OLD.state USING ERRCODE = '{REFUSED}';
            END IF;
            IF OLD.state = 'draft' AND NEW.state IN ('draft', 'submitted') THEN
                RETURN NEW;
            END IF;
            IF {_distinct(CONTENT)} OR ST_AsEWKB(NEW.geom) <> ST_AsEWKB(OLD.geom) THEN
                RAISE EXCEPTION 'UPDATE on survey %: a % survey is never edited; a '
                    'correction is a new version', OLD.id, OLD.state
                    USING ERRCODE = '{REFUSED}';
            END IF;
            IF OLD.state <> 'submitted' AND ({_distinct(DECIDED)}) THEN
                RAISE EXCEPTION 'UPDATE on survey %: its review record is never rewritten',
                    OLD.id USING ERRCODE = '{REFUSED}';
            END IF;
            IF (OLD.state, NEW.state) IN (('submitted', 'approved'), ('submitted', 'rejected'),
                                         ('approved', 'published'),
                                         ('published', 'superseded')) THEN
                RETURN NEW;
            END IF;
            RAISE EXCEPTION 'UPDATE on survey %: % -> % is not a review step', OLD.id,
                OLD.state, NEW.state USING ERRCODE = '{REFUSED}';
        END $$""")
    op.execute("CREATE TRIGGER trg_survey_legal BEFORE UPDATE OR DELETE ON survey "
               "FOR EACH ROW EXECUTE FUNCTION borderzone_protect_survey()")


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS trg_survey_legal ON survey")
    op.execute("DROP FUNCTION IF EXISTS borderzone_protect_survey()")
    op.drop_table("survey")
