"""BatchPool: calls batched to worker processes, one failure or dead worker failing one call."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import pickle
import signal
import time
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import pytest

from newscrawl.workers import BatchPool

# The worker functions below are pickled by name, so they live at module level: the
# forkserver workers inherit sys.path and import this module to find them.

KILLER = 3


def square(item: int) -> int:
    return item * item


def worker_pid(item: int) -> int:
    return os.getpid()


def worker_niceness(item: int) -> int:
    return os.nice(0)


def square_unless_two(item: int) -> int:
    if item == 2:
        raise ValueError(f"no square for {item}")
    return item * item


def square_or_die(item: int) -> int:
    if item == KILLER:
        os._exit(1)  # no exception to report: the worker is simply gone, as after a segfault
    return item * item


def echo_size(item: bytes) -> tuple[int, bytes]:
    return len(item), item[-16:]


def unpicklable_result(item: int) -> object:
    return (lambda: item) if item == 2 else item  # a lambda cannot be pickled back


def logged_square_or_die(item: tuple[int, str]) -> int:
    """square_or_die that first appends the item to a log file, to count its runs."""
    value, log = item
    with open(log, "a") as f:
        f.write(f"{value}\n")
    if value == KILLER:
        time.sleep(0.2)  # let the other worker finish its batch first
        os._exit(1)
    return value * value


def interrupted_square(item: int) -> int:
    os.kill(os.getpid(), signal.SIGINT)  # as Ctrl-C in a terminal does to the whole group
    return item * item


def slow_square(item: int) -> int:
    time.sleep(0.3)
    return item * item


def _refuse_to_load() -> None:
    raise ValueError("this item cannot be rebuilt here")


class Unloadable:
    """Pickles in this process, fails to unpickle in the worker."""

    def __reduce__(self) -> tuple[Callable[[], None], tuple[()]]:
        return (_refuse_to_load, ())


def spy_on_submits(pool: BatchPool[Any, Any]) -> list[int]:
    """The sizes of the batches the pool sends to its workers, in order.

    ``_run_batch`` runs in the worker, so it cannot be spied on from here; ``_send`` is the
    one place in this process that every batch goes through.
    """
    send = pool._send
    sizes: list[int] = []

    def spy(calls: list[Any], *, isolated: bool) -> None:
        sizes.append(len(calls))
        send(calls, isolated=isolated)

    pool._send = spy  # type: ignore[method-assign]
    return sizes


def test_concurrent_calls_each_get_their_own_result() -> None:
    async def main() -> list[int]:
        pool = BatchPool(square, 1, preload=())
        try:
            return await asyncio.gather(*(pool.run(x) for x in range(30)))
        finally:
            pool.close()

    assert asyncio.run(main()) == [x * x for x in range(30)]


def test_the_function_runs_in_another_process() -> None:
    async def main() -> int:
        pool = BatchPool(worker_pid, 1, preload=())
        try:
            return await pool.run(0)
        finally:
            pool.close()

    assert asyncio.run(main()) != os.getpid()


def test_calls_issued_together_are_sent_in_full_batches() -> None:
    async def main() -> tuple[list[int], list[int]]:
        # a long delay: only the last, partial batch may wait for the timer
        pool = BatchPool(square, 1, batch=8, delay=0.05, preload=())
        try:
            sizes = spy_on_submits(pool)
            results = await asyncio.gather(*(pool.run(x) for x in range(30)))
            return results, sizes
        finally:
            pool.close()

    results, sizes = asyncio.run(main())
    assert results == [x * x for x in range(30)]
    assert sizes == [8, 8, 8, 6]


def test_a_lone_call_is_sent_after_the_delay() -> None:
    async def main() -> tuple[list[int], list[int], int, float]:
        pool = BatchPool(square, 1, batch=8, delay=0.05, preload=())
        try:
            sizes = spy_on_submits(pool)
            loop = asyncio.get_running_loop()
            start = loop.time()
            call = asyncio.create_task(pool.run(7))
            await asyncio.sleep(0)  # the call is now waiting for company
            sent_at_once = list(sizes)
            result = await call
            return sent_at_once, sizes, result, loop.time() - start
        finally:
            pool.close()

    sent_at_once, sizes, result, elapsed = asyncio.run(main())
    assert sent_at_once == []
    assert sizes == [1]
    assert result == 49
    assert elapsed >= 0.05 - 0.001  # the timer's clock resolution


def test_an_exception_fails_only_its_own_call() -> None:
    async def main() -> tuple[list[object], list[int]]:
        pool = BatchPool(square_unless_two, 1, batch=3, preload=())
        try:
            sizes = spy_on_submits(pool)
            outcomes = await asyncio.gather(
                *(pool.run(x) for x in (1, 2, 3)), return_exceptions=True
            )
            return outcomes, sizes
        finally:
            pool.close()

    outcomes, sizes = asyncio.run(main())
    assert sizes == [3]  # the three calls really shared one batch
    assert outcomes[0] == 1
    assert outcomes[2] == 9
    with pytest.raises(ValueError, match="no square for 2"):
        raise outcomes[1]  # type: ignore[misc]


def test_a_dead_worker_fails_its_call_and_the_pool_recovers() -> None:
    async def main() -> tuple[list[object], list[int], int, int]:
        pool = BatchPool(square_or_die, 1, batch=3, preload=())
        try:
            sizes = spy_on_submits(pool)
            outcomes = await asyncio.gather(
                *(pool.run(x) for x in (1, 2, KILLER)), return_exceptions=True
            )
            restarts = pool.restarts
            return outcomes, sizes, restarts, await pool.run(5)
        finally:
            pool.close()

    outcomes, sizes, restarts, later = asyncio.run(main())
    assert sizes[0] == 3  # one batch lost with its worker, not three single calls
    assert outcomes[:2] == [1, 4]
    with pytest.raises(BrokenProcessPool):
        raise outcomes[2]  # type: ignore[misc]
    assert restarts >= 1
    assert later == 25


def test_a_dead_worker_spares_the_calls_batched_after_it() -> None:
    async def main() -> list[object]:
        pool = BatchPool(square_or_die, 1, batch=3, preload=())
        try:
            return await asyncio.gather(
                *(pool.run(x) for x in (KILLER, 1, 2)), return_exceptions=True
            )
        finally:
            pool.close()

    outcomes = asyncio.run(main())
    assert isinstance(outcomes[0], BrokenProcessPool)
    assert outcomes[1:] == [1, 4]


def test_close_stops_the_workers() -> None:
    async def main() -> tuple[int, BatchPool[int, int]]:
        pool = BatchPool(worker_pid, 1, preload=())
        try:
            return await pool.run(0), pool
        finally:
            pool.close()

    pid, pool = asyncio.run(main())
    assert pool.alive == 0
    deadline = time.monotonic() + 5
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        assert time.monotonic() < deadline, f"worker {pid} still alive after close()"
        time.sleep(0.01)


def test_close_cancels_calls_not_yet_sent() -> None:
    async def main() -> BatchPool[int, int]:
        # the delay outlasts the test: the call can only end through close()
        pool = BatchPool(square, 1, batch=8, delay=60, preload=())
        try:
            call = asyncio.create_task(pool.run(1))
            await asyncio.sleep(0)
        finally:
            pool.close()
        with pytest.raises(asyncio.CancelledError):
            await call
        return pool

    pool = asyncio.run(main())
    assert pool.alive == 0
    assert pool._timer is None


def test_close_settles_calls_sent_but_not_yet_run() -> None:
    async def main() -> list[object]:
        # batch=1 sends every call at once; one worker runs one and queues two at most, so
        # with six sent, close() finds some still pending in the executor
        pool = BatchPool(square, 1, batch=1, preload=())
        calls = [asyncio.create_task(pool.run(x)) for x in range(6)]
        await asyncio.sleep(0)
        pool.close()
        return await asyncio.wait_for(asyncio.gather(*calls, return_exceptions=True), 1)

    outcomes = asyncio.run(main())
    for x, outcome in enumerate(outcomes):
        assert outcome == x * x or isinstance(
            outcome, asyncio.CancelledError | concurrent.futures.CancelledError
        )


def test_nice_lowers_the_workers_priority() -> None:
    async def main() -> int:
        pool = BatchPool(worker_niceness, 1, preload=(), nice=5)
        try:
            return await pool.run(0)
        finally:
            pool.close()

    assert asyncio.run(main()) == min(os.nice(0) + 5, 19)  # 19 is the lowest priority


@pytest.mark.parametrize(("workers", "batch"), [(0, 8), (1, 0)])
def test_a_pool_needs_a_worker_and_a_batch(workers: int, batch: int) -> None:
    with pytest.raises(ValueError, match="at least one worker"):
        BatchPool(square, workers, batch=batch)


def test_items_larger_than_a_pipe_travel_whole() -> None:
    async def main() -> list[tuple[int, bytes]]:
        pool = BatchPool(echo_size, 2, batch=2, preload=())
        try:
            items = [bytes([n]) * (3 * 2**20 + n) for n in range(5)]  # past any pipe buffer
            return await asyncio.gather(*(pool.run(item) for item in items))
        finally:
            pool.close()

    assert asyncio.run(main()) == [(3 * 2**20 + n, bytes([n]) * 16) for n in range(5)]


def test_what_cannot_be_pickled_fails_its_calls_and_the_pool_goes_on() -> None:
    async def main() -> tuple[list[object], object, int]:
        pool = BatchPool(unpicklable_result, 1, batch=3, preload=())
        try:
            sent_back = await asyncio.gather(
                *(pool.run(x) for x in (1, 2, 3)), return_exceptions=True
            )
            not_sent = await asyncio.gather(pool.run(lambda: 0), return_exceptions=True)
            return sent_back, not_sent[0], await pool.run(4)
        finally:
            pool.close()

    sent_back, not_sent, later = asyncio.run(main())
    # the results travel back as one message: a result that cannot be pickled fails its batch
    assert all(isinstance(o, pickle.PicklingError) for o in sent_back)
    assert isinstance(not_sent, pickle.PicklingError | AttributeError | TypeError)
    assert later == 4


def test_a_dead_worker_loses_nothing_of_the_other_workers(tmp_path: Path) -> None:
    log = str(tmp_path / "runs.log")

    async def main() -> tuple[list[object], int]:
        pool = BatchPool(logged_square_or_die, 2, batch=3, preload=())
        try:
            # two batches at once, one to each worker; the killer is in the second
            calls = [pool.run((x, log)) for x in (10, 11, 12, 1, KILLER, 2)]
            outcomes = await asyncio.gather(*calls, return_exceptions=True)
            return outcomes, pool.restarts
        finally:
            pool.close()

    outcomes, restarts = asyncio.run(main())
    assert outcomes[:3] == [100, 121, 144]
    assert outcomes[3] == 1 and outcomes[5] == 4
    assert isinstance(outcomes[4], BrokenProcessPool)
    assert restarts == 2  # the batch's worker, then the worker of the killer alone
    runs = [int(line) for line in Path(log).read_text().split()]
    # the other worker's batch ran once; the dead worker's ran up to the killer, then
    # each of its calls again, alone
    assert sorted(runs) == sorted([10, 11, 12, 1, KILLER, 1, KILLER, 2])


def test_warm_up_starts_no_worker_before_the_first_call() -> None:
    async def main() -> tuple[int, int, int]:
        pool = BatchPool(square, 2, preload=("tests.test_workers",))
        try:
            pool.warm_up()  # outside any event loop work: the crawler calls it in open_spider
            before = pool.alive
            result = await pool.run(6)
            return before, result, pool.alive
        finally:
            pool.close()

    assert asyncio.run(main()) == (0, 36, 1)


def test_a_worker_ignores_ctrl_c_and_finishes_its_call() -> None:
    async def main() -> tuple[int, int]:
        pool = BatchPool(interrupted_square, 1, preload=())
        try:
            return await pool.run(7), pool.restarts
        finally:
            pool.close()

    assert asyncio.run(main()) == (49, 0)


def test_an_item_the_worker_cannot_unpickle_fails_its_batch_only() -> None:
    async def main() -> tuple[list[object], int, int]:
        pool = BatchPool(square, 1, batch=2, preload=())
        try:
            failed = await asyncio.gather(
                pool.run(Unloadable()),  # type: ignore[arg-type]
                pool.run(3),
                return_exceptions=True,
            )
            return failed, await pool.run(4), pool.restarts
        finally:
            pool.close()

    failed, later, restarts = asyncio.run(main())
    assert all(isinstance(o, ValueError) for o in failed)
    assert (later, restarts) == (16, 0)


def test_a_worker_closed_mid_batch_ends_cleanly() -> None:
    async def main() -> list[int | None]:
        pool = BatchPool(slow_square, 1, preload=())
        call = asyncio.create_task(pool.run(2))
        await asyncio.sleep(0.1)  # sent, and running in the worker
        processes = [worker.process for worker in pool._running]
        pool.close()
        with pytest.raises(asyncio.CancelledError):
            await call
        return [process.exitcode for process in processes]

    # its reply meets a closed pipe: the worker ends quietly, not with a BrokenPipeError
    assert asyncio.run(main()) == [0]
