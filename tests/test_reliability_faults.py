"""Faults: kill -9, Ctrl-C, a Dask worker lost, a full disk. Nothing finished is lost, no partial
file is ever read back, and the final results equal an uninterrupted run byte for byte.

* ``kill -9`` at five moments in a row, each followed by ``--resume``: in the middle of
  writing a run file, right after a run file is in place but before its manifest entry, in
  the middle of writing an entry, at a random moment with a pool worker running, and while
  the summary tables are written. A kill "in the middle of a write" is made exact by a
  driver that wraps the ``os`` calls of ``model.output.atomic_write_bytes`` and kills its
  whole process group at that point. Files of runs finished before a resume are never
  rewritten (same inode and mtime): only the missing runs execute.
* Ctrl-C (SIGINT to the process group) or SIGTERM to the parent: exit within seconds with
  code 130 and an "interrupted" message, finished runs kept, no process of the group left
  behind.
* A Dask LocalCluster worker killed mid-sweep: the sweep completes with the same bytes and
  every run is stored once.
* A full disk (ENOSPC) or an error while writing: each file holds its previous content or
  is absent, never half of one, no temporary file is left, and the command exits with code
  74 naming the file, without a traceback.
"""

from __future__ import annotations

import errno
import importlib.util
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from conftest import PYTHON, ROOT, RUN_PY

sys.path.insert(0, str(Path(__file__).resolve().parent / "experiments"))
from exp_helpers import assert_same_bytes, checkout_state, folder_digest, run_quiet, write_experiment  # noqa: E402

import model.output as output  # noqa: E402
from experiments.store import Store  # noqa: E402

RENT = "parameters.organizations.rent_subsidy_share"
FUND = "parameters.committees.self_governance_fund_yuan"
WORLD = {"world.residents_per_committee": 1000}
ARMS = {"base": dict(WORLD), "rent": {**WORLD, RENT: 0.8}, "funds": {**WORLD, FUND: 60000.0}}
N_RUNS = 18  # 3 arms x 6 replications
EXIT_IO_ERROR = 74


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    """The experiment every fault test interrupts, and its uninterrupted reference (no figures)."""
    tmp = tmp_path_factory.mktemp("faults")
    state = checkout_state()
    path = write_experiment(tmp, arms=ARMS, replications=6, months=12, seed=3)
    ref = tmp / "ref"
    res = run_quiet(path, ref, figures=False)
    assert res.exit_code == 0 and res.done == N_RUNS
    return path, ref, state


def canonical(root: Path) -> dict[str, str]:
    """Digests of the canonical files (no report, no figures: the references are run without them)."""
    return {k: v for k, v in folder_digest(root).items() if not k.startswith("figures/")}


def finished(out: Path, replications: int = 6) -> dict[str, tuple[int, int, int, int]]:
    """run id -> (inode, mtime) of its run file and its entry, for every run the store counts as done."""
    from experiments.design import Plan
    from experiments.load import load_experiment

    store = Store(out)
    exp = load_experiment(out / "experiment.toml") if (out / "experiment.toml").exists() else None
    if exp is None:
        return {}
    done = {}
    for task in Plan(exp).tasks(range(replications)):
        if store.is_done(task):
            a, b = store.run_path(task.run_id).stat(), store.entry_path(task.run_id).stat()
            done[task.run_id] = (a.st_ino, a.st_mtime_ns, b.st_ino, b.st_mtime_ns)
    return done


def entries(out: Path) -> dict[str, tuple[int, int, int, int]]:
    """Quick look (for polling): run id -> (inode, mtime) of run file and entry, for every entry present."""
    found = {}
    for entry in (out / "manifest").glob("*.json") if (out / "manifest").is_dir() else []:
        try:
            a, b = (out / "runs" / f"{entry.stem}.parquet").stat(), entry.stat()
        except OSError:
            continue
        found[entry.stem] = (a.st_ino, a.st_mtime_ns, b.st_ino, b.st_mtime_ns)
    return found


