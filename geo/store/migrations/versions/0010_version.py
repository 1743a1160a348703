"""version: the data version counted per table, so unrelated writes never wait for each other

Revision ID: 0010
Revises: 0009 (0009_layers)

Until now every write to a zone or decision table updated the one ``data_version`` row, so
a long data load held that row's lock and an officer's decision waited for it to commit.
Now ``bump_data_version()`` counts in ``data_version_table``, one row per table: writes to
different tables lock different rows. The data version a reader sees is the frozen total of
``data_version`` (row 1) plus the sum of the per-table counts: read in one snapshot it is
consistent with the data, and it only grows, as every counter does.
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

#: Tables whose writes move the version (0001's zone tables, 0003's decision tables).
COUNTED = ("territory", "province", "commune", "border_segment", "land_border_commune",
           "belt_segment", "zone", "sea_area", "checkpoint_area", "decision",
           "decision_extension", "decision_revocation")

BY_TABLE = """
CREATE OR REPLACE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO data_version_table (table_name, version) VALUES (TG_TABLE_NAME, 1)
    ON CONFLICT (table_name) DO UPDATE
        SET version = data_version_table.version + 1, changed_at = now();
    PERFORM pg_notify('borderzone_zones', TG_TABLE_NAME);
    RETURN NULL;
END $$"""

ONE_ROW = """
CREATE OR REPLACE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE data_version SET version = version + 1, changed_at = now() WHERE id = 1;
    PERFORM pg_notify('borderzone_zones', TG_TABLE_NAME);
    RETURN NULL;
END $$"""


def upgrade() -> None:
    op.create_table(
        "data_version_table",
        sa.Column("table_name", sa.Text(), primary_key=True),
        sa.Column("version", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
    )
    rows = sa.table("data_version_table", sa.column("table_name", sa.Text()))
    op.bulk_insert(rows, [{"table_name": name} for name in COUNTED])
    op.execute(BY_TABLE)


def downgrade() -> None:
    op.execute("UPDATE data_version SET version = version + "
               "(SELECT coalesce(sum(version), 0) FROM data_version_table) WHERE id = 1")
    op.execute(ONE_ROW)
    op.drop_table("data_version_table")
