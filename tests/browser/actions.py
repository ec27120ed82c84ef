"""How a test presses a decision key the way a person does: once the fact is on screen
(the page refuses a key before its evidence image has been drawn for 300 ms)."""

from __future__ import annotations

import time
from typing import Any

READY = "#fact-panel[data-ready='true']"


def decisions(page: Any) -> int:
    """How many reviews this page has stored (document.body.dataset.decisions)."""
    return int(page.evaluate("Number(document.body.dataset.decisions || 0)"))


def ready(page: Any) -> None:
    page.wait_for_selector(READY)


def decide(page: Any, key: str = "c") -> None:
    """Wait until the fact may be decided, press `key`, wait until the page stored the review."""
    before = decisions(page)
    ready(page)
    page.keyboard.press(key)
    wait_decisions(page, before + 1)


def wait_decisions(page: Any, at_least: int, timeout_s: float = 15.0) -> None:
    """Until the page has stored `at_least` reviews (polled: the page's CSP forbids eval)."""
    deadline = time.monotonic() + timeout_s
    while decisions(page) < at_least:
        assert time.monotonic() < deadline, f"the page stored {decisions(page)} reviews, not {at_least}"
        page.wait_for_timeout(25)
