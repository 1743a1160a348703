"""belt depth by instrument: a sane bound instead of 1,000 m, and the instrument's issuer

Revision ID: 0004
Revises: 0003

RULES.md GEO-BELT-05/06 (Circular 43/2015 Art 3(1)(b)): 1,000 m is the default depth, not a
hard bound — a Prime Minister's decision may set a belt deeper than 1,000 m or narrower than
100 m. Who may set which depth is checked in the domain (``geo.location.border.check_depth``); the
database keeps a sanity bound (10 km, ``geo.location.border.BELT_DEPTH_SANITY_MAX_M``) and records
the issuer of each instrument's row from now on (NULL for the default strip, which no
instrument set, and for instrument rows recorded before this revision: not guessed).
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

ISSUERS = "'prime_minister', 'provincial_peoples_council', 'provincial_peoples_committee'"


def upgrade() -> None:
    op.drop_constraint("ck_belt_depth", "belt_segment", type_="check")
    op.create_check_constraint("ck_belt_depth", "belt_segment",
                               "depth_m > 0 AND depth_m <= 10000")
    op.add_column("belt_segment", sa.Column("issuer", sa.Text(), nullable=True))
    op.create_check_constraint("ck_belt_issuer", "belt_segment",
                               f"issuer IS NULL OR issuer IN ({ISSUERS})")


def downgrade() -> None:
    # refuses (check violation) while a row deeper than 1,000 m exists: such a row is a legal
    # record and is never silently dropped or truncated
    op.drop_constraint("ck_belt_issuer", "belt_segment", type_="check")
    op.drop_column("belt_segment", "issuer")
    op.drop_constraint("ck_belt_depth", "belt_segment", type_="check")
    op.create_check_constraint("ck_belt_depth", "belt_segment", "depth_m > 0 AND depth_m <= 1000")
