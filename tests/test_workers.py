"""WorkerPool: calls batched to worker processes, one failure or dead worker failing one call."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import pickle
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import forkserver
from pathlib import Path
from typing import Any

import pytest

from newscrawl.workers import WorkerPool

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


def spy_on_submits(pool: WorkerPool[Any, Any]) -> list[int]:
    """The sizes of the batches the pool submits to its processes, in order.

    ``_run_batch`` runs in the worker, so it cannot be spied on from here; ``_submit`` is
    the one place in this process that every batch goes through.
    """
    submit = pool._submit
    sizes: list[int] = []

    async def spy(executor: Any, items: list[Any]) -> Any:
        sizes.append(len(items))
        return await submit(executor, items)

    pool._submit = spy  # type: ignore[method-assign]
    return sizes


def gone(pid: int, timeout: float = 5) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.01)
    return False


def test_concurrent_calls_each_get_their_own_result() -> None:
    async def main() -> list[int]:
        pool = WorkerPool(square, 1)
        try:
            return await asyncio.gather(*(pool.run(x) for x in range(30)))
        finally:
            pool.close()

    assert asyncio.run(main()) == [x * x for x in range(30)]


def test_the_function_runs_in_another_process() -> None:
    async def main() -> int:
        pool = WorkerPool(worker_pid, 1)
        try:
            return await pool.run(0)
        finally:
            pool.close()

    assert asyncio.run(main()) != os.getpid()


def test_calls_issued_together_are_sent_in_full_batches() -> None:
    async def main() -> tuple[list[int], list[int]]:
        # a long delay: only the last, partial batch may wait for the timer
        pool = WorkerPool(square, 1, batch=8, delay=0.05)
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
        pool = WorkerPool(square, 1, batch=8, delay=0.05)
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
        pool = WorkerPool(square_unless_two, 1, batch=3)
        try:
            sizes = spy_on_submits(pool)
            outcomes = await asyncio.gather(
                *(pool.run(x) for x in (1, 2, 3)), return_exceptions=True
            )
            return outcomes, sizes
        finally:
            pool.close()

    outcomes, sizes = asyncio.run(main())
    assert sizes == [3]  # the three calls really shared one batch, and it ran once
    assert outcomes[0] == 1
    assert outcomes[2] == 9
    with pytest.raises(ValueError, match="no square for 2"):
        raise outcomes[1]  # type: ignore[misc]


def test_a_dead_worker_fails_its_call_and_the_pool_recovers() -> None:
    async def main() -> tuple[list[object], list[int], int, int]:
        pool = WorkerPool(square_or_die, 1, batch=3)
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
    # one batch lost with its worker, then each of its calls alone, then the later call
    assert sizes == [3, 1, 1, 1, 1]
    assert outcomes[:2] == [1, 4]
    with pytest.raises(BrokenProcessPool):
        raise outcomes[2]  # type: ignore[misc]
    assert restarts == 2  # the batch's pool, then the pool of the killer alone
    assert later == 25


def test_a_dead_worker_spares_the_calls_batched_after_it() -> None:
    async def main() -> list[object]:
        pool = WorkerPool(square_or_die, 1, batch=3)
        try:
            return await asyncio.gather(
                *(pool.run(x) for x in (KILLER, 1, 2)), return_exceptions=True
            )
        finally:
            pool.close()

    outcomes = asyncio.run(main())
    assert isinstance(outcomes[0], BrokenProcessPool)
    assert outcomes[1:] == [1, 4]


def test_a_worker_that_cannot_start_fails_no_call(monkeypatch: pytest.MonkeyPatch) -> None:
    """The start-up Ctrl-C hang: a worker start raised EOFError and its batch never ended."""
    real_submit = concurrent.futures.ProcessPoolExecutor.submit
    failures = []

    def submit_once_failing(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not failures:
            failures.append(1)
            raise EOFError  # what connecting to a forkserver killed by Ctrl-C raised
        return real_submit(self, *args, **kwargs)

    monkeypatch.setattr(concurrent.futures.ProcessPoolExecutor, "submit", submit_once_failing)

    async def main() -> tuple[list[object], int]:
        pool = WorkerPool(square, 1, batch=3)
        try:
            calls = asyncio.gather(*(pool.run(x) for x in (1, 2, 3)), return_exceptions=True)
            return await asyncio.wait_for(calls, 30), pool.restarts
        finally:
            pool.close()

    assert asyncio.run(main()) == ([1, 4, 9], 1)


def test_close_stops_the_workers() -> None:
    async def main() -> int:
        pool = WorkerPool(worker_pid, 1)
        try:
            return await pool.run(0)
        finally:
            pool.close()

    pid = asyncio.run(main())
    assert gone(pid), f"worker {pid} still alive after close()"


def test_close_cancels_calls_not_yet_sent() -> None:
    async def main() -> WorkerPool[int, int]:
        # the delay outlasts the test: the call can only end through close()
        pool = WorkerPool(square, 1, batch=8, delay=60)
        try:
            call = asyncio.create_task(pool.run(1))
            await asyncio.sleep(0)
        finally:
            pool.close()
        with pytest.raises(asyncio.CancelledError):
            await call
        return pool

    pool = asyncio.run(main())
    assert pool._timer is None


def test_close_settles_calls_sent_but_not_yet_run() -> None:
    async def main() -> list[object]:
        # batch=1 sends every call at once; one worker runs them one after the other, so
        # close() finds some still waiting in the executor
        pool = WorkerPool(slow_square, 1, batch=1)
        calls = [asyncio.create_task(pool.run(x)) for x in range(6)]
        await asyncio.sleep(0.5)
        pool.close()
        return await asyncio.wait_for(asyncio.gather(*calls, return_exceptions=True), 5)

    outcomes = asyncio.run(main())
    assert any(isinstance(o, asyncio.CancelledError) for o in outcomes)
    for x, outcome in enumerate(outcomes):
        assert outcome == x * x or isinstance(outcome, asyncio.CancelledError)


def test_close_settles_calls_waiting_to_run_alone(tmp_path: Path) -> None:
    log = str(tmp_path / "runs.log")

    async def main() -> list[object]:
        pool = WorkerPool(logged_square_or_die, 1, batch=4)
        calls = [asyncio.create_task(pool.run((x, log))) for x in (KILLER, 1, 2, 3)]
        # the batch dies after its first call: the others wait for their turn alone
        while not Path(log).exists() or len(Path(log).read_text().split()) < 2:
            await asyncio.sleep(0.01)
        pool.close()
        return await asyncio.wait_for(asyncio.gather(*calls, return_exceptions=True), 5)

    outcomes = asyncio.run(main())
    assert all(
        isinstance(o, asyncio.CancelledError | BrokenProcessPool) or o in (1, 4, 9)
        for o in outcomes
    ), outcomes


def test_nice_lowers_the_workers_priority() -> None:
    async def main() -> int:
        pool = WorkerPool(worker_niceness, 1, nice=5)
        try:
            return await pool.run(0)
        finally:
            pool.close()

    assert asyncio.run(main()) == min(os.nice(0) + 5, 19)  # 19 is the lowest priority


@pytest.mark.parametrize(("workers", "batch"), [(0, 8), (1, 0)])
def test_a_pool_needs_a_worker_and_a_batch(workers: int, batch: int) -> None:
    with pytest.raises(ValueError, match="at least one worker"):
        WorkerPool(square, workers, batch=batch)


def test_large_items_travel_whole() -> None:
    async def main() -> list[tuple[int, bytes]]:
        pool = WorkerPool(echo_size, 2, batch=2)
        try:
            items = [bytes([n]) * (3 * 2**20 + n) for n in range(5)]  # past any pipe buffer
            return await asyncio.gather(*(pool.run(item) for item in items))
        finally:
            pool.close()

    assert asyncio.run(main()) == [(3 * 2**20 + n, bytes([n]) * 16) for n in range(5)]


def test_what_cannot_be_pickled_fails_its_own_call_and_the_pool_goes_on() -> None:
    async def main() -> tuple[list[object], object, int]:
        pool = WorkerPool(unpicklable_result, 1, batch=3)
        try:
            sent_back = await asyncio.gather(
                *(pool.run(x) for x in (1, 2, 3)), return_exceptions=True
            )
            not_sent = await asyncio.gather(pool.run(lambda: 0), return_exceptions=True)
            return sent_back, not_sent[0], await pool.run(4)
        finally:
            pool.close()

    sent_back, not_sent, later = asyncio.run(main())
    # the batch's results travel back as one message; then each call alone: only the
    # result that cannot be pickled fails
    assert sent_back[0] == 1 and sent_back[2] == 3
    assert isinstance(sent_back[1], pickle.PicklingError | AttributeError | TypeError)
    assert isinstance(not_sent, pickle.PicklingError | AttributeError | TypeError)
    assert later == 4


def test_a_dead_worker_loses_nothing_of_the_other_workers(tmp_path: Path) -> None:
    log = str(tmp_path / "runs.log")

    async def main() -> tuple[list[object], int]:
        pool = WorkerPool(logged_square_or_die, 2, batch=3)
        try:
            # two batches at once; the killer is in the second and waits for the first
            calls = [pool.run((x, log)) for x in (10, 11, 12, 1, KILLER, 2)]
            outcomes = await asyncio.gather(*calls, return_exceptions=True)
            return outcomes, pool.restarts
        finally:
            pool.close()

    outcomes, restarts = asyncio.run(main())
    assert outcomes[:3] == [100, 121, 144]
    assert outcomes[3] == 1 and outcomes[5] == 4
    assert isinstance(outcomes[4], BrokenProcessPool)
    assert restarts == 2  # the batch's pool, then the pool of the killer alone
    runs = [int(line) for line in Path(log).read_text().split()]
    # the first batch ran once; the broken one ran up to the killer, then each of its
    # calls again, alone
    assert sorted(runs) == sorted([10, 11, 12, 1, KILLER, 1, KILLER, 2])


def test_warm_up_starts_the_forkserver_and_no_worker() -> None:
    async def main() -> tuple[bool, int]:
        pool = WorkerPool(square, 2, preload=("tests.test_workers",))
        try:
            pool.warm_up()  # outside any event loop work: the crawler calls it in open_spider
            started = pool._pool is not None
            return started, await pool.run(6)
        finally:
            pool.close()

    assert asyncio.run(main()) == (False, 36)
    assert forkserver._forkserver._forkserver_pid is not None


def test_a_worker_ignores_ctrl_c_and_finishes_its_call() -> None:
    async def main() -> tuple[int, int]:
        pool = WorkerPool(interrupted_square, 1)
        try:
            return await pool.run(7), pool.restarts
        finally:
            pool.close()

    assert asyncio.run(main()) == (49, 0)


def test_an_item_the_worker_cannot_unpickle_fails_alone() -> None:
    async def main() -> tuple[list[object], int]:
        pool = WorkerPool(square, 1, batch=2)
        try:
            failed = await asyncio.gather(
                pool.run(Unloadable()),  # type: ignore[arg-type]
                pool.run(3),
                return_exceptions=True,
            )
            return failed, await pool.run(4)
        finally:
            pool.close()

    failed, later = asyncio.run(main())
    assert isinstance(failed[0], Exception) and failed[1] == 9
    assert later == 16


def test_a_worker_closed_mid_batch_ends_cleanly() -> None:
    async def main() -> list[int]:
        pool = WorkerPool(slow_square, 1)
        call = asyncio.create_task(pool.run(2))
        await asyncio.sleep(0.1)  # sent, and running in the worker
        assert pool._pool is not None
        pids = list(pool._pool._processes)  # type: ignore[attr-defined]
        pool.close()
        with pytest.raises(asyncio.CancelledError):
            await call
        return pids

    pids = asyncio.run(main())
    assert pids and all(gone(pid) for pid in pids)


# Ctrl-C in a terminal sends SIGINT to the whole foreground process group: the crawler, the
# forkserver and every worker. The program below plays the crawler: it starts a pool whose
# forkserver imports something slow, and catches SIGINT itself; the test interrupts its
# group many times while the pool starts and runs.
CTRL_C_PROGRAM = """
import asyncio, signal, sys
sys.path.insert(0, sys.argv[1])
from newscrawl.workers import WorkerPool
from tests.test_workers import square
interrupts = []
signal.signal(signal.SIGINT, lambda *_: interrupts.append(1))

