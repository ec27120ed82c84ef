"""Assist flags of one initiative chain, remembered per process until the chain changes.

A fact's assist flags ("unchanged since", previous value, moved backwards) depend on
its whole chain: the initiatives of one key across the editions of a series, and
every live fact of them (service/editions/series.py). Computing a chain costs
~10 µs per fact, and a page of 100 facts may need chains of thousands (issue 11:
lists of 100 facts took 100-200 ms). Reading them again is the common case: a
reviewer pages through a report while nothing in the earlier editions changes.

So each chain's flags are kept with a *stamp* read from the database in one
aggregate statement: per initiative of the chain, in edition order, its report's
id, `updated_at` and status date, the initiative's id, and the number of its facts
with the sum of their versions. Every change that can move a flag changes the stamp:

- a review (any status, value or unit change) bumps the fact's `version`;
- a re-extraction inserts facts (count), orphans or restores them (version), and
  may re-place them (position, initiative) without a version bump, so it stamps
  its report's `updated_at` (service/jobs/reextract.py);
- relinking the series, or a report joining or leaving it, changes which
  initiatives form the chain.

Versions only grow and facts are never deleted, so an unchanged stamp means an
unchanged chain. The stamp is read before the facts: a change in between leaves a
newer computation under an older stamp, which the next read finds stale (never the
reverse). Each process has its own cache (at most MAX_FLAGS facts' flags, least recently
used chains dropped first); none is shared, so none is invalidated.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Hashable

MAX_FLAGS = 200_000  # facts' flags kept in all (~50 MB); the least recently used chains go first


class ChainCache:
    """A bounded LRU of (scope, key) -> (stamp, flags by fact id), safe across threads. The
    scope names the database and the series (tests run many databases in one process)."""

    def __init__(self, max_flags: int = MAX_FLAGS) -> None:
        self.max_flags = max_flags
        self._items: OrderedDict[tuple[Hashable, str], tuple[Hashable, dict[int, Any]]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, series: Hashable, key: str, stamp: Hashable) -> dict[int, Any] | None:
        """The flags computed for this exact stamp, or None (never computed, or stale)."""
        with self._lock:
            item = self._items.get((series, key))
            if item is None or item[0] != stamp:
                self.misses += 1
                return None
            self._items.move_to_end((series, key))
            self.hits += 1
            return item[1]

    def put(self, series: Hashable, key: str, stamp: Hashable, flags: dict[int, Any]) -> None:
        with self._lock:
            old = self._items.pop((series, key), None)
            self._size -= len(old[1]) + 1 if old else 0
            self._items[(series, key)] = (stamp, flags)
            self._size += len(flags) + 1  # an empty chain still takes a slot
            while self._size > self.max_flags and len(self._items) > 1:
                _, (_, dropped) = self._items.popitem(last=False)
                self._size -= len(dropped) + 1

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._size = 0
            self.hits = self.misses = 0


CHAINS = ChainCache()
