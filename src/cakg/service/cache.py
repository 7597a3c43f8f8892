"""A bounded cache of answers the service computes once per build: least recently used entries go first.

A build does not change while it is served, so an analysis, a network's data or the
home page need computing once. Keys are the validated, canonical parameters of a
request (:func:`cakg.catalogue.analysis_parameters`), never its raw query string, so
parameters a request adds do not make entries; and the number of entries is fixed.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Any


class LruCache:
    """At most ``size`` entries; :meth:`put` beyond that drops the least recently used."""

    def __init__(self, size: int) -> None:
        self.size = max(1, size)
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()

    def get(self, key: Hashable) -> Any:
        value = self._entries.get(key)
        if value is not None:
            self._entries.move_to_end(key)
        return value

    def put(self, key: Hashable, value: Any) -> None:
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


__all__ = ["LruCache"]
