"""One file per schema revision, applied in order by service.storage.db.run_migrations."""
