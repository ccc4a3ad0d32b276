"""Run a function in worker processes, its calls sent in small batches: ``WorkerPool``.

The processes are a stdlib ``concurrent.futures.ProcessPoolExecutor`` (forkserver: the
crawler itself, with its threads, reactor and open database, is never forked). This module
adds what a crawl needs around it:

- batching: calls that arrive together go as one task of up to ``batch`` items (or after
  ``delay`` seconds), so a page costs a fraction of a round-trip;
- one failure fails one call: a call that raises fails alone inside its batch; a batch lost
  with its worker (a crash in a C library, the OOM killer) or that could not travel (an item
  or result that cannot be pickled) runs again one call at a time in a separate pool, so
  only the call that kills a worker by itself fails, with ``BrokenProcessPool``; a broken
  pool is replaced by a new one for the next batches;
- no part in the terminal's Ctrl-C: the forkserver is started with SIGINT ignored, so it
  and every worker forked from it ignore the terminal's SIGINT from birth (the crawler
  alone decides how to stop), and each worker's initializer says so once more;
- ``close()`` settles every call still waiting, so a shutdown never waits for a page.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import forkserver
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

logger = logging.getLogger(__name__)

# A call waiting for its result, and what a worker made of it (a result or an exception).
Call = tuple[T, asyncio.Future[R]]
Outcome = tuple[R, None] | tuple[None, BaseException]

# How long close() waits for a worker to finish the batch it is running before killing it.
_CLOSE_TIMEOUT = 5.0


def _start_worker(nice: int) -> None:
    """A worker's initializer: below the crawler's priority, deaf to Ctrl-C."""
    # Ctrl-C reaches the whole process group; the crawler then finishes the pages in flight
    # and closes the pool, which is when a worker stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if nice:
        os.nice(nice)


def _run_batch(function: Callable[[T], R], items: list[T]) -> list[Outcome[R]]:
    """Each item's result or exception: one call that raises fails alone, not its batch."""
    outcomes: list[Outcome[R]] = []
    for item in items:
        try:
            outcomes.append((function(item), None))
        except Exception as error:
            outcomes.append((None, error))
    return outcomes


def _settle(future: asyncio.Future[R], outcome: Outcome[R] | BaseException) -> None:
    if future.done():  # its caller gave up meanwhile
        return
    if isinstance(outcome, BaseException):
        future.set_exception(outcome)
    elif outcome[1] is not None:
        future.set_exception(outcome[1])
    else:
        future.set_result(outcome[0])


def _cancel(calls: list[Call[T, R]]) -> None:
    for _, future in calls:
        if not future.done():
            future.cancel()


