"""The ``experiment`` subcommand of run.py.

    python run.py experiment FILE [--workers N] [--dask local|ADDRESS] [--out DIR] [--resume] [--lang en|zh]

Bad input (the file, an option, a missing CJK font for ``--lang zh``, an
unreachable Dask scheduler) ends with exit code 2 and a message naming what
is at fault, before anything is written.

run.py imports this module for every command, so the model and the parts of
the package that import it (seconds) are imported inside the functions that
need them; ``executors`` imports no model code and is imported here.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from . import executors
from .executors import ExecutorError

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FILE = ROOT / "experiments" / "default.toml"
MAX_WORKERS = 512
EXIT_IO_ERROR = 74
"""A result file could not be written (sysexits' EX_IOERR), as in run.py."""


class UsageError(Exception):
    """Bad command-line input (exit code 2)."""


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``experiment`` to run.py's subcommands."""
    p = subparsers.add_parser(
        "experiment", help="run an experiment file: arms x replications, effects with CIs, figures, report",
        description="Run an experiment file (see docs/experiments.md).")
    p.add_argument("file", help="experiment TOML file")
    p.add_argument("--workers", type=int, default=None,
                   help="worker processes (default: the number of cores; 0 = run in this process)")
    p.add_argument("--dask", default=None, metavar="local|ADDRESS",
                   help="run on Dask: 'local' starts a LocalCluster of --workers processes; "
                        "an address (tcp://host:8786) joins a running scheduler")
    p.add_argument("--out", default=None, help="output folder (default results/<experiment name>)")
    p.add_argument("--resume", action="store_true", help="keep finished runs and run only the missing ones")
    p.add_argument("--lang", choices=("en", "zh"), default="en", help="language of figures and report")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--progress", action="store_true", help="progress bar even when not on a terminal")
    p.set_defaults(func=run_experiment_cli)
    return p


def _terminate(_signum: int, _frame: object) -> None:
    """SIGTERM stops an experiment like Ctrl-C: workers stopped, finished runs kept, exit code 130."""
    raise KeyboardInterrupt


def _cores() -> int:
    """Cores this process may use (the affinity mask where there is one)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _out_dir(out: str | None, name: str) -> Path:
    from model.output import output_folder  # imports the model: only when an experiment runs

    try:
        return output_folder(out, name)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def run_experiment_cli(args: argparse.Namespace) -> int:
    """Validate everything, run, and return the exit code (0 ok, 1 failed runs, 2 bad input, 74 a file could
    not be written, 130 interrupted)."""
    workers = _cores() if args.workers is None else args.workers
    if args.dask is None and 1 <= workers <= MAX_WORKERS and Path(args.file).is_file():
        # the pool's processes start now: their imports and warm-up overlap ours and the validation
        executors.prestart(workers)
    try:
        return _run(args, workers)
    finally:
        executors.discard_prestarted()


def _run(args: argparse.Namespace, workers: int) -> int:
    from .i18n import FontError  # these import the model: only when an experiment runs
    from .load import ExperimentError, load_experiment

    try:
        exp = load_experiment(args.file)
        if not 0 <= workers <= MAX_WORKERS:
            raise UsageError(f"--workers {workers}: allowed 0 (in this process) to {MAX_WORKERS}")
        if args.dask is not None and not args.dask.strip():
            raise UsageError("--dask: give 'local' or a scheduler address such as tcp://127.0.0.1:8786")
        out = _out_dir(args.out, exp.output_name)
        if out.exists() and not out.is_dir():
            raise UsageError(f"--out {str(out)!r} exists and is not a folder")
        if args.lang == "zh":
            from .figures import require_cjk_font  # matplotlib: imported here only when needed

            require_cjk_font()
        from .runner import run_experiment  # imports the model, pandas and matplotlib

        show = not args.quiet and (args.progress or sys.stderr.isatty())
        previous = signal.signal(signal.SIGTERM, _terminate)
        try:
            result = run_experiment(exp, out, workers=max(workers, 1) if args.dask else workers, dask=args.dask,
                                    resume=args.resume, lang=args.lang, show_progress=show)
        finally:
            signal.signal(signal.SIGTERM, previous)
    except ExperimentError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (UsageError, FontError, ExecutorError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        # a full disk or a read-only folder while storing results: each file is written atomically
        where = f" {exc.filename}" if exc.filename else " results"
        print(f"error: cannot write{where}: {exc.strerror or exc}. Finished runs are kept and no file is "
              "half-written: fix the cause and run again with --resume", file=sys.stderr)
        return EXIT_IO_ERROR
    return result.exit_code
