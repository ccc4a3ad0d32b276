"""Run a function in worker processes, its calls sent in small batches over plain pipes.

Extraction is pure CPU, so pages go to worker processes. ProcessPoolExecutor moves every call
through two threads of the crawler process (a queue feeder and a result manager), which take
the GIL from the busy event loop and hand it back for each batch: 0.15 ms a page in a crawl.
Here the event loop itself writes each batch to its worker's pipe and reads the results
when the pipe is readable, with no thread. Calls that arrive together are sent as one, up to
``batch`` of them or ``delay`` seconds after the first waits.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import multiprocessing
import os
import pickle
import signal
import struct
from collections import deque
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing import forkserver
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

logger = logging.getLogger(__name__)

# A call waiting for its result, and what a worker made of it (a result or an exception).
Call = tuple[T, asyncio.Future[R]]
Outcome = tuple[R, None] | tuple[None, BaseException]

_LENGTH = struct.Struct("!Q")  # each message: its length, then a pickle
# A batch of pages is ~1 MB: in a pipe that holds it whole, the worker reads it in one go.
_PIPE_SIZE = 1 << 20
_F_SETPIPE_SZ = getattr(fcntl, "F_SETPIPE_SZ", 1031)


def _run_batch(function: Callable[[T], R], items: list[T]) -> list[Outcome[R]]:
    """Each item's result or exception: one call that raises fails alone, not its batch."""
    outcomes: list[Outcome[R]] = []
    for item in items:
        try:
            outcomes.append((function(item), None))
        except Exception as error:
            outcomes.append((None, error))
    return outcomes


def _fail(calls: list[Call[T, R]], error: BaseException) -> None:
    """Fail every call still waiting with ``error``."""
    for _, future in calls:
        if not future.done():
            future.set_exception(error)


def _read_exactly(fd: int, size: int) -> bytes | None:
    """``size`` bytes from a blocking ``fd``; None at end of file."""
    chunks, left = [], size
    while left:
        chunk = os.read(fd, min(left, _PIPE_SIZE))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _serve(function: Callable[[T], R], inbox: Connection, outbox: Connection, nice: int) -> None:
    """A worker's life: read a batch, run it, write its outcomes, until the pipe closes."""
    # Ctrl-C reaches the whole process group; the crawler then finishes the pages in flight
    # and closes the pipes, which is when a worker stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if nice:
        os.nice(nice)
    source, sink = inbox.fileno(), outbox.fileno()
    with contextlib.suppress(BrokenPipeError):  # the pool closed before this reply
        while (header := _read_exactly(source, _LENGTH.size)) is not None:
            message = _read_exactly(source, _LENGTH.unpack(header)[0])
            if message is None:
                return
            _write_all(sink, _reply(function, message))


def _reply(function: Callable[[T], R], message: bytes) -> bytes:
    """The framed outcomes of the batch in ``message``, or of why it could not be run."""
    reply: list[Outcome[R]] | Exception
    try:
        reply = _run_batch(function, pickle.loads(message))
    except Exception as error:  # an item this process cannot unpickle
        reply = error
    try:
        data = pickle.dumps(reply, pickle.HIGHEST_PROTOCOL)
    except Exception as error:  # a result or exception that cannot be pickled
        failure = pickle.PicklingError(f"a result could not be sent back: {error!r}")
        data = pickle.dumps(failure, pickle.HIGHEST_PROTOCOL)
    return _LENGTH.pack(len(data)) + data


@dataclass(eq=False)
class _Worker(Generic[T, R]):
    """One worker process, the parent's ends of its pipes, and its batches in flight."""

    process: BaseProcess
    to_worker: Connection
    from_worker: Connection
    unsent: deque[memoryview] = field(default_factory=deque)  # written out with writev
    received: bytearray = field(default_factory=bytearray)
    # oldest first, each with whether it is a call of a broken batch running alone
    in_flight: deque[tuple[list[Call[T, R]], bool]] = field(default_factory=deque)


