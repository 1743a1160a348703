"""The cycle collector, kept from stalling every thread while a large input is worked on.

A collection walks the tracked objects of its generations while holding the GIL, so every
other thread (the event loop answering ``/health``, other requests) waits for it: ~0.1 s per
few hundred thousand objects. Two things make such walks long and frequent:

- the long-lived objects of a server (its application, the zone index), walked by every full
  collection: ``settle`` freezes them once an index is swapped in;
- a large input being read (a parsed GeoJSON document of half a million features holds ~2
  million dicts and lists, walked again by each full collection while it is read):
  ``collector_paused`` keeps the collector off while such acyclic data is made and read.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_pauses = 0
_was_enabled = True


@contextmanager
def collector_paused() -> Iterator[None]:
    """No automatic cycle collection while the block runs, in any thread; on again when the
    last paused block ends. For work that makes only acyclic objects (a decoded JSON
    document, columns of rows), which reference counting frees, and that ends (a bounded
    input): cycles made meanwhile elsewhere wait for the next collection."""
    global _pauses, _was_enabled
    with _lock:
        if _pauses == 0:
            _was_enabled = gc.isenabled()
        _pauses += 1
        gc.disable()
    try:
        yield
    finally:
        with _lock:
            _pauses -= 1
            if _pauses == 0 and _was_enabled:
                gc.enable()


def settle() -> None:
    """Collect cyclic garbage once, then freeze what is alive (the index just swapped in,
    the application) out of the collector's reach.

    Frozen objects are still freed by reference counting; a cycle among them (an old index
    kept alive by a request at a swap) is reclaimed at the next ``settle``, which unfreezes
    first, or once ``release`` has been called.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def release() -> None:
    """Give frozen objects back to the collector (a server letting its index go)."""
    gc.unfreeze()