class WorkerPool(Generic[T, R]):
    """``await pool.run(item)`` is ``function(item)``, computed in a worker process.

    ``function`` must be importable (it is pickled by name). ``preload`` names modules the
    workers' forkserver imports once, before any worker is forked; ``nice`` lowers the
    workers' scheduling priority by that much. ``restarts`` counts the pools replaced after
    a worker died.
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
            raise ValueError("a WorkerPool needs at least one worker and a batch of one")
        self.function = function
        self.workers = workers
        self.batch = batch
        self.delay = delay
        self.nice = nice
        self.restarts = 0
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(list(preload))
        self._pool: ProcessPoolExecutor | None = None
        self._lone: ProcessPoolExecutor | None = None  # where broken batches' calls rerun
        self._lone_turn = asyncio.Lock()  # one call at a time in the lone pool
        self._waiting: list[Call[T, R]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

    async def run(self, item: T) -> R:
        if self._closed:
            raise RuntimeError("the WorkerPool is closed")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[R] = loop.create_future()
        self._waiting.append((item, future))
        if len(self._waiting) >= self.batch:
            self._send_waiting()
        elif self._timer is None:
            self._timer = loop.call_later(self.delay, self._send_waiting)
        return await future

    def warm_up(self) -> None:
        """Start the forkserver and its preload imports now, in the background, so that the
        first call's workers fork from a ready server instead of waiting for them."""
        self._start_forkserver()

    def close(self) -> None:
        """Stop the workers; every call not finished by then fails with CancelledError."""
        self._closed = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        _cancel(self._waiting)
        self._waiting = []
        for task in list(self._tasks):
            task.cancel()  # each cancels its calls on the way out (see _batch)
        pools = [pool for pool in (self._pool, self._lone) if pool is not None]
        self._pool = self._lone = None
        for pool in pools:
            _shut_down(pool)

    # --- sending ------------------------------------------------------------------------------
    def _send_waiting(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        calls, self._waiting = self._waiting, []
        if calls:
            task = asyncio.get_running_loop().create_task(self._batch(calls))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _batch(self, calls: list[Call[T, R]]) -> None:
        try:
            pool = self._main_pool()
            try:
                outcomes = await self._submit(pool, [item for item, _ in calls])
            except BrokenProcessPool:
                self._replace(pool)
                logger.warning(
                    "A worker process died; trying its %d calls again one by one", len(calls)
                )
                await self._one_by_one(calls)
                return
            except Exception as error:  # the batch could not travel (pickling)
                if len(calls) == 1:
                    _settle(calls[0][1], error)
                    return
                await self._one_by_one(calls)
                return
            for (_, future), outcome in zip(calls, outcomes, strict=True):
                _settle(future, outcome)
        finally:
            _cancel(calls)  # the task was cancelled (close): no call is left pending

    async def _one_by_one(self, calls: list[Call[T, R]]) -> None:
        """Run the calls of a broken batch alone, one at a time in a pool of their own, so a
        worker that dies again names its call."""
        async with self._lone_turn:
            for item, future in calls:
                if future.done() or self._closed:
                    continue
                pool = self._lone_pool()
                outcome: Outcome[R] | BaseException
                try:
                    (outcome,) = await self._submit(pool, [item])
                except BrokenProcessPool as error:
                    self._replace(pool)
                    outcome = error
                except Exception as error:
                    outcome = error
                _settle(future, outcome)

    async def _submit(self, pool: ProcessPoolExecutor, items: list[T]) -> list[Outcome[R]]:
        try:
            submitted: Future[list[Outcome[R]]] = pool.submit(_run_batch, self.function, items)
        except BrokenProcessPool:
            raise
        except (OSError, EOFError, RuntimeError) as error:
            # A worker could not be started (the forkserver gone, no memory): the pool may
            # hold the batch without a process to run it, so it is given up like a dead one.
            raise BrokenProcessPool(f"a worker process could not start: {error!r}") from error
        return await asyncio.wrap_future(submitted)

    # --- pools --------------------------------------------------------------------------------
    def _new_pool(self, workers: int) -> ProcessPoolExecutor:
        self._start_forkserver()
        return ProcessPoolExecutor(
            workers, mp_context=self._context, initializer=_start_worker, initargs=(self.nice,)
        )

    def _main_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = self._new_pool(self.workers)
        return self._pool

    def _lone_pool(self) -> ProcessPoolExecutor:
        if self._lone is None:
            self._lone = self._new_pool(1)
        return self._lone

    def _replace(self, pool: ProcessPoolExecutor) -> None:
        """A broken pool is dropped once, by the first of its batches to notice."""
        if pool is self._pool:
            self._pool = None
        elif pool is self._lone:
            self._lone = None
        else:
            return
        self.restarts += 1
        pool.shutdown(wait=False, cancel_futures=True)

    def _start_forkserver(self) -> None:
        """Start the forkserver, if it is not running, with SIGINT ignored for the moment of
        its start: a process started with SIGINT ignored keeps ignoring it (Python installs
        no handler for it), the forkserver then ignores it itself, and each worker it forks
        inherits that. So the terminal's Ctrl-C can neither kill the server during its
        preload imports (the start-up hang: a worker start then raised EOFError) nor a
        worker before its initializer runs. A signal mask would not do: the server is
        started with an empty one. The crawler's own handler is back a few milliseconds
        later (the exec of the server); a Ctrl-C in between is lost, not misdelivered."""
        if threading.current_thread() is not threading.main_thread():
            forkserver.ensure_running()  # signal handlers belong to the main thread
            return
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            forkserver.ensure_running()
        finally:
            if previous is not None:  # None: a handler not set from Python, left as it was
                signal.signal(signal.SIGINT, previous)


def _shut_down(pool: ProcessPoolExecutor) -> None:
    """Cancel what waits in ``pool``, let each worker finish its batch, kill a worker that
    does not within _CLOSE_TIMEOUT (an extraction that never ends must not hold shutdown)."""
    # The executor has no public list of its processes; this one is stable since 3.2.
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.join(_CLOSE_TIMEOUT)
        if process.is_alive():
            logger.warning("Extraction worker %s did not stop; killing it", process.pid)
            process.kill()
            process.join()