class BatchPool(Generic[T, R]):
    """``await pool.run(item)`` is ``function(item)``, computed in a worker process.

    ``preload`` names modules the workers' forkserver imports once, before any worker is
    forked; ``nice`` lowers the workers' scheduling priority by that much.

    ``function`` must be importable (it is pickled by name). When a worker dies (a crash in
    a C library, the OOM killer), each call of its batches in flight runs again alone, with
    nothing else sent meanwhile, so only a call that kills a worker by itself fails, with
    BrokenProcessPool; a new worker takes the dead one's place.
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
        self._loop: asyncio.AbstractEventLoop | None = None
        self._running: list[_Worker[T, R]] = []
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

    def warm_up(self) -> None:
        """Start the forkserver and its preload imports now, in the background, so that the
        first call's workers fork from a ready server instead of waiting for them."""
        self._context()
        forkserver.ensure_running()

    @property
    def alive(self) -> int:
        """Worker processes started and not yet gone."""
        return len(self._running)

    def close(self) -> None:
        """Stop the workers; calls not finished by then fail with CancelledError."""
        self._closed = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        for _, future in [*self._waiting, *self._isolating]:
            future.cancel()
        self._waiting, self._isolating = [], deque()
        running, self._running = self._running, []
        for worker in running:
            self._detach(worker)
            for calls, _ in worker.in_flight:
                for _, future in calls:
                    future.cancel()
        for worker in running:  # each sees its inbox closed and ends
            worker.process.join(5)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()

    # --- sending ----------------------------------------------------------------------------
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
        try:
            message = pickle.dumps([item for item, _ in calls], pickle.HIGHEST_PROTOCOL)
        except Exception as error:  # an item that cannot be pickled fails its batch
            _fail(calls, error)
            if isolated:
                self._isolated = None
                self._isolate_next()
            return
        worker = self._idle_worker() if isolated else self._least_busy()
        assert worker is not None  # _isolate_next sends a call alone only to an idle worker
        worker.in_flight.append((calls, isolated))
        pending = bool(worker.unsent)
        worker.unsent.append(memoryview(_LENGTH.pack(len(message))))
        worker.unsent.append(memoryview(message))
        if not pending:
            self._write(worker)

    def _least_busy(self) -> _Worker[T, R]:
        if len(self._running) < self.workers:
            self._running.append(self._start())
        return min(self._running, key=lambda worker: len(worker.in_flight))

    def _idle_worker(self) -> _Worker[T, R] | None:
        """A worker with nothing in flight (started if there is room), or None."""
        idle = next((worker for worker in self._running if not worker.in_flight), None)
        if idle is None and len(self._running) < self.workers:
            idle = self._start()
            self._running.append(idle)
        return idle

    def _start(self) -> _Worker[T, R]:
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
        context = self._context()
        inbox, to_worker = context.Pipe(duplex=False)
        from_worker, outbox = context.Pipe(duplex=False)
        process = context.Process(
            target=_serve, args=(self.function, inbox, outbox, self.nice), daemon=True
        )
        process.start()
        inbox.close()
        outbox.close()
        worker: _Worker[T, R] = _Worker(process, to_worker, from_worker)
        for end in (to_worker, from_worker):
            os.set_blocking(end.fileno(), False)
            with contextlib.suppress(OSError):  # a smaller pipe: more, shorter writes
                fcntl.fcntl(end.fileno(), _F_SETPIPE_SZ, _PIPE_SIZE)
        self._loop.add_reader(from_worker.fileno(), self._read, worker)
        return worker

    def _context(self) -> multiprocessing.context.ForkServerContext:
        # forkserver: never fork the crawler itself (threads, reactor, open database).
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(self.preload)
        return context

    def _write(self, worker: _Worker[T, R]) -> None:
        unsent = worker.unsent
        try:
            written = os.writev(worker.to_worker.fileno(), list(unsent))
        except BlockingIOError:
            written = 0
        except OSError:  # the worker is gone; its pipe's other end tells _read
            self._stop_writing(worker)
            return
        while written:
            if written >= len(unsent[0]):
                written -= len(unsent.popleft())
            else:
                unsent[0], written = unsent[0][written:], 0
        if unsent:
            assert self._loop is not None
            self._loop.add_writer(worker.to_worker.fileno(), self._write, worker)
        else:
            self._stop_writing(worker)

    def _stop_writing(self, worker: _Worker[T, R]) -> None:
        if self._loop is not None and not worker.to_worker.closed:
            self._loop.remove_writer(worker.to_worker.fileno())

    # --- receiving --------------------------------------------------------------------------
    def _read(self, worker: _Worker[T, R]) -> None:
        try:
            chunk = os.read(worker.from_worker.fileno(), _PIPE_SIZE)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if not chunk:
            self._died(worker)
            return
        worker.received += chunk
        while len(worker.received) >= _LENGTH.size:
            size = _LENGTH.unpack_from(worker.received)[0]
            end = _LENGTH.size + size
            if len(worker.received) < end:
                break
            calls, isolated = worker.in_flight.popleft()
            with memoryview(worker.received) as view, view[_LENGTH.size : end] as message:
                self._settle(calls, message)
            del worker.received[:end]
            if isolated:
                self._isolated = None
            if isolated or self._isolating:  # a worker may now be idle for the next one
                self._isolate_next()

    def _settle(self, calls: list[Call[T, R]], message: memoryview) -> None:
        try:
            outcomes: list[Outcome[R]] | Exception = pickle.loads(message)
        except Exception as error:  # a result or exception that cannot be rebuilt here
            outcomes = error
        if isinstance(outcomes, Exception):  # the whole batch failed to travel
            _fail(calls, outcomes)
            return
        for (_, future), (result, raised) in zip(calls, outcomes, strict=True):
            if future.done():  # its caller gave up meanwhile
                continue
            if raised is not None:
                future.set_exception(raised)
            else:
                future.set_result(result)  # type: ignore[arg-type]

    def _died(self, worker: _Worker[T, R]) -> None:
        """A worker's pipe closed: every batch it had in flight is lost with it."""
        self._detach(worker)
        self._running.remove(worker)
        worker.process.join(1)
        self.restarts += 1
        error = BrokenProcessPool(
            f"the worker process ended (exit code {worker.process.exitcode}) during this call"
        )
        for calls, isolated in worker.in_flight:
            if isolated:  # it ran alone: this call is what kills a worker
                _fail(calls, error)
                self._isolated = None
            else:
                logger.warning(
                    "A worker process died; trying its %d calls again one by one", len(calls)
                )
                self._isolating.extend(calls)
        worker.in_flight.clear()
        self._isolate_next()

    def _detach(self, worker: _Worker[T, R]) -> None:
        if self._loop is not None:
            self._loop.remove_reader(worker.from_worker.fileno())
            self._stop_writing(worker)
        worker.to_worker.close()
        worker.from_worker.close()

    def _isolate_next(self) -> None:
        """Run the calls of broken batches one at a time, nothing else beside them, so a
        worker that dies again names its call; then send what waited meanwhile."""
        if self._isolated is not None or self._closed:
            return
        while self._isolating and self._isolating[0][1].done():
            self._isolating.popleft()  # its caller gave up meanwhile
        if self._isolating:
            # alone on its worker, so that if the worker dies, this call is what killed it
            if self._idle_worker() is None:
                return  # again when a worker's batches are done
            self._isolated = self._isolating.popleft()
            self._send([self._isolated], isolated=True)
            return
        self._send_waiting()
