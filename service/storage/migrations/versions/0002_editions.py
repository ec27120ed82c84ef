"""Editions over time: a report's series, an initiative's stable key (and whether a
reviewer pinned it), facts orphaned by a re-extraction, and the reviewers' link
decisions (merge / split), kept as an audit trail.

Revision ID: 0002_editions
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_editions"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("report", sa.Column("series", sa.String(500), nullable=True))
    op.create_index("ix_report_series", "report", ["series"])
    op.add_column("initiative", sa.Column("key", sa.String(120), nullable=True))
    op.add_column("initiative", sa.Column("key_pinned", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_index("ix_initiative_key", "initiative", ["key"])
    op.add_column("extraction", sa.Column("orphaned", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_index("ix_extraction_orphaned", "extraction", ["orphaned"])
    op.create_table(
        "link_decision",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("series", sa.String(500), nullable=True),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column(
            "initiative_id", sa.Integer(), sa.ForeignKey("initiative.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("from_key", sa.String(120), nullable=True),
        sa.Column("to_key", sa.String(120), nullable=True),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("link_decision")
    for table, column in (("extraction", "orphaned"), ("initiative", "key"), ("report", "series")):
        op.drop_index(f"ix_{table}_{column}", table_name=table)
    with op.batch_alter_table("extraction") as batch:
        batch.drop_column("orphaned")
    with op.batch_alter_table("initiative") as batch:
        batch.drop_column("key_pinned")
        batch.drop_column("key")
    with op.batch_alter_table("report") as batch:
        batch.drop_column("series")
