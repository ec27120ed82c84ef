"""Review additions (issue 20): a fact's current reviewer note (so `revert` restores the
exact earlier state: status, value, unit, qualifier and note), a pin on a fact that a
reviewer moved to another initiative (re-extraction keeps it there), and pages marked
"revisado por completo" (nothing missing on them) with who marked them and when.

Revision ID: 0006_review_additions
Revises: 0005_hardening
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_review_additions"
down_revision = "0005_hardening"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("extraction", sa.Column("note", sa.String(), nullable=True))
    op.add_column("extraction",
                  sa.Column("initiative_pinned", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("page", sa.Column("complete_by", sa.String(200), nullable=True))
    op.add_column("page", sa.Column("complete_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("page") as batch:
        batch.drop_column("complete_at")
        batch.drop_column("complete_by")
    with op.batch_alter_table("extraction") as batch:
        batch.drop_column("initiative_pinned")
        batch.drop_column("note")
