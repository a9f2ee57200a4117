"""Executors: where runs execute, behind one interface.

``imap_unordered(tasks)`` yields ``(task, result)`` as runs finish; results
are the dicts of :func:`experiments.worker.execute` (a failing run is a
result, not an exception). Only a bounded window of tasks is in flight, so
the parent holds a few results at a time however many runs there are.

* :class:`InProcess` runs each task in this process (``--workers 0``).
* :class:`LocalPool` is a process pool started with ``spawn`` (the default;
  safe with threads and on every platform).
* :class:`DaskExecutor` submits to Dask distributed: ``--dask local`` starts a
  LocalCluster of worker processes, an address joins a running scheduler
  (its workers must run this code: checked before any run).

Each run's result depends only on its task (scenario, seed, months), so all
three give identical files.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import signal
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Protocol

from .checkout import code_digest

if TYPE_CHECKING:
    from .design import Task
    from .reduce import ReduceSpec

# This module imports no model code: the command line starts the pool's workers (which import it) before it
# imports and validates anything itself; see prestart().

# Dask's nanny sets MALLOC_TRIM_THRESHOLD_=65536 in each worker before it
# starts; that switches off glibc's dynamic mmap threshold and made numpy-heavy
# runs ~2x slower here (1.47-1.67 s vs 0.70-0.78 s per 60-month run of one
# street; see docs/experiments.md). We keep Dask's trim setting and set the mmap
# threshold explicitly at glibc's dynamic ceiling, which restores the speed.
DASK_WORKER_ENV = {
    "MALLOC_TRIM_THRESHOLD_": "65536",
    "MALLOC_MMAP_THRESHOLD_": str(32 * 1024 * 1024),
}

# Dask's statistical profiler samples every worker thread's stack every 10 ms (for the dashboard,
# which we do not start): with single-threaded runs of about half a second it took the GIL from
# the run often enough to add about 20 % of CPU per run; off for the LocalCluster we start.
DASK_WORKER_CONFIG = {"distributed.worker.profile.enabled": False}
MAX_CHUNK = 8  # most runs per Dask task


class ExecutorError(Exception):
    """The executor could not start (bad address, workers running other code)."""


class Executor(Protocol):
    name: str
    workers: int

    def imap_unordered(self, tasks: Iterable[Task], reduce: ReduceSpec | None = None
                       ) -> Iterator[tuple[Task, dict[str, Any]]]: ...

    def close(self) -> None: ...

    def terminate(self) -> None: ...


class InProcess:
    """Runs tasks one after the other in this process."""

    name = "in-process"

    def __init__(self) -> None:
        self.workers = 1

    def imap_unordered(self, tasks: Iterable[Task], reduce: ReduceSpec | None = None
                       ) -> Iterator[tuple[Task, dict[str, Any]]]:
        from .worker import execute

        for task in tasks:
            yield task, execute(task, reduce)

    def close(self) -> None:
        pass

    def terminate(self) -> None:
        pass


def _ignore_sigint() -> None:
    """Pool processes leave Ctrl-C to the parent, which stops them."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _init_worker(warm: bool) -> None:
    """Start of a pool process: leave Ctrl-C to the parent; with ``warm``, load the model's code and its
    compiled kernels before the first task (see :func:`experiments.worker.warm_up`)."""
    _ignore_sigint()
    if warm:
        from .worker import warm_up

        warm_up()


def _noop() -> None:
    """Sent to start a pool's processes at once."""


def _failure(task: Task, exc: BaseException) -> dict[str, Any]:
    import traceback

    return {"run_id": task.run_id, "key": task.key, "ok": False, "seconds": 0.0,
            "traceback": "".join(traceback.format_exception(exc))}


