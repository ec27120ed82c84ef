"""Alembic migrations of the tables in service/storage/models.py (env.py, versions/); a package so that it installs with the code."""
