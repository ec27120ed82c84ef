"""Feed: the confirmed and corrected records in change order, for downstream systems,
streamed as JSON, NDJSON or CSV from a cursor (`records`).

May import: storage.
"""
