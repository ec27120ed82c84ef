"""relato's service: stores uploaded reports, runs extraction, records reviews, feeds consumers.

One package per capability, imports only downwards (tests/test_layers.py):
storage/ (settings, tables, migrations, files, tokens) <- review/, feed/, editions/
<- jobs/ (intake, extraction, workers, re-extraction) <- api/ (FastAPI) <- cli.py.

`extractor/` never imports this package; this package imports `extractor` lazily
where it can, so `relato extract` stays free of FastAPI and SQLModel.
"""
