"""footprints: the public footprint of every sensitive zone, beside its exact geometry

Revision ID: 0005
Revises: 0004 (0004_belt_depth.py)

``zone.footprint`` (MULTIPOLYGON, SRID 4326, GiST index) holds the generalised cover that
uncleared callers are answered against (``geo.location.footprint``); NULL for public zones. Existing
sensitive zones are backfilled here with the default cell size and margin; rows written
later get theirs from ``geo.store.zones.edit`` (and, should one be written around it, when the
index is built: ``geo.store.zones.snapshot``).
"""
import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from geoalchemy2.shape import from_shape, to_shape

from geo.location.footprint import SENSITIVE, footprint

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _zone_table() -> sa.TableClause:
    return sa.table("zone", sa.column("id", sa.Integer()), sa.column("sensitivity", sa.Text()),
                    sa.column("geom", Geometry("MULTIPOLYGON", srid=4326)),
                    sa.column("footprint", Geometry("MULTIPOLYGON", srid=4326)))


def upgrade() -> None:
    op.add_column("zone", sa.Column("footprint", Geometry(
        geometry_type="MULTIPOLYGON", srid=4326, spatial_index=False), nullable=True))
    op.create_index("ix_zone_footprint_gist", "zone", ["footprint"], postgresql_using="gist")
    zone = _zone_table()
    bind = op.get_bind()
    rows = bind.execute(sa.select(zone.c.id, zone.c.geom)
                        .where(zone.c.sensitivity.in_(sorted(SENSITIVE)))).all()
    for row in rows:
        cover = footprint(to_shape(row.geom))
        bind.execute(sa.update(zone).where(zone.c.id == row.id)
                     .values(footprint=from_shape(cover, srid=4326)))


def downgrade() -> None:
    op.drop_index("ix_zone_footprint_gist", table_name="zone")
    op.drop_column("zone", "footprint")
