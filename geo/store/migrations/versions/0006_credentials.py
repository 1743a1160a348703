"""credentials: per-user token version, disabling time

Revision ID: 0006
Revises: 0005 (0005_footprints)

Bearer tokens carry the user's ``token_version`` (claim ``ver``) and, when minted from an API
key, the key id (claim ``kid``). Disabling a user bumps ``token_version``, so every token
minted before is refused at once, and stays refused if the user is enabled again.
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("app_user", sa.Column("token_version", sa.Integer(), server_default="0",
                                        nullable=False))
    op.add_column("app_user", sa.Column("disabled_at", sa.DateTime(timezone=True),
                                        nullable=True))


def downgrade() -> None:
    op.drop_column("app_user", "disabled_at")
    op.drop_column("app_user", "token_version")