def temp_files(out: Path) -> list[Path]:
    return [p for p in out.rglob(".*.tmp")]


def group_alive(pgid: int) -> list[int]:
    """Live (not zombie) processes of a process group, from /proc."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2:].split()
        if fields[0] != "Z" and int(fields[2]) == pgid:
            pids.append(int(stat.parent.name))
    return pids


# ---------------------------------------------------------------------------
# kill -9 at several moments, then --resume
# ---------------------------------------------------------------------------
KILL_DRIVER = r'''
"""Run run.py's main() and SIGKILL the whole process group at an exact point of an atomic write."""
import fnmatch, os as _os, signal, sys
sys.path.insert(0, {root!r})
import model.output as output

pattern, nth, phase = sys.argv[1], int(sys.argv[2]), sys.argv[3]
seen = 0
armed = None

def die():
    _os.killpg(_os.getpgid(0), signal.SIGKILL)
    import time
    time.sleep(60)  # never reached

class File:
    def __init__(self, fh, tmp):
        self.fh, self.tmp = fh, tmp
    def __enter__(self):
        return self
    def __exit__(self, *exc):
        return self.fh.__exit__(*exc)
    def write(self, data):
        if phase == "mid-write" and self.tmp == armed:
            self.fh.write(data[: len(data) // 2])
            self.fh.flush()
            _os.fsync(self.fh.fileno())
            die()
        return self.fh.write(data)
    def __getattr__(self, name):
        return getattr(self.fh, name)

class Os:
    def __getattr__(self, name):
        return getattr(_os, name)
    def fdopen(self, fd, *args, **kwargs):
        global seen, armed
        tmp = _os.readlink(f"/proc/self/fd/{{fd}}")
        if fnmatch.fnmatch(tmp, pattern):
            seen += 1
            if seen == nth:
                armed = tmp
        return File(_os.fdopen(fd, *args, **kwargs), tmp)
    def replace(self, src, dst):
        if phase == "before-rename" and src == armed:
            die()
        _os.replace(src, dst)
        if phase == "after-rename" and src == armed:
            die()

output.os = Os()
import importlib.util
spec = importlib.util.spec_from_file_location("run_cli", {run_py!r})
run = importlib.util.module_from_spec(spec)
spec.loader.exec_module(run)
sys.exit(run.main(sys.argv[4:]))
'''

# (what is being written, which such write of the invocation, where in it, workers)
KILLS = [
    ("*/runs/.*.parquet.*.tmp", 4, "mid-write"),      # half a run file in a temporary file
    ("*/runs/.*.parquet.*.tmp", 5, "after-rename"),   # a run file in place, its entry not yet written
    ("*/manifest/.*.json.*.tmp", 2, "mid-write"),     # half a manifest entry
    ("random", 0, "random"),                          # any moment, with a pool worker running
    ("*/.summary.csv.*.tmp", 1, "mid-write"),         # the tables, after every run finished
]


@pytest.mark.slow
def test_kill_9_at_several_moments_then_resume_gives_the_same_bytes(study, tmp_path):
    path, ref, state = study
    driver = tmp_path / "kill_driver.py"
    driver.write_text(KILL_DRIVER.format(root=str(ROOT), run_py=str(RUN_PY)), encoding="utf-8")
    out = tmp_path / "out"
    rng = random.Random(7)
    for step, (pattern, nth, phase) in enumerate(KILLS):
        before = finished(out)
        args = ["experiment", str(path), "--out", str(out), "--quiet", "--workers", "1" if phase == "random" else "0"]
        if step:
            args.append("--resume")
        if phase == "random":
            proc = subprocess.Popen([PYTHON, str(RUN_PY), *args], cwd=ROOT, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, start_new_session=True)
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and proc.poll() is None and len(entries(out)) <= len(before):
                time.sleep(0.01)
            time.sleep(rng.uniform(0.0, 0.4))
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        else:
            proc = subprocess.run([PYTHON, str(driver), pattern, str(nth), phase, *args], cwd=ROOT,
                                  capture_output=True, text=True, timeout=180, start_new_session=True)
            assert proc.returncode == -signal.SIGKILL, f"step {step} ({phase} {pattern}): not killed\n{proc.stderr}"
        after = finished(out)
        # only missing runs were executed: runs finished before were not written again
        assert {k: after.get(k) for k in before} == before, f"step {step}: a finished run was rewritten"
        if phase == "mid-write" and "summary" not in pattern:
            partial = temp_files(out)
            assert partial, f"step {step}: the kill should leave a half-written temporary file"
        if phase == "after-rename":
            orphans = {p.stem for p in (out / "runs").glob("*.parquet")} - set(after)
            assert len(orphans) == 1, "a run file without its entry"
    assert len(finished(out)) == N_RUNS  # the last kill came after every run

    before = finished(out)
    (out / "runs" / ".base.r0000.parquet.leftover.tmp").write_bytes(b"PAR1 half")  # junk a reader might trip on
    res = run_quiet(path, out, figures=False, resume=True)
    assert res.exit_code == 0 and res.executed == 0
    assert finished(out) == before
    assert not temp_files(out)
    assert_same_bytes(canonical(out), canonical(ref), state)


# ---------------------------------------------------------------------------
# Ctrl-C
# ---------------------------------------------------------------------------
def children(pid: int) -> list[int]:
    """Direct children of a process (read at once from /proc: no time for the sweep to end meanwhile)."""
    kids = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            kids += [int(k) for k in (task / "children").read_text().split()]
        except OSError:
            continue
    return kids


@pytest.fixture(scope="module")
def long_study(tmp_path_factory):
    """Runs long enough (about 0.2 s each, 20 of them) that a signal lands mid-sweep even on a busy machine."""
    tmp = tmp_path_factory.mktemp("ctrl-c")
    arms = {"base": {"world.residents_per_committee": 4000},
            "rent": {"world.residents_per_committee": 4000, RENT: 0.8}}
    return write_experiment(tmp, arms=arms, replications=10, months=24, seed=3)


@pytest.mark.slow
@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_ctrl_c_stops_quickly_keeps_finished_runs_and_leaves_no_process(long_study, tmp_path, how):
    """Ctrl-C in a terminal sends SIGINT to the whole process group; ``kill PID`` sends SIGTERM
    to the parent only: both stop the experiment the same way. (Resuming after a stop is the
    same as after a kill: see the test above.)"""
    out = tmp_path / "out"
    # SIGINT at its default in the child: a shell starts background jobs with SIGINT ignored, and
    # Python then leaves it ignored (no KeyboardInterrupt), as a terminal job would not be
    proc = subprocess.Popen([PYTHON, str(RUN_PY), "experiment", str(long_study), "--out", str(out),
                             "--workers", "2", "--quiet"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None and not entries(out):
            time.sleep(0.01)
        kids = children(proc.pid)
        if how == "ctrl-c":
            os.killpg(proc.pid, signal.SIGINT)
        else:
            os.kill(proc.pid, signal.SIGTERM)
        sent = time.monotonic()
        kept = entries(out)
        stdout, stderr = proc.communicate(timeout=30)
        took = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert len(kids) >= 2, "the pool's worker processes were running when the signal came"
    assert took < 10.0, f"stopping took {took:.1f} s"  # about 0.5 s here; room for a busy CI machine
    assert proc.returncode == 130, f"exit {proc.returncode} (did the sweep end first?)\n{stdout}\n{stderr}"
    assert "interrupted" in stdout + stderr and "--resume" in stdout + stderr
    assert "Traceback" not in stderr, stderr
    after = finished(out, replications=10)
    assert kept and len(after) < 20, "the signal landed mid-sweep"
    assert {k: after.get(k) for k in kept} == kept, "finished runs are kept as they were"
    deadline = time.monotonic() + 5
    while group_alive(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not group_alive(proc.pid), f"processes left behind: {group_alive(proc.pid)}"
    assert not temp_files(out)


# ---------------------------------------------------------------------------
# a Dask worker killed mid-sweep
# ---------------------------------------------------------------------------
@pytest.mark.slow
def test_dask_worker_killed_mid_sweep_same_results_each_run_stored_once(study, tmp_path, monkeypatch):
    path, ref, state = study
    from experiments import runner

    made = []
    original_make = runner.make_executor

    def make(workers, dask):
        ex = original_make(workers, dask)
        made.append(ex)
        return ex

    stored: Counter[str] = Counter()
    killed = []
    original_record = Store.record

    def record(self, task, result):
        stored[task.run_id] += 1
        ok = original_record(self, task, result)
        if sum(stored.values()) == 2 and not killed:
            client = made[0].client
            pids = client.run(os.getpid)
            busy = [addr for addr, keys in client.processing().items() if keys]
            victim = busy[0] if busy else next(iter(pids))
            os.kill(pids[victim], signal.SIGKILL)
            killed.append((victim, bool(busy)))
        return ok

    monkeypatch.setattr(runner, "make_executor", make)
    monkeypatch.setattr(Store, "record", record)
    out = tmp_path / "dask"
    res = run_quiet(path, out, workers=2, dask="local", figures=False)
    assert killed and killed[0][1], "a worker was killed while it had runs to do"
    assert res.exit_code == 0 and res.done == N_RUNS and res.failed == 0
    assert len(stored) == N_RUNS and set(stored.values()) == {1}, "each run stored once"
    assert_same_bytes(canonical(out), canonical(ref), state)


# ---------------------------------------------------------------------------
# a full disk or an error while writing
# ---------------------------------------------------------------------------
def enospc() -> OSError:
    return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


class _HalfWriter:
    """A file whose write puts half the bytes on disk, then fails."""

    def __init__(self, fh, exc):
        self.fh, self.exc = fh, exc

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return self.fh.__exit__(*exc_info)

    def write(self, data):
        self.fh.write(data[: len(data) // 2])
        self.fh.flush()
        raise self.exc()

    def __getattr__(self, name):
        return getattr(self.fh, name)


class FaultyOs:
    """``model.output``'s view of ``os``: the ``nth`` atomic write whose temporary file's path
    contains ``match`` fails at ``phase`` ('write' after half the bytes, 'fsync', 'replace')
    with the exception ``exc()`` makes (a full disk unless told)."""

    def __init__(self, match: str = "", nth: int = 1, phase: str = "write", exc=enospc):
        self.match, self.nth, self.phase, self.exc = match, nth, phase, exc
        self.seen = 0
        self.armed: str | None = None

    def __getattr__(self, name):
        return getattr(os, name)

    def fdopen(self, fd, *args, **kwargs):
        tmp = os.readlink(f"/proc/self/fd/{fd}")
        if self.match in tmp:
            self.seen += 1
            if self.seen == self.nth:
                self.armed = tmp
        fh = os.fdopen(fd, *args, **kwargs)
        return _HalfWriter(fh, self.exc) if self.phase == "write" and tmp == self.armed else fh

    def fsync(self, fd):
        if self.phase == "fsync" and os.readlink(f"/proc/self/fd/{fd}") == self.armed:
            raise self.exc()
        return os.fsync(fd)

    def replace(self, src, dst):
        if self.phase == "replace" and src == self.armed:
            raise self.exc()
        return os.replace(src, dst)


@pytest.fixture(scope="module")
def run_main():
    spec = importlib.util.spec_from_file_location("run_cli_faults", RUN_PY)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.main


@pytest.mark.parametrize("phase", ["write", "fsync", "replace"])
@pytest.mark.parametrize("exc", [enospc, lambda: OSError(errno.EIO, os.strerror(errno.EIO)), KeyboardInterrupt],
                         ids=["ENOSPC", "EIO", "Ctrl-C"])
def test_atomic_write_keeps_the_previous_file_or_none(tmp_path, monkeypatch, phase, exc):
    target = tmp_path / "sub" / "table.csv"
    output.atomic_write_text(target, "old,complete\n")
    monkeypatch.setattr(output, "os", FaultyOs("table.csv", 1, phase, exc))
    kind = type(exc())
    with pytest.raises(kind) as info:
        output.atomic_write_bytes(target, b"new," * 100_000)
    assert target.read_text() == "old,complete\n"
    fresh = tmp_path / "sub" / "fresh.csv"
    monkeypatch.setattr(output, "os", FaultyOs("fresh.csv", 1, phase, exc))
    with pytest.raises(kind):
        output.atomic_write_bytes(fresh, b"new")
    assert not fresh.exists()
    assert sorted(p.name for p in target.parent.iterdir()) == ["table.csv"], "no temporary file is left"
    if issubclass(kind, OSError):
        assert info.value.errno == exc().errno and info.value.filename == str(target), "the error names the file"


SIM_FILES = ("timeseries.csv", "by_group.csv", "by_committee.csv", "by_type.csv", "spending.csv", "summary.json",
             "scenario.toml")
SMALL = '[scenario]\nname = "disk"\nextends = "baseline"\nmonths = 4\n[world]\ncommittees_per_street = 3\n' \
        'residents_per_committee = 400\n'


def test_simulate_on_a_full_disk_exit_74_previous_files_or_new_ones(tmp_path, monkeypatch, run_main, capsys):
    sc = tmp_path / "small.toml"
    sc.write_text(SMALL, encoding="utf-8")
    out, new = tmp_path / "out", tmp_path / "new"
    assert run_main(["simulate", str(sc), "--seed", "1", "--out", str(out), "--quiet"]) == 0
    assert run_main(["simulate", str(sc), "--seed", "2", "--out", str(new), "--quiet"]) == 0
    old = {name: (out / name).read_bytes() for name in SIM_FILES}
    capsys.readouterr()
    monkeypatch.setattr(output, "os", FaultyOs(".by_committee.csv.", 1, "write"))
    code = run_main(["simulate", str(sc), "--seed", "2", "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert code == EXIT_IO_ERROR
    assert str(out / "by_committee.csv") in err and "No space left on device" in err
    assert "Traceback" not in err
    for name in SIM_FILES:
        assert (out / name).read_bytes() in (old[name], (new / name).read_bytes()), f"{name} is half-written"
    assert (out / "by_committee.csv").read_bytes() == old["by_committee.csv"]
    assert not temp_files(out)


@pytest.mark.parametrize("match, nth", [("/runs/", 5), ("/manifest/", 3), (".summary.csv.", 1)],
                         ids=["run-file", "manifest-entry", "summary-table"])
def test_experiment_on_a_full_disk_exit_74_then_resume(study, tmp_path, monkeypatch, run_main, capsys, match, nth):
    path, ref, state = study
    out = tmp_path / "out"
    monkeypatch.setattr(output, "os", FaultyOs(match, nth, "write"))
    code = run_main(["experiment", str(path), "--out", str(out), "--workers", "0", "--quiet"])
    err = capsys.readouterr().err
    assert code == EXIT_IO_ERROR, err
    assert "No space left on device" in err and "--resume" in err and str(out) in err
    assert "Traceback" not in err
    assert not temp_files(out)
    monkeypatch.undo()
    before = finished(out)
    assert len(before) == (N_RUNS if match == ".summary.csv." else nth - 1)
    res = run_quiet(path, out, figures=False, resume=True)
    assert res.exit_code == 0 and res.executed == N_RUNS - len(before)
    assert {k: finished(out)[k] for k in before} == before
    assert_same_bytes(canonical(out), canonical(ref), state)
