"""relato's extraction engine: PDF -> pages/words -> lines -> areas/initiatives -> facts.

Nothing in this package imports FastAPI or SQLModel; the service calls in here.
The public entry point is :func:`extractor.pipeline.extract_pdf`.
"""
