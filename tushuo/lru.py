"""One bounded, thread-safe LRU for every process-wide cache (glyph masks, shape coverage, pictures).

Reads take no lock (a dict lookup and a move to the end are each atomic under the
GIL), so the painters' hot paths stay cheap; inserting and evicting take the lock.
Bounded by entry count and/or by total bytes; a value heavier than the byte bound
is handed back but not kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

_MISSING = object()


class BoundedLRU:
    """Least recently used entries go first once ``max_entries`` or ``max_bytes`` is passed."""

    def __init__(self, max_entries: int | None = None, max_bytes: int | None = None) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._items)

    @property
    def nbytes(self) -> int:
        """The bytes (as given to ``put``) of what is held."""
        return self._bytes

    def get(self, key: Hashable, default: Any = None) -> Any:
        item = self._items.get(key, _MISSING)
        if item is _MISSING:
            return default
        try:
            self._items.move_to_end(key)
        except KeyError:  # evicted by another thread meanwhile
            pass
        return item[0]  # type: ignore[index]

    def put(self, key: Hashable, value: Any, nbytes: int = 0) -> None:
        if self.max_bytes is not None and nbytes > self.max_bytes:
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = (value, nbytes)
            self._bytes += nbytes
            while (self.max_entries is not None and len(self._items) > self.max_entries) or (
                self.max_bytes is not None and self._bytes > self.max_bytes
            ):
                _, (_, gone) = self._items.popitem(last=False)
                self._bytes -= gone

    def get_or_make(self, key: Hashable, make: Callable[[], Any], nbytes: Callable[[Any], int] = lambda v: 0) -> Any:
        """The cached value, or ``make()`` kept for next time; counts hits and misses.

        ``make`` runs outside the lock: two threads missing the same key at once both
        make it (the values are equal, one is kept), rather than one waiting on the other.
        """
        value = self.get(key, _MISSING)
        if value is not _MISSING:
            self.hits += 1
            return value
        self.misses += 1
        value = make()
        self.put(key, value, nbytes(value))
        return value

    def clear(self) -> None:
        """Forget everything (and reset the hit and miss counts)."""
        with self._lock:
            self._items.clear()
            self._bytes = 0
            self.hits = self.misses = 0