async def main():
    pool = WorkerPool(square, 2, batch=4, preload=("newscrawl.preparation",))
    pool.warm_up()
    print("started", flush=True)
    try:
        results = []
        for round in range(20):
            results += await asyncio.gather(*(pool.run(x) for x in range(8)))
            await asyncio.sleep(0.02)
        return results, pool.restarts
    finally:
        pool.close()

results, restarts = asyncio.run(main())
print("done", results == [x * x for x in range(8)] * 20, restarts, len(interrupts) > 0, flush=True)
"""


def test_ctrl_c_to_the_process_group_reaches_neither_forkserver_nor_workers() -> None:
    repo = str(Path(__file__).resolve().parents[1])
    for _ in range(3):
        # a forkserver of our own: the test process's one started without this child's mask
        proc = subprocess.Popen(
            [sys.executable, "-c", CTRL_C_PROGRAM, repo],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # its own group, as a terminal gives a foreground job
        )
        try:
            assert proc.stdout is not None
            assert proc.stdout.readline() == "started\n"
            for _ in range(15):  # during the preload imports, the first forks and the batches
                os.killpg(proc.pid, signal.SIGINT)
                time.sleep(0.02)
            out, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        assert proc.returncode == 0, err[-3000:]
        assert out.strip() == "done True 0 True", err[-3000:]
        assert "KeyboardInterrupt" not in err, err[-3000:]
