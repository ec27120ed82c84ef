"""Re-extraction as a worker job (POST /api/v1/reports/{id}/reextract answers 202): its
state beside the report's own status (which stays `done`), who asked and when, its
attempts, and the last run's end, failure reason and counts (kept, changed, added,
orphaned, restored), which the operator page shows.

Revision ID: 0010_reextract_job
Revises: 0009_report_progress
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_reextract_job"
down_revision = "0009_report_progress"
branch_labels = None
depends_on = None

COLUMNS = ("reextract_state", "reextract_requested_at", "reextract_requested_by", "reextract_attempts",
           "reextract_finished_at", "reextract_error", "reextract_outcome")


def upgrade() -> None:
    op.add_column("report", sa.Column("reextract_state", sa.String(20), nullable=True))
    op.create_index("ix_report_reextract_state", "report", ["reextract_state"])
    op.add_column("report", sa.Column("reextract_requested_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("report", sa.Column("reextract_requested_by", sa.String(200), nullable=True))
    op.add_column("report", sa.Column("reextract_attempts", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("report", sa.Column("reextract_finished_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("report", sa.Column("reextract_error", sa.String(), nullable=True))
    op.add_column("report", sa.Column("reextract_outcome", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_index("ix_report_reextract_state", table_name="report")
    with op.batch_alter_table("report") as batch:
        for column in COLUMNS:
            batch.drop_column(column)
