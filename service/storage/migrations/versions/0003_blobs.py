"""Uploaded PDFs in the database (RELATO_BLOB_STORE=db, the default on PostgreSQL), so
workers and web processes on other machines need no shared disk: a blob per sha256 and
its content in 1 MiB chunks (service/storage/blobs.py).

Revision ID: 0003_blobs
Revises: 0002_editions
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_blobs"
down_revision = "0002_editions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "blob",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("chunks", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "blob_chunk",
        sa.Column("sha256", sa.String(64), sa.ForeignKey("blob.sha256", ondelete="CASCADE"), primary_key=True),
        sa.Column("seq", sa.Integer(), primary_key=True),
        sa.Column("data", sa.LargeBinary(), nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        # PDFs are compressed already: store the chunks out of line without trying to compress them again
        op.execute("ALTER TABLE blob_chunk ALTER COLUMN data SET STORAGE EXTERNAL")


def downgrade() -> None:
    op.drop_table("blob_chunk")
    op.drop_table("blob")
