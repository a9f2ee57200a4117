"""Running an experiment: the runs that are missing, then tables, figures and the report.

Order of work:

1. the executor starts (a bad Dask address fails here, before anything is written);
2. the results folder is prepared (``--resume`` keeps finished runs);
3. missing runs execute, each stored as it finishes (progress bar: runs done,
   failures, time left); with ``replications = "auto"`` in batches until every
   arm's effect interval on the named outcome is narrow enough or the maximum
   is reached;
4. manifest.csv, failures.csv, posterior_used.json (drawing from a posterior), the CSV
   tables, figures and report are written.

Exit codes: 0 all runs finished; 1 some runs failed (recorded with seed,
parameters and traceback; everything else is written); 130 interrupted
(finished runs are kept: ``--resume`` goes on from there).
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pandas as pd

from model.output import atomic_write_text, csv_text, git_commit, versions

from . import analysis
from .design import Plan, Task
from .executors import Executor, LocalPool, make_executor
from .i18n import outcome_label, t
from .posterior import posterior_record
from .reduce import Reduced, ReduceSpec
from .report import RunInfo, write_report
from .spec import Experiment
from .store import Store

EXIT_OK, EXIT_FAILED_RUNS, EXIT_INTERRUPTED = 0, 1, 130


@dataclass
class RunResult:
    """What an invocation did."""

    exit_code: int
    out: Path
    replications: int
    done: int
    failed: int
    executed: int
    seconds: float


class _Progress:
    """tqdm bar of runs with failures in the postfix; a no-op when hidden."""

    def __init__(self, show: bool, desc: str):
        self.bar = None
        self.failed = 0
        if show:
            from tqdm import tqdm

            self.bar = tqdm(total=0, desc=desc, unit="run", mininterval=0.5, dynamic_ncols=True, file=sys.stderr)

    def add_total(self, n: int) -> None:
        if self.bar is not None and n:
            self.bar.total += n
            self.bar.refresh()

    def step(self, ok: bool) -> None:
        if not ok:
            self.failed += 1
        if self.bar is not None:
            if not ok:
                self.bar.set_postfix(failed=self.failed, refresh=False)
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


@dataclass
class _Reductions:
    """Runs reduced by their workers in this invocation (by run id), and what the workers keep of each."""

    spec: ReduceSpec
    runs: dict[str, Reduced]


def _execute(tasks: list[Task], store: Store, executor: Executor, bar: _Progress,
             red: _Reductions | None = None) -> tuple[int, int]:
    """Run the tasks not yet finished; returns (executed, failed)."""
    missing = [task for task in tasks if not store.is_done(task)]
    bar.add_total(len(missing))
    executed = failed = 0
    results = executor.imap_unordered(missing) if red is None else executor.imap_unordered(missing, red.spec)
    for task, result in results:
        ok = store.record(task, result)
        if ok and red is not None and result.get("reduced") is not None:
            red.runs[task.run_id] = result["reduced"]
        executed += 1
        failed += not ok
        bar.step(ok)
    return executed, failed


def _run_auto(exp: Experiment, plan: Plan, store: Store, executor: Executor, bar: _Progress,
              lang: str, red: _Reductions | None = None) -> tuple[int, str, int]:
    """Batches of replications until the effect intervals are narrow enough; returns (replications, reason, executed)."""
    auto = exp.auto
    assert auto is not None
    reps = auto.min
    executed = 0
    history = []
    while True:
        tasks = plan.tasks(range(reps))
        n, _ = _execute(tasks, store, executor, bar, red)
        executed += n
        col = analysis.collect(store, tasks, columns=["month", auto.outcome], reduced=red.runs if red else None,
                               window=exp.window, burn_in=exp.burn_in)
        widths = analysis.effect_half_widths(exp, col.ends, auto.outcome)
        widest = max(widths.values()) if widths else math.inf
        history += [{"replications": reps, "arm": arm, "half_width": hw} for arm, hw in widths.items()]
        if widest <= auto.half_width:
            reason = t("auto_reached", lang, outcome=outcome_label(auto.outcome, lang), target=auto.half_width)
            break
        if reps >= auto.max:
            reason = t("auto_max", lang, outcome=outcome_label(auto.outcome, lang), hw=f"{widest:.4g}")
            break
        reps = min(auto.max, reps + auto.batch)
    atomic_write_text(store.root / "auto_replications.csv", csv_text(pd.DataFrame(history)))
    return reps, reason, executed


def run_experiment(exp: Experiment, out: Path, workers: int, dask: str | None = None, resume: bool = False,
                   lang: str = "en", show_progress: bool = False,
                   log: Callable[[str], None] = print, figures: bool = True) -> RunResult:
    """Run an experiment into ``out``; see the module docstring for the order and exit codes.

    ``figures=False`` leaves the figures out (the report then has none): for tests and quick looks.
    """
    start = time.perf_counter()
    executor = make_executor(workers, dask)
    store = Store(out)
    plan = Plan(exp)
    band = exp.headline if exp.sweep is None else []
    red = _Reductions(ReduceSpec(tuple(band), exp.window, exp.burn_in), {})
    loading = _start_loading_figure_code(executor) if figures else None
    ran = _run_tasks(exp, plan, store, executor, _Progress(show_progress, exp.name), resume, lang, red, out, log)
    if ran is None:
        return RunResult(EXIT_INTERRUPTED, out, 0, 0, 0, 0, time.perf_counter() - start)
    reps, reason, executed = ran

    tasks = plan.tasks(range(reps))
    store.write_manifest(tasks)
    _write_posterior_record(exp, out)
    store.write_failures_csv()
    done = sum(1 for _ in store.iter_done(tasks))
    failed = len(tasks) - done
    col = analysis.collect(store, tasks, band_outcomes=band, reduced=red.runs, window=exp.window, burn_in=exp.burn_in)
    tables = analysis.build_tables(exp, plan, col)
    analysis.write_tables(out, tables)
    made = _write_figures(exp, col, tables, out, lang, loading) if figures else {}
    _write_report(exp, tables, made, out, lang, executor,
                  dict(replications=reps, auto_reason=reason, done=done, failed=failed, executed=executed,
                       seconds=time.perf_counter() - start))
    seconds = time.perf_counter() - start
    _log_summary(log, exp, plan, out, reps, len(tasks), executed, failed, seconds)
    return RunResult(EXIT_FAILED_RUNS if failed else EXIT_OK, out, reps, done, failed, executed, seconds)


def _write_posterior_record(exp: Experiment, out: Path) -> None:
    """posterior_used.json for an experiment drawing from a posterior (which posterior, how many draws and
    distinct particles, the rest mode); a stale one is removed."""
    path = out / "posterior_used.json"
    if exp.draws is None or exp.draws.posterior is None or exp.uncertainty is None:
        path.unlink(missing_ok=True)
        return
    seed = exp.uncertainty.seed if exp.uncertainty.seed is not None else exp.seed
    record = posterior_record(exp.draws, str(exp.uncertainty.posterior), seed)
    atomic_write_text(path, json.dumps(record, indent=1, sort_keys=True) + "\n")


def _start_loading_figure_code(executor: Executor) -> threading.Thread | None:
    """Load matplotlib and the figure code in a thread while the runs go (this process mostly waits for the
    workers); not when workers are forked (a thread at fork time is unsafe): they then load after the runs."""
    if getattr(executor, "start_method", None) == "fork":
        return None
    loading = threading.Thread(target=_load_figure_code, name="load-figure-code", daemon=True)
    loading.start()
    return loading


def _run_tasks(exp: Experiment, plan: Plan, store: Store, executor: Executor, bar: _Progress, resume: bool,
               lang: str, red: _Reductions, out: Path, log: Callable[[str], None]) -> tuple[int, str, int] | None:
    """Prepare the results folder and run the missing runs (fixed or automatic replications); returns
    (replications, reason for the automatic count, runs executed), or None when interrupted (finished runs
    are kept). The executor is closed in every case."""
    try:
        store.prepare(resume, exp.text)
        if exp.auto is not None:
            reps, reason, executed = _run_auto(exp, plan, store, executor, bar, lang, red)
        else:
            reps, reason = int(exp.meta.replications), ""
            executed, _ = _execute(plan.tasks(range(reps)), store, executor, bar, red)
    except KeyboardInterrupt:
        bar.close()
        executor.terminate()
        log(f"interrupted: finished runs are kept in {out}; run again with --resume to go on")
        return None
    except BaseException:
        # e.g. a full disk while storing a run: stop the workers now rather than wait for their runs
        bar.close()
        executor.terminate()
        raise
    else:
        # every run is done: a local pool's idle workers are stopped without waiting for their shutdown
        if isinstance(executor, LocalPool):
            executor.finish()
    finally:
        bar.close()
        executor.close()
    return reps, reason, executed


def _write_figures(exp: Experiment, col: analysis.Collected, tables: analysis.Tables, out: Path, lang: str,
                   loading: threading.Thread | None) -> dict[str, Path]:
    """Write the figures (once the figure code has loaded); returns them by kind."""
    if loading is not None:
        loading.join()
    from .figures import write_figures

    return write_figures(exp, col, tables, out, lang)


def _write_report(exp: Experiment, tables: analysis.Tables, made: dict[str, Path], out: Path, lang: str,
                  executor: Executor, counts: dict) -> None:
    """Write report.md and report.html with the invocation's provenance (``counts``: replications,
    auto_reason, done, failed, executed, seconds)."""
    info = RunInfo(**counts, executor=f"{executor.name}, {executor.workers} worker(s)",
                   git_commit=git_commit(), versions=_versions(),
                   generated=_dt.datetime.now().astimezone().isoformat(timespec="seconds"))
    write_report(exp, tables, made, info, out, lang)


def _log_summary(log: Callable[[str], None], exp: Experiment, plan: Plan, out: Path, reps: int, runs: int,
                 executed: int, failed: int, seconds: float) -> None:
    """Say what ran, where the results are and where the failures are listed."""
    visible = len(exp.visible_arms)
    log(f"experiment {exp.name!r}: {visible} arm(s) x {reps} replication(s)"
        + (f" x {len(plan.points)} design points" if exp.sweep else "")
        + (f" x {plan.n_draws} parameter draws" if exp.draws is not None else "")
        + f" = {runs} runs ({executed} executed now, {failed} failed) in {seconds:.1f} s")
    log(f"results in {out}/ (report.md, report.html, summary.csv, effects.csv, ...)")
    if failed:
        log(f"{failed} run(s) failed: see {out / 'failures.csv'}; --resume retries only them")


def _load_figure_code() -> None:
    """Import matplotlib and the figure code (in a thread, while the runs go; ~0.25 s of CPU). An import
    error is left for the import after the runs to report."""
    try:
        from . import figures  # noqa: F401
    except Exception:  # noqa: BLE001
        pass


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    v = versions()
    for pkg in ("SALib", "dask", "distributed", "pyarrow", "matplotlib"):
        try:
            v[pkg] = version(pkg)
        except PackageNotFoundError:
            continue
    return v
