"""Run a function in worker processes, its calls sent in small batches.

Extraction is pure CPU and the crawler process is busy with Scrapy, so pages go to a pool of
worker processes. ProcessPoolExecutor pays a fixed cost per call in the crawler process (its
queue and result threads, a pickle and a pipe write each way, a wake-up of the event loop),
and the crawler process is the one short of CPU. Calls that arrive together are therefore
sent as one, up to ``batch`` of them or ``delay`` seconds after the first waits.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

logger = logging.getLogger(__name__)


def _lower_priority(increment: int) -> None:
    if increment:
        os.nice(increment)


# A call waiting for its result, and what a worker made of it (a result or an exception).
Call = tuple[T, asyncio.Future[R]]
Outcome = tuple[R, None] | tuple[None, BaseException]


def _run_batch(function: Callable[[T], R], items: list[T]) -> list[Outcome[R]]:
    """Each item's result or exception: one call that raises fails alone, not its batch."""
    outcomes: list[Outcome[R]] = []
    for item in items:
        try:
            outcomes.append((function(item), None))
        except Exception as error:
            outcomes.append((None, error))
    return outcomes


class BatchPool(Generic[T, R]):
    """``await pool.run(item)`` is ``function(item)``, computed in a worker process.

    ``preload`` names modules the workers' forkserver imports once, before any worker is
    forked; ``nice`` lowers the workers' scheduling priority by that much.

    ``function`` must be importable (it is pickled by name). When a worker dies (a crash in
    a C library, the OOM killer), the pool starts afresh and each call of the lost batches
    runs again alone, with nothing else sent meanwhile, so only a call that kills a worker
    by itself fails, with BrokenProcessPool.
    """

    def __init__(
        self,
        function: Callable[[T], R],
        workers: int,
        *,
        batch: int = 8,
        delay: float = 0.005,
        preload: tuple[str, ...] = (),
        nice: int = 0,
    ) -> None:
        if workers < 1 or batch < 1:
            raise ValueError("a BatchPool needs at least one worker and a batch of one")
        self.function = function
        self.workers = workers
        self.batch = batch
        self.delay = delay
        self.preload = list(preload)
        self.nice = nice
        self.restarts = 0
        self._executor: ProcessPoolExecutor | None = None
        self._waiting: list[Call[T, R]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._isolating: deque[Call[T, R]] = deque()  # calls of broken batches, to run alone
        self._isolated: Call[T, R] | None = None  # the one running alone now
        self._closed = False

    async def run(self, item: T) -> R:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[R] = loop.create_future()
        self._waiting.append((item, future))
        if len(self._waiting) >= self.batch:
            self._send_waiting()
        elif self._timer is None:
            self._timer = loop.call_later(self.delay, self._send_waiting)
        return await future

    def close(self) -> None:
        """Stop the workers; calls not finished by then fail with CancelledError."""
        self._closed = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        for _, future in [*self._waiting, *self._isolating]:
            future.cancel()
        self._waiting, self._isolating = [], deque()
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            # forkserver: never fork the crawler itself (threads, reactor, open database).
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(self.preload)
            self._executor = ProcessPoolExecutor(
                self.workers, mp_context=context, initializer=_lower_priority, initargs=(self.nice,)
            )
        return self._executor

    def _send_waiting(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._isolating or self._isolated is not None:
            return  # sent when the isolation is over (_isolate_next)
        waiting, self._waiting = self._waiting, []
        if waiting:
            self._send(waiting, isolated=False)

    def _send(self, calls: list[Call[T, R]], *, isolated: bool) -> None:
        loop = calls[0][1].get_loop()
        executor = self._pool()
        try:
            sent = executor.submit(_run_batch, self.function, [item for item, _ in calls])
        except BrokenProcessPool as error:  # broken since the last call returned
            self._broken(executor, calls, error, isolated=isolated)
            return
        sent.add_done_callback(
            lambda done: loop.call_soon_threadsafe(self._settle, done, executor, calls, isolated)
        )

    def _settle(
        self,
        done: Future[list[Outcome[R]]],
        executor: ProcessPoolExecutor,
        calls: list[Call[T, R]],
        isolated: bool,
    ) -> None:
        if done.cancelled() or self._closed:  # close() shut the executor down
            for _, future in calls:
                future.cancel()
            return
        error = done.exception()
        if isinstance(error, BrokenProcessPool):
            self._broken(executor, calls, error, isolated=isolated)
            return
        if error is not None:  # the batch could not be pickled, or its results could not
            for _, future in calls:
                if not future.done():
                    future.set_exception(error)
        else:
            for (_, future), (result, raised) in zip(calls, done.result(), strict=True):
                if future.done():
                    continue
                if raised is not None:
                    future.set_exception(raised)
                else:
                    future.set_result(result)  # type: ignore[arg-type]
        if isolated:
            self._isolated = None
            self._isolate_next()

    def _broken(
        self,
        executor: ProcessPoolExecutor,
        calls: list[Call[T, R]],
        error: BrokenProcessPool,
        *,
        isolated: bool,
    ) -> None:
        # Every batch in flight fails with the one that killed a worker; only the first
        # to report replaces the pool.
        if self._executor is executor:
            executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
            self.restarts += 1
        if isolated:  # it ran alone in a fresh pool: this call is what kills a worker
            for _, future in calls:
                if not future.done():
                    future.set_exception(error)
            self._isolated = None
        else:
            logger.warning(
                "A worker process died; trying its %d calls again one by one", len(calls)
            )
            self._isolating.extend(calls)
        self._isolate_next()

    def _isolate_next(self) -> None:
        """Run the calls of broken batches one at a time, nothing else beside them, so a
        worker that dies again names its call; then send what waited meanwhile."""
        if self._isolated is not None or self._closed:
            return
        while self._isolating:
            call = self._isolating.popleft()
            if not call[1].done():  # its caller may have given up meanwhile
                self._isolated = call
                self._send([call], isolated=True)
                return
        self._send_waiting()
