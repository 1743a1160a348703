"""Where CPU-heavy work runs: in worker threads, never on the event loop.

Routes, multi-point checks, GPX and batch parsing, and batch answers run through one
``Workers`` per app: a capacity limiter of ``BORDERZONE_WORK_THREADS`` (default: the
cores less one, which is left to the event loop) over anyio's worker threads. Heavy
requests beyond it wait their turn; they never take the event loop, nor the threads that
the database-bound routes (decisions, admin, credentials) draw from anyio's default
limiter, so ``/health`` and the single-point check stay fast while a maximal route or
batch is computed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from functools import partial
from typing import Annotated, TypeVar

import anyio.to_thread
from anyio import CapacityLimiter
from fastapi import Depends, Request

T = TypeVar("T")
_DONE = object()


class Workers:
    """Runs sync callables in worker threads, at most ``threads`` at a time."""

    def __init__(self, threads: int):
        self.limiter = CapacityLimiter(max(1, threads))

    async def run(self, fn: Callable[..., T], *args, **kwargs) -> T:
        return await anyio.to_thread.run_sync(partial(fn, *args, **kwargs),
                                              limiter=self.limiter)

    async def stream(self, chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
        """``chunks`` (a sync generator that computes as it goes), each one made in a worker
        thread, for a ``StreamingResponse``."""
        while (chunk := await self.run(next, chunks, _DONE)) is not _DONE:
            yield chunk


async def get_workers(request: Request) -> Workers:
    return request.app.state.workers


WorkersDep = Annotated[Workers, Depends(get_workers)]
