"""The operator page (issue 21): when each token was last used (the tokens tab lists it, to
the minute), and the page an extraction in progress has reached (the reports table shows
"processando: página N de M").

Revision ID: 0007_operator_page
Revises: 0006_review_additions
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_operator_page"
down_revision = "0006_review_additions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("api_token", sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("report", sa.Column("progress_page", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("report") as batch:
        batch.drop_column("progress_page")
    with op.batch_alter_table("api_token") as batch:
        batch.drop_column("last_used_at")
