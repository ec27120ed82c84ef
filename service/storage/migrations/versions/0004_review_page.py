"""Review page (issue 13): a fact's evidence as one box per printed line when it wraps
(the union `bbox` also covers the text between the two pieces; null on one line and
for facts stored before this column, where the page draws `bbox`), and which fact
each open review tab shows, so another reviewer's tab can say it is being reviewed.

Revision ID: 0004_review_page
Revises: 0003_blobs
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_review_page"
down_revision = "0003_blobs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("extraction", sa.Column("lines", sa.JSON(), nullable=True))
    op.create_table(
        "review_presence",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_id", sa.Integer(), sa.ForeignKey("api_token.id", ondelete="CASCADE"), nullable=False),
        sa.Column("tab", sa.String(64), nullable=False),
        sa.Column("reviewer", sa.String(200), nullable=False),
        sa.Column("report_id", sa.Integer(), sa.ForeignKey("report.id", ondelete="CASCADE"), nullable=True),
        sa.Column("extraction_id", sa.Integer(), sa.ForeignKey("extraction.id", ondelete="CASCADE"), nullable=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("token_id", "tab"),
    )
    op.create_index("ix_review_presence_report_id", "review_presence", ["report_id"])


def downgrade() -> None:
    op.drop_index("ix_review_presence_report_id", table_name="review_presence")
    op.drop_table("review_presence")
    with op.batch_alter_table("extraction") as batch:
        batch.drop_column("lines")
