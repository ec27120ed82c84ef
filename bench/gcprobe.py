"""An instrumented app factory for `bench/api.py --app bench.gcprobe:create_app`: the real
app, plus a record of every full (generation 2) garbage collection's pause, written as
JSON to $BENCH_GC_LOG after each one (a server killed on stop never reaches atexit). $BENCH_GC_FREEZE=1 also runs `gc.freeze()`
once the app is built (spaCy and the rest imported), so that full collections no longer
walk the ~170k start-up objects (issue 11, item 5).
"""

from __future__ import annotations

import atexit
import gc
import json
import os
import time
from typing import Any

from fastapi import FastAPI

from service.api.app import create_app as real_create_app


def create_app() -> FastAPI:
    app = real_create_app()
    frozen = os.environ.get("BENCH_GC_FREEZE") == "1"
    if frozen:
        gc.collect()
        gc.freeze()
    pauses: list[float] = []
    started: list[float] = []

    def probe(phase: str, info: dict[str, Any]) -> None:
        if info.get("generation") != 2:
            return
        if phase == "start":
            started[:] = [time.perf_counter()]
        elif started:
            pauses.append(time.perf_counter() - started[0])
            report()

    def report() -> None:
        path = os.environ.get("BENCH_GC_LOG")
        if path:
            with open(path, "w") as out:
                json.dump({"frozen": frozen, "frozen_objects": gc.get_freeze_count(), "full_collections": len(pauses),
                           "pauses_ms": [round(p * 1e3, 2) for p in pauses]}, out)

    gc.callbacks.append(probe)
    atexit.register(report)  # also when no full collection happened
    return app
