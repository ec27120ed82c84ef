"""Progress of a long extraction step, for whoever watches it (the service's report status).

The extractor cannot know who is watching: the CLI nobody, the service's child process
its parent (service/jobs/extracting.py), which stores the latest line on the report so
``GET /api/v1/reports/{id}`` shows it. A step calls :func:`report` with one pt-BR line
("OCR: página 12 de 100"); every callback registered with :func:`listen` receives it.
Callbacks may be called from worker threads.
"""

from __future__ import annotations

from collections.abc import Callable

_LISTENERS: list[Callable[[str], None]] = []


def listen(callback: Callable[[str], None]) -> Callable[[], None]:
    """Call `callback(line)` on every progress line; returns the undo."""
    _LISTENERS.append(callback)
    return lambda: _LISTENERS.remove(callback) if callback in _LISTENERS else None


def report(line: str) -> None:
    for callback in list(_LISTENERS):
        callback(line)
