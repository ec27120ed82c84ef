"""A report's progress while it is processed ("OCR: página 12 de 100"), shown by
GET /api/v1/reports/{id} and written by the worker as the extraction child reports it.

Revision ID: 0009_report_progress
Revises: 0008_operator_page
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_report_progress"
down_revision = "0008_operator_page"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("report", sa.Column("progress", sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("report") as batch:
        batch.drop_column("progress")
