"""decision scope: the area as written and the area in force; one revocation per act; gates
move the data version

Revision ID: 0012
Revises: 0011 (0011_surveys)

* ``decision.written_geom`` / ``written_area_m2`` keep the area as the decision wrote it;
  ``decision.geom`` / ``area_m2`` become the area in force: the written area clipped to
  Vietnam and to the decision's scope (the belt, the land border area communes, the gate's
  checkpoint area) within its province. Rows recorded before this revision keep NULL there:
  their area was stored as written and is left as recorded (legal records are not changed).
* ``decision_revocation``: one revocation per revoked act (the decision or one extension)
  instead of one per decision, so a decision whose extension was revoked can itself be
  revoked, and the other way round.
* ``gate``: its writes (a recorded location sets ``gate.location``) move the data version
  and NOTIFY ``borderzone_zones`` like the other zone tables (0001, 0010), so the location
  index reloads the gates named in border crossings.
"""
import geoalchemy2
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("decision", sa.Column(
        "written_geom", geoalchemy2.Geometry("MULTIPOLYGON", srid=4326,
                                             spatial_index=False), nullable=True))
    op.add_column("decision", sa.Column("written_area_m2", sa.Float(), nullable=True))
    op.drop_constraint("uq_decision_revocation_decision", "decision_revocation",
                       type_="unique")
    op.create_unique_constraint("uq_decision_revocation_act", "decision_revocation",
                                ["decision_id", "revokes"])
    op.execute("INSERT INTO data_version_table (table_name) VALUES ('gate') "
               "ON CONFLICT (table_name) DO NOTHING")
    op.execute("CREATE TRIGGER trg_gate_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
               "ON gate FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version()")


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS trg_gate_version ON gate")
    # the counts only grow: fold the gate's into the frozen total before dropping its row
    op.execute("UPDATE data_version SET version = version + coalesce((SELECT version FROM "
               "data_version_table WHERE table_name = 'gate'), 0) WHERE id = 1")
    op.execute("DELETE FROM data_version_table WHERE table_name = 'gate'")
    op.execute("""
        DO $$ BEGIN
            IF EXISTS (SELECT 1 FROM decision_revocation GROUP BY decision_id
                       HAVING count(*) > 1) THEN
                RAISE EXCEPTION 'a decision has two revocations (its own and an extension''s);'
                    ' 0010 keeps one per decision, so this database cannot go below 0011';
            END IF;
        END $$""")
    op.drop_constraint("uq_decision_revocation_act", "decision_revocation", type_="unique")
    op.create_unique_constraint("uq_decision_revocation_decision", "decision_revocation",
                                ["decision_id"])
    op.drop_column("decision", "written_area_m2")
    op.drop_column("decision", "written_geom")
