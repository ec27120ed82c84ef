"""relato's service: stores uploaded reports, runs extraction, records reviews, feeds consumers.

`extractor/` never imports this package; this package imports `extractor` lazily
where it can, so `relato extract` stays free of FastAPI and SQLModel.
"""
