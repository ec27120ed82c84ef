"""Hardening (issue 23): review events found by their change number, so the records feed
can name the value a `withdrawn` record withdraws (the `before` of the decision that
withdrew it) with one index lookup per record.

Revision ID: 0005_hardening
Revises: 0004_review_page
"""

from alembic import op

revision = "0005_hardening"
down_revision = "0004_review_page"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_review_event_change_seq", "review_event", ["change_seq"])


def downgrade() -> None:
    op.drop_index("ix_review_event_change_seq", table_name="review_event")
