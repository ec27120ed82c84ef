"""The operator page: when each token was last used (the tokens tab lists it, to the minute).

Revision ID: 0008_operator_page
Revises: 0007_confidence_refit
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_operator_page"
down_revision = "0007_confidence_refit"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("api_token", sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("api_token") as batch:
        batch.drop_column("last_used_at")
