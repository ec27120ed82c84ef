"""Confidence that learns (issue 21): per extractor and confidence bin, the precision
observed in this deployment's review decisions (`confidence_refit`), and when that fit
was last brought up to date (`refit_state`). Stored in the database, not in rules/:
each deployment learns from its own reviewers. And an index that covers the quality
report's GROUP BYs over the facts (`ix_extraction_quality`), so they never read the
facts' wide rows.

Revision ID: 0007_confidence_refit
Revises: 0006_review_additions
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_confidence_refit"
down_revision = "0006_review_additions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "confidence_refit",
        sa.Column("extractor", sa.String(100), primary_key=True),
        sa.Column("bin", sa.Integer(), primary_key=True),
        sa.Column("decided", sa.Integer(), nullable=False),
        sa.Column("confirmed", sa.Integer(), nullable=False),
        sa.Column("mean_confidence", sa.Float(), nullable=True),
        sa.Column("refitted", sa.Float(), nullable=False),
    )
    op.create_table(
        "refit_state",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("through_change", sa.Integer(), nullable=True),
        sa.Column("fitted_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_extraction_quality", "extraction",
                    ["report_id", "extractor", "kind", "status", "confidence", "page"])


def downgrade() -> None:
    op.drop_index("ix_extraction_quality", table_name="extraction")
    op.drop_table("refit_state")
    op.drop_table("confidence_refit")