class LocalPool:
    """A pool of ``workers`` processes, started with ``spawn`` unless ``start_method`` says otherwise
    (``fork``, ``forkserver``: results are the same; tests run both)."""

    name = "process pool"

    def __init__(self, workers: int, start_method: str = "spawn", warm: bool = False):
        if start_method not in multiprocessing.get_all_start_methods():
            raise ExecutorError(f"start method {start_method!r} not available here; "
                                f"available: {', '.join(multiprocessing.get_all_start_methods())}")
        self.workers = workers
        self.start_method = start_method
        self.warm = warm
        self._pool: cf.ProcessPoolExecutor | None = None

    def _start(self) -> cf.ProcessPoolExecutor:
        if self._pool is None:
            self._pool = cf.ProcessPoolExecutor(max_workers=self.workers,
                                                mp_context=multiprocessing.get_context(self.start_method),
                                                initializer=_init_worker, initargs=(self.warm,))
        return self._pool

    def start(self) -> "LocalPool":
        """Start every worker process now (they import and warm up while this process goes on)."""
        pool = self._start()
        for _ in range(self.workers):
            pool.submit(_noop)
        return self

    def imap_unordered(self, tasks: Iterable[Task], reduce: ReduceSpec | None = None
                       ) -> Iterator[tuple[Task, dict[str, Any]]]:
        from .worker import execute

        window = 2 * self.workers + 1
        it = iter(tasks)
        pending: dict[cf.Future, Task] = {}

        def fill() -> None:
            while len(pending) < window:
                task = next(it, None)
                if task is None:
                    return
                pending[self._start().submit(execute, task, reduce)] = task

        fill()
        while pending:
            done, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
            for fut in sorted(done, key=lambda f: pending[f].run_id):
                task = pending.pop(fut)
                try:
                    result = fut.result()
                except cf.process.BrokenProcessPool as exc:
                    # a worker process died (killed, out of memory): record the run,
                    # start a fresh pool for the rest
                    result = _failure(task, exc)
                    self._discard()
                except Exception as exc:  # noqa: BLE001 - e.g. a task that cannot be pickled
                    result = _failure(task, exc)
                yield task, result
            fill()

    def finish(self) -> None:
        """Every run is done: stop the idle workers without waiting for their interpreters to shut down
        (~0.35 s each with numpy, numba and pandas loaded; ``close`` waits for that), and the pool."""
        self.terminate()

    def _discard(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def terminate(self) -> None:
        """Stop at once (Ctrl-C): kill the worker processes, drop queued runs."""
        if self._pool is not None:
            # ProcessPoolExecutor has no public way to stop running work before Python 3.14
            for proc in list((getattr(self._pool, "_processes", None) or {}).values()):
                proc.terminate()
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class DaskExecutor:
    """Dask distributed: a LocalCluster (``address="local"``) or a running scheduler's address."""

    name = "dask"

    def __init__(self, address: str, workers: int):
        import dask
        from distributed import Client, LocalCluster

        self._cluster = None
        self._env_before = {k: os.environ.get(k) for k in (*DASK_WORKER_ENV, "PYTHONHASHSEED",
                                                              "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                                                              "OPENBLAS_NUM_THREADS")}
        try:
            if address == "local":
                config = {f"distributed.nanny.pre-spawn-environ.{k}": v for k, v in DASK_WORKER_ENV.items()}
                config.update(DASK_WORKER_CONFIG)
                with dask.config.set(config):
                    self._cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                                 dashboard_address=None, silence_logs=40)
                self.client = Client(self._cluster)
                self.name = "dask LocalCluster"
            else:
                self.client = Client(address, timeout="20s")
                self.name = f"dask cluster at {address}"
        except (OSError, ValueError, TypeError) as exc:
            self.close()
            raise ExecutorError(f"--dask {address}: cannot connect ({exc})") from None
        self._check_workers()
        self.workers = max(1, len(self.client.scheduler_info().get("workers", {})))

    def _check_workers(self) -> None:
        try:
            from .worker import worker_info

            infos = self.client.run(worker_info)
        except Exception as exc:  # noqa: BLE001 - workers that cannot import this code
            self.close()
            raise ExecutorError(f"Dask workers cannot run this project's code ({type(exc).__name__}: {exc}); "
                                "start them from the project folder with the same environment") from None
        ours = code_digest()
        for addr, info in infos.items():
            if info["code"] != ours:
                self.close()
                raise ExecutorError(f"Dask worker {addr} runs different model code than this checkout; "
                                    "results would not be reproducible")

    def imap_unordered(self, tasks: Iterable[Task], reduce: ReduceSpec | None = None
                       ) -> Iterator[tuple[Task, dict[str, Any]]]:
        """Runs in chunks of up to ``MAX_CHUNK`` per Dask task (at least 4 chunks per worker):
        each Dask task costs scheduling in this process and the scheduler's (about 30-40 ms
        a task on 2 cores, against 0.45 s a street run), so several runs share one. A chunk
        whose worker is lost is run again elsewhere by Dask; one that fails is recorded as
        failed runs, each of which ``--resume`` retries."""
        from distributed import as_completed

        from .worker import execute_many

        todo = list(tasks)
        size = max(1, min(MAX_CHUNK, len(todo) // (4 * self.workers)))
        chunks = [todo[i:i + size] for i in range(0, len(todo), size)]
        window = 2 * self.workers + 1
        it = iter(chunks)
        pending: dict[Any, list[Task]] = {}
        ac = as_completed()

        def fill() -> None:
            while len(pending) < window:
                chunk = next(it, None)
                if chunk is None:
                    return
                fut = self.client.submit(execute_many, chunk, reduce, pure=False,
                                         key=f"runs-{chunk[0].run_id}-{chunk[-1].run_id}-{chunk[0].key[:12]}")
                pending[fut] = chunk
                ac.add(fut)

        fill()
        for fut in ac:
            chunk = pending.pop(fut)
            try:
                results = fut.result()
            except Exception as exc:  # noqa: BLE001 - KilledWorker and the like: the runs are recorded as failed
                results = [_failure(task, exc) for task in chunk]
            fut.release()
            for task, result in zip(chunk, results, strict=True):
                yield task, result
            fill()

    def terminate(self) -> None:
        self.close()

    def close(self) -> None:
        client = getattr(self, "client", None)
        if client is not None:
            client.close()
            self.client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None
        # The nanny writes its pre-spawn environment into this process's os.environ;
        # put it back so later child processes of ours are not affected.
        for k, v in self._env_before.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


_prestarted: LocalPool | None = None


def prestart(workers: int) -> None:
    """Start a local pool of ``workers`` warmed-up processes now, for the next :func:`make_executor` asking
    for one (the command line calls this first thing, so that the workers' start-up overlaps the
    parent's own imports and validation). Replaces an unused earlier one."""
    global _prestarted
    discard_prestarted()
    _prestarted = LocalPool(workers, warm=True).start()


def discard_prestarted() -> None:
    """Stop a prestarted pool nobody took (bad input, or an executor of another kind was asked for)."""
    global _prestarted
    if _prestarted is not None:
        _prestarted.terminate()
        _prestarted = None


def make_executor(workers: int, dask: str | None) -> Executor:
    """The executor the command line asks for (the prestarted pool when it fits)."""
    global _prestarted
    if dask is None and workers > 0 and _prestarted is not None and _prestarted.workers == workers:
        pool, _prestarted = _prestarted, None
        return pool
    discard_prestarted()
    if dask is not None:
        return DaskExecutor(dask, max(1, workers))
    if workers == 0:
        return InProcess()
    return LocalPool(workers)
