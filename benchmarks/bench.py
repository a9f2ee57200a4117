"""Speed and memory of the model: resident-steps per second, time per month, peak memory,
the memory-bandwidth floor, and the idiomatic-Mesa comparison (see docs/performance.md).

    python -m benchmarks.bench                     # 100k x 120 months, 1M x 24 months, references
    python -m benchmarks.bench --city              # ... plus the ~24M-resident city (12 months)
    python -m benchmarks.bench --json bench.json   # also write every measurement as JSON
    python -m benchmarks.bench --city-only --city-scenario shanghai-city --city-months 120
    python -m benchmarks.bench --compare-only     # only Mesa side by side (100k; --ref-residents to change)
    python -m benchmarks.bench --profile           # where a month's time goes (default street, 120 months)
    python -m benchmarks.bench --profile --profile-world city --profile-months 24 --no-cprofile
    python -m benchmarks.bench --quick             # small sizes, one repeat: a smoke test

Every measured run is a fresh Python subprocess, so its peak resident memory
(``VmHWM`` from ``/proc/self/status``) is its own; the run reports its RSS
right after imports and a warm-up too, and bytes per resident are (peak -
that) / residents. In the same process, after the run, the memory-bandwidth
floor is measured: the time to ``np.copyto`` every state array of
``model.residents`` once (ndarrays, and the data, indices and indptr of any
sparse matrix it stores), the median of several copies after a warm-up.
Numbers printed are medians over ``--repeats`` runs; ratios are medians of
the per-repeat ratios of runs made in the same invocation with the same seed.

Nothing here changes the model: the profile mode wraps functions of
``model.month`` and friends for timing and restores them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):  # run as a script: make ``model`` and ``benchmarks`` importable
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

RESIDENTS_PER_COMMITTEE = 4000  # the baseline world's committees, used by the references too

# ---------------------------------------------------------------------------
# configurations
# ---------------------------------------------------------------------------


def _world(name: str, streets: int, cps: int, rpc: int, months: int) -> dict[str, Any]:
    return {"name": name, "streets": streets, "committees_per_street": cps, "residents_per_committee": rpc,
            "residents": streets * cps * rpc, "months": months}


def scale_configs(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Full-model worlds to measure (name, sizes, months)."""
    if args.quick:
        configs = [_world("street-100k", 1, 25, 4000, 12), _world("250k", 10, 25, 1000, 6)]
    else:
        configs = [_world("street-100k", 1, 25, 4000, args.street_months),
                   _world("1M", 10, 25, 4000, args.million_months)]
    if args.city or args.city_only:
        if args.city_scenario == "baseline":
            configs.append(_world("city-24M", 215, 27, 4200, args.city_months))
        else:  # a city preset or file, its own world
            from model import load_scenario

            w = load_scenario(args.city_scenario).world
            n = int(round(w.streets * w.scale)) * w.committees_per_street * w.residents_per_committee
            configs.append({"name": f"city ({args.city_scenario})", "scenario": args.city_scenario,
                            "residents": n, "months": args.city_months})
    if args.city_only:
        configs = configs[-1:]
    return configs


# ---------------------------------------------------------------------------
# measurements inside a fresh subprocess
# ---------------------------------------------------------------------------


def _proc_status_bytes(field: str) -> int:
    """A memory field of /proc/self/status (VmRSS, VmHWM) in bytes; ru_maxrss as a fallback."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource

    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024


def _reset_peak_rss() -> bool:
    """Reset VmHWM to the current RSS (Linux: write 5 to /proc/self/clear_refs); False if not possible."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def resident_state_arrays(residents: Any) -> list[tuple[str, np.ndarray]]:
    """Every array of the residents' state: ndarrays, and the data, indices and indptr of sparse matrices."""
    import scipy.sparse as sp

    out: list[tuple[str, np.ndarray]] = []
    for name, value in vars(residents).items():
        if isinstance(value, np.ndarray):
            out.append((name, value))
        elif sp.issparse(value):
            for part in ("data", "indices", "indptr"):
                out.append((f"{name}.{part}", getattr(value, part)))
    return out


def copy_floor(arrays: list[np.ndarray], repeats: int = 7) -> float:
    """Seconds to copy every array once (median of ``repeats`` copies after a warm-up)."""
    dst = [np.empty_like(a) for a in arrays]
    for d, a in zip(dst, arrays, strict=True):
        np.copyto(d, a)  # warm-up: page faults of the destination
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        for d, a in zip(dst, arrays, strict=True):
            np.copyto(d, a)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _full_scenario(spec: dict[str, Any]):
    """The baseline scenario resized to ``spec``'s world, or ``spec["scenario"]`` (a preset or
    file) with its own world; months from ``spec``."""
    from model import load_scenario
    from model.scenario import with_overrides

    if "scenario" in spec:
        return with_overrides(load_scenario(spec["scenario"]), {"scenario.months": spec["months"]})
    return with_overrides(load_scenario("baseline"), {
        "world.streets": spec["streets"],
        "world.committees_per_street": spec["committees_per_street"],
        "world.residents_per_committee": spec["residents_per_committee"],
        "scenario.months": spec["months"],
    })


WARMUP_WORLD = {"streets": 1, "committees_per_street": 2, "residents_per_committee": 500, "months": 2}


def warm_up(seed: int = 1) -> float:
    """Run a tiny world for two months so that compiled kernels (numba, if the model uses it)
    are compiled or loaded from their cache before anything is timed; returns its seconds."""
    from model import CommunityModel

    t = time.perf_counter()
    model = CommunityModel(_full_scenario(WARMUP_WORLD), rng=seed)
    for _ in range(WARMUP_WORLD["months"]):
        model.step()
    return time.perf_counter() - t


def run_full(spec: dict[str, Any]) -> dict[str, Any]:
    """Build and run the full model; time it; peak memory; the copy floor."""
    from model import CommunityModel

    warm_s = warm_up()
    rss_imports = _proc_status_bytes("VmRSS")
    scenario = _full_scenario(spec)
    t0 = time.perf_counter()
    model = CommunityModel(scenario, rng=spec["seed"])
    t1 = time.perf_counter()
    peak_init = _proc_status_bytes("VmHWM")
    reset = _reset_peak_rss()
    month_s = []
    with model.stepping():  # as model.run() steps (see CommunityModel.stepping)
        for _ in range(spec["months"]):
            t = time.perf_counter()
            model.step()
            month_s.append(time.perf_counter() - t)
    t2 = time.perf_counter()
    peak = _proc_status_bytes("VmHWM")
    rss_end = _proc_status_bytes("VmRSS")
    named = resident_state_arrays(model.residents)
    floor = copy_floor([a for _, a in named])
    n = model.residents.n
    return {
        "kind": "full", "residents": n, "months": spec["months"], "seed": spec["seed"],
        "warmup_s": warm_s, "init_s": t1 - t0, "run_s": t2 - t1, "month_mean_s": (t2 - t1) / spec["months"],
        "month_first_s": month_s[0], "month_median_s": statistics.median(month_s), "month_max_s": max(month_s),
        "rss_after_imports": rss_imports, "peak_rss": max(peak, peak_init), "peak_rss_init": peak_init,
        "peak_rss_run": peak if reset else None, "rss_end": rss_end,
        "state_bytes": int(sum(a.nbytes for _, a in named)),
        "state_arrays": {name: [str(a.dtype), int(a.nbytes)] for name, a in named},
        "floor_s": floor, "organizations": len(model.organizations), "workers": len(model.workers),
        "needs_met_share": float(model.recorder.current["needs_met_share"]),
    }


def run_reference(spec: dict[str, Any]) -> dict[str, Any]:
    """Build and run the Mesa or the numpy reference; time it; peak memory."""
    if spec["kind"] == "mesa":
        from benchmarks.mesa_reference import MesaReference as Ref
    else:
        from benchmarks.numpy_reference import NumpyReference as Ref  # type: ignore[assignment]
    rss_imports = _proc_status_bytes("VmRSS")
    n = spec["residents"]
    t0 = time.perf_counter()
    ref = Ref(n, max(1, n // RESIDENTS_PER_COMMITTEE), rng=spec["seed"])
    t1 = time.perf_counter()
    for _ in range(spec["months"]):
        ref.step()
    t2 = time.perf_counter()
    return {
        "kind": spec["kind"], "residents": n, "months": spec["months"], "seed": spec["seed"],
        "init_s": t1 - t0, "run_s": t2 - t1, "month_mean_s": (t2 - t1) / spec["months"],
        "rss_after_imports": rss_imports, "peak_rss": _proc_status_bytes("VmHWM"),
        **ref.summary(),
    }


def _worker_main(spec_json: str) -> int:
    spec = json.loads(spec_json)
    load = os.getloadavg()[0]
    if spec["kind"] == "warmup":
        result = {"kind": "warmup", "warmup_s": warm_up()}
    elif spec["kind"] == "full":
        result = run_full(spec)
    else:
        result = run_reference(spec)
    result["load_start"] = load
    result["load_end"] = os.getloadavg()[0]
    print(json.dumps(result))
    return 0


def spawn(spec: dict[str, Any]) -> dict[str, Any]:
    """Run one measurement in a fresh Python process and return its JSON result."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    cmd = [sys.executable, "-m", "benchmarks.bench", "--worker", json.dumps(spec)]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark run {spec} failed (exit {proc.returncode}):\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------
# the machine
# ---------------------------------------------------------------------------


def machine_info(code_label: str | None = None) -> dict[str, Any]:
    """CPU model, cores, memory, load, versions and the code measured."""
    import mesa
    import scipy

    cpu, cache = "", ""
    mem_total = 0
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("model name") and not cpu:
                    cpu = line.split(":", 1)[1].strip()
                elif line.startswith("cache size") and not cache:
                    cache = line.split(":", 1)[1].strip()
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    mem_total = int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 1
    return {
        "cpu": cpu or platform.processor() or "unknown", "cache": cache,
        "cores": os.cpu_count(), "usable_cores": usable,
        "memory_gb": round(mem_total / 2**30, 1), "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__,
        "mesa": mesa.__version__, "platform": platform.platform(),
        **({"commit": code_label, "model_modified": False} if code_label else _git_state()),
    }


def _git_state() -> dict[str, Any]:
    """The commit measured, and whether ``model/`` differs from it (others work in the same tree)."""
    def git(*cmd: str) -> str:
        try:
            out = subprocess.run(["git", *cmd], cwd=ROOT, capture_output=True, text=True, check=False, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            return ""
        return out.stdout.strip() if out.returncode == 0 else ""
    return {"commit": git("rev-parse", "--short", "HEAD") or "unknown",
            "model_modified": bool(git("status", "--porcelain", "--", "model"))}


# ---------------------------------------------------------------------------
# summaries and tables
# ---------------------------------------------------------------------------


def median_of(runs: list[dict[str, Any]], key: str | Callable[[dict[str, Any]], float]) -> float:
    """Median over runs of a field (or of a function of a run)."""
    values = [key(r) if callable(key) else r[key] for r in runs]
    return float(statistics.median(values))


def summarise_scale(runs: list[dict[str, Any]]) -> dict[str, float]:
    """Medians of one full-model configuration's repeats."""
    n = runs[0]["residents"]
    months = runs[0]["months"]
    return {
        "residents": n, "months": months, "repeats": len(runs),
        "warmup_s": median_of(runs, "warmup_s"), "month_first_s": median_of(runs, "month_first_s"),
        "init_s": median_of(runs, "init_s"), "run_s": median_of(runs, "run_s"),
        "total_s": median_of(runs, lambda r: r["init_s"] + r["run_s"]),
        "month_s": median_of(runs, "month_mean_s"), "month_median_s": median_of(runs, "month_median_s"),
        "resident_steps_per_s": median_of(runs, lambda r: r["residents"] * r["months"] / r["run_s"]),
        "peak_rss": median_of(runs, "peak_rss"), "rss_after_imports": median_of(runs, "rss_after_imports"),
        "rss_end": median_of(runs, "rss_end"),
        "bytes_per_resident": median_of(runs, lambda r: (r["peak_rss"] - r["rss_after_imports"]) / r["residents"]),
        "run_peak_bytes_per_resident": median_of(
            runs, lambda r: (r["peak_rss_run"] - r["rss_after_imports"]) / r["residents"]
            if r.get("peak_rss_run") is not None else float("nan")),
        "end_bytes_per_resident": median_of(runs, lambda r: (r["rss_end"] - r["rss_after_imports"]) / r["residents"]),
        "state_bytes_per_resident": runs[0]["state_bytes"] / n,
        "floor_s": median_of(runs, "floor_s"), "load": median_of(runs, "load_start"),
        "month_over_floor": median_of(runs, lambda r: r["month_mean_s"] / r["floor_s"]),
    }


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A plain fixed-width table (Markdown-compatible)."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |"
    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    def cells(r: list[str]) -> str:
        return " | ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True)))
    body = ["| " + cells(r) + " |" for r in rows]
    return "\n".join([line, sep, *body])


def _si(x: float) -> str:
    for unit, div in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(x) >= div:
            return f"{x / div:.3g}{unit}"
    return f"{x:.3g}"


def scale_table(summaries: list[tuple[str, dict[str, float]]]) -> str:
    """Full model at each size."""
    rows = []
    for name, s in summaries:
        rows.append([
            name, f"{s['residents']:,.0f}", f"{s['months']:.0f}", f"{s['repeats']:.0f}",
            f"{s['warmup_s']:.2f}", f"{s['init_s']:.2f}", f"{s['run_s']:.2f}", f"{s['total_s']:.2f}",
            f"{s['month_s'] * 1e3:.1f}", f"{s['month_first_s'] * 1e3:.1f}", f"{s['month_median_s'] * 1e3:.1f}",
            _si(s["resident_steps_per_s"]), f"{s['peak_rss'] / 2**20:,.0f}",
            f"{s['bytes_per_resident']:.0f}", f"{s['run_peak_bytes_per_resident']:.0f}",
            f"{s['end_bytes_per_resident']:.0f}",
            f"{s['state_bytes_per_resident']:.0f}", f"{s['floor_s'] * 1e3:.2f}", f"{s['month_over_floor']:.0f}",
            f"{s['load']:.1f}",
        ])
    return table(["world", "residents", "months", "repeats", "warm-up s", "init s", "run s", "total s", "ms/month",
                  "1st month ms", "median month ms",
                  "resident-steps/s", "peak RSS MiB", "peak B/res", "run peak B/res", "end B/res", "state B/res",
                  "floor ms", "month/floor", "load"], rows)


def compare_table(compare: dict[str, list[dict[str, Any]]]) -> tuple[str, dict[str, float]]:
    """Mesa reference vs numpy reference vs full model on the same size."""
    mesa_runs = compare["mesa"]
    rows, med = [], {}
    labels = {"mesa": "Mesa reference (1 Agent per resident)", "numpy": "numpy reference (struct of arrays)",
              "full": "full model (CommunityModel)"}
    for kind in ("mesa", "numpy", "full"):
        runs = compare[kind]
        rate = median_of(runs, lambda r: r["residents"] * r["months"] / r["run_s"])
        ratio = float(statistics.median(
            (r["residents"] * r["months"] / r["run_s"]) / (m["residents"] * m["months"] / m["run_s"])
            for r, m in zip(runs, mesa_runs, strict=True)))
        med[f"{kind}_steps_per_s"] = rate
        med[f"{kind}_over_mesa"] = ratio
        rows.append([labels[kind], f"{runs[0]['residents']:,} x {runs[0]['months']}",
                     f"{median_of(runs, 'init_s'):.3f}", f"{median_of(runs, 'run_s'):.3f}",
                     f"{median_of(runs, 'month_mean_s') * 1e3:.2f}", _si(rate), f"{ratio:.1f}x",
                     f"{median_of(runs, 'load_start'):.1f}"])
    return table(["model", "residents x months", "init s", "run s", "ms/month", "resident-steps/s",
                  "vs Mesa (same-run ratio)", "load"], rows), med


def selfcheck(compare: dict[str, list[dict[str, Any]]]) -> tuple[str, dict[str, float]]:
    """Do the two references agree? Needs-met share (and end-of-run means), pooled over repeats.

    Reported, not asserted: the standard error is binomial over closed needs, which
    understates the spread of a shared committee queue, so |z| up to ~3 is unremarkable."""
    out = {}
    lines = []
    pooled = {}
    for kind in ("mesa", "numpy"):
        runs = compare[kind]
        met = sum(r["met"] for r in runs)
        closed = met + sum(r["lapsed"] for r in runs)
        pooled[kind] = (met / closed, closed)
        out[f"{kind}_needs_met_share"] = met / closed
        for key in ("participation_rate", "satisfaction", "trust", "mean_wait_met"):
            out[f"{kind}_{key}"] = float(statistics.mean(r[key] for r in runs))
    (pm, nm), (pn, nn) = pooled["mesa"], pooled["numpy"]
    se = float(np.sqrt(pm * (1 - pm) / nm + pn * (1 - pn) / nn))
    z = (pm - pn) / se if se > 0 else 0.0
    out["needs_met_share_diff"] = pm - pn
    out["z"] = z
    verdict = "similar" if abs(pm - pn) < 0.03 else "DIFFERENT: check the rules"
    lines.append(f"needs-met share: Mesa {pm:.4f} vs numpy {pn:.4f} (diff {pm - pn:+.4f}, z {z:+.1f}; "
                 f"{nm + nn:,} closed needs over {len(compare['mesa'])} repeats each) -> {verdict}")
    for key, label in (("participation_rate", "participation"), ("satisfaction", "satisfaction"),
                       ("trust", "trust"), ("mean_wait_met", "mean wait of met needs")):
        lines.append(f"{label}: Mesa {out['mesa_' + key]:.4f} vs numpy {out['numpy_' + key]:.4f}")
    return "\n".join(lines), out


# ---------------------------------------------------------------------------
# profile mode
# ---------------------------------------------------------------------------


def _phase_targets() -> list[tuple[Any, str, str]]:
    """(owner, attribute, label) of every function timed in the phase tree.

    A function is patched where its caller looks it up: a phase ``run_month`` calls
    by name in ``model.month``, one it calls through its agent module
    (``committees.partnerships``, ``accounts.accounts``, ``workers.decide_quits``) in
    that module, a step of ``serve_residents`` in ``model.serving``, a method on its
    class. Functions the
    current code does not have are left out, and the tree is built from the
    calls actually seen, so it follows the code as it changes."""
    import model.accounts as mac
    import model.committees as mcm
    import model.community as mc
    import model.ledger as ml
    import model.month as mm
    import model.outcomes as mo
    import model.residents as mr
    import model.serving as msv
    import model.streets as ms
    import model.workers as mw

    ra, rec = mr.ResidentArrays, mo.Recorder
    wanted: list[tuple[Any, str, str]] = [(mm, "run_month", "run_month")]
    for phase in ("yearly_rounds", "streets_act", "organizations_register", "labour_market", "serve_residents"):
        wanted.append((mm, phase, phase))
    wanted += [
        (mcm, "partnerships", "partnerships"),
        (mac, "accounts", "accounts"),
        (mw, "decide_quits", "workforce (decide_quits)"),
        (mm, "residents_social", "residents_social"),
        (rec, "record", "record (outcomes, checks)"),
        (ra, "decide_votes", "ResidentArrays.decide_votes (elections)"),
        (ra, "decide_needs_arise", "ResidentArrays.decide_needs_arise"),
        (msv, "compute_reach", "compute_reach"),
        (ra, "open_index", "ResidentArrays.open_index"),
        (ra, "decide_bring_forward", "ResidentArrays.decide_bring_forward"),
        (msv, "build_supply", "build_supply"),
        (msv, "match", "services.match"),
        (msv, "_org_channel_supply", "_org_channel_supply"),
        (msv, "_close_met", "_close_met"),
        (ra, "resolve_met", "ResidentArrays.resolve_met"),
        (ra, "decide_wait_or_lapse", "ResidentArrays.decide_wait_or_lapse"),
        (ra, "decide_participation", "ResidentArrays.decide_participation"),
        (ra, "neighbour_mean", "ResidentArrays.neighbour_mean"),
        (mac, "decide_staffing", "organizations.decide_staffing"),
        (mcm.Committee, "update_partners", "Committee.update_partners"),
        (mcm.Committee, "decide_new_partner", "Committee.decide_new_partner"),
        (ms.StreetOffice, "reach", "StreetOffice.reach"),
        (ml.Ledger, "close_month", "Ledger.close_month"),
        (rec, "_breakdowns", "Recorder._breakdowns (by group, by committee)"),
        (ra, "tallies", "ResidentArrays.tallies"),
        (ra, "per_committee", "ResidentArrays.per_committee"),
        (mc.CommunityModel, "check_invariants", "CommunityModel.check_invariants"),
        (ra, "check", "ResidentArrays.check"),
    ]
    return [t for t in wanted if callable(t[0].__dict__.get(t[1]))]


PhaseTimes = dict[tuple[str, ...], list[float]]  # call path -> [seconds, calls, first-seen order]


def phase_times(spec: dict[str, Any]) -> tuple[PhaseTimes, float, int]:
    """Run the full model with timing wrappers; return (seconds, calls, order) per call path,
    the whole loop's seconds and the number of months."""
    import functools

    from model import CommunityModel

    totals: PhaseTimes = {}
    stack: list[str] = []
    patched = []

    def wrap(fn: Callable[..., Any], label: str) -> Callable[..., Any]:
        @functools.wraps(fn)
        def timed(*a: Any, **kw: Any) -> Any:
            path = (*stack, label)
            entry = totals.setdefault(path, [0.0, 0, len(totals)])
            stack.append(label)
            t = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                entry[0] += time.perf_counter() - t
                entry[1] += 1
                stack.pop()
        return timed

    model = CommunityModel(_full_scenario(spec), rng=spec["seed"])
    try:
        for owner, attr, label in _phase_targets():
            orig = owner.__dict__[attr]
            patched.append((owner, attr, orig))
            setattr(owner, attr, wrap(orig, label))
        t = time.perf_counter()
        with model.stepping():
            for _ in range(spec["months"]):
                model.step()
        loop = time.perf_counter() - t
    finally:
        for owner, attr, orig in reversed(patched):
            setattr(owner, attr, orig)
    return totals, loop, spec["months"]


def phase_table(totals: PhaseTimes, loop: float, months: int) -> str:
    """The call tree of the timed functions: seconds, calls, ms per month, share of the month."""
    children: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for path in sorted(totals, key=lambda p: totals[p][2]):
        children.setdefault(path[:-1], []).append(path)
    rows: list[list[str]] = []

    def row(name: str, s: float, calls: str) -> list[str]:
        return [name, f"{s:.3f}", calls, f"{s / months * 1e3:.2f}", f"{100 * s / loop:.1f}"]

    def add(path: tuple[str, ...], depth: int) -> None:
        s, calls, _ = totals[path]
        rows.append(row("  " * depth + path[-1], s, str(calls)))
        kids = children.get(path, [])
        for kid in kids:
            add(kid, depth + 1)
        if kids:
            rows.append(row("  " * (depth + 1) + "(rest)", s - sum(totals[k][0] for k in kids), ""))

    rows.append(row("model.step() loop", loop, str(months)))
    top = children.get((), [])
    for root in top:
        add(root, 1)
    rows.append(row("  (outside run_month: Mesa's step and event loop)", loop - sum(totals[p][0] for p in top), ""))
    return table(["function (nested rows are part of their parent)", "s total", "calls", "ms/month", "% of loop"],
                 rows)


PROFILE_WORLDS = {
    "street": {"streets": 1, "committees_per_street": 25, "residents_per_committee": 4000},
    "1M": {"streets": 10, "committees_per_street": 25, "residents_per_committee": 4000},
    "city": {"streets": 215, "committees_per_street": 27, "residents_per_committee": 4200},
}


def profile(args: argparse.Namespace) -> int:
    """Phase timings (light wrappers) and cProfile top functions on one world (default: the default street)."""
    import cProfile
    import io
    import pstats

    from model import CommunityModel

    if args.profile_world in PROFILE_WORLDS:
        world = PROFILE_WORLDS[args.profile_world]
        spec = {**world, "months": args.profile_months, "seed": args.seed}
        what = "the baseline rules"
    else:  # a preset or scenario file, with its own world
        from model import load_scenario

        w = load_scenario(args.profile_world).world
        world = {"streets": int(round(w.streets * w.scale)), "committees_per_street": w.committees_per_street,
                 "residents_per_committee": w.residents_per_committee}
        spec = {"scenario": args.profile_world, "months": args.profile_months, "seed": args.seed}
        what = "its own parameters"
    n = world["streets"] * world["committees_per_street"] * world["residents_per_committee"]
    print(_machine_lines(machine_info(args.code_label)))
    print(f"Warm-up (tiny world, loads compiled kernels): {warm_up():.2f} s, not counted below.")
    print(f"\nWorld {args.profile_world!r} ({what}): {world['streets']} street(s) x {world['committees_per_street']} "
          f"committees x {world['residents_per_committee']:,} residents (about {n:,}), {spec['months']} months, "
          f"seed {spec['seed']}; one run each.\n")
    totals, loop, months = phase_times(spec)
    print("Where a month's time goes (wall clock, one run; timing wrappers on the functions below, no profiler):")
    print(phase_table(totals, loop, months))

    if args.json:
        phases = [{"path": list(p), "s": v[0], "calls": v[1]} for p, v in totals.items()]
        Path(args.json).write_text(json.dumps({"machine": machine_info(args.code_label), "profile": {
            "spec": spec, "loop_s": loop, "phases": phases}}, indent=2))
    if args.no_cprofile:
        return 0
    model = CommunityModel(_full_scenario(spec), rng=spec["seed"])
    prof = cProfile.Profile()
    prof.enable()
    with model.stepping():
        for _ in range(spec["months"]):
            model.step()
    prof.disable()
    for order in ("cumulative", "tottime"):
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).strip_dirs().sort_stats(order).print_stats(args.profile_top)
        label = "total (own)" if order == "tottime" else order
        print(f"\ncProfile, top {args.profile_top} by {label} time (profiler overhead inflates Python-heavy code):")
        print(_trim_pstats(buf.getvalue()))
    return 0


def _trim_pstats(text: str) -> str:
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.lstrip().startswith("ncalls"):
            return "\n".join(lines[i:]).rstrip()
    return text.rstrip()


# ---------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------


def _machine_lines(info: dict[str, Any]) -> str:
    return (f"Machine: {info['cpu']} (cache {info['cache'] or '?'}), {info['cores']} cores "
            f"({info['usable_cores']} usable), {info['memory_gb']} GiB RAM, load average {info['load_average']}\n"
            f"Python {info['python']}, numpy {info['numpy']}, scipy {info['scipy']}, mesa {info['mesa']}; "
            f"{info['platform']}\n"
            f"Code: commit {info['commit']}{' with uncommitted changes in model/' if info['model_modified'] else ''}")


def _progress(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def build_parser() -> argparse.ArgumentParser:
    """Command-line options."""
    ap = argparse.ArgumentParser(prog="bench", description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=None,
                    help="runs per configuration; medians are printed (default 3; 1 with --quick)")
    ap.add_argument("--seed", type=int, default=2026, help="seed of the first repeat (repeat i uses seed+i)")
    ap.add_argument("--street-months", type=int, default=120, help="months of the 100k street (default 120)")
    ap.add_argument("--million-months", type=int, default=24, help="months of the 1M world (default 24)")
    ap.add_argument("--city", action="store_true", help="also the ~24M city: 215 streets x 27 x 4200")
    ap.add_argument("--city-months", type=int, default=12, help="months of the city run (default 12)")
    ap.add_argument("--city-scenario", default="baseline", metavar="NAME",
                    help="'baseline' (default): the baseline rules on 215 streets x 27 x 4200; or a preset or file "
                         "with its own world, e.g. shanghai-city")
    ap.add_argument("--city-only", action="store_true",
                    help="only the city (no 100k, 1M or side-by-side runs), e.g. with --city-months 120")
    ap.add_argument("--city-repeats", type=int, default=1, help="repeats of the city run (default 1)")
    ap.add_argument("--ref-residents", type=int, default=100_000,
                    help="size of the side-by-side Mesa / numpy / full comparison (default 100,000, the size "
                         "of the issue's 50x target; about 3 s a repeat for the Mesa reference)")
    ap.add_argument("--ref-months", type=int, default=12, help="months of the comparison (default 12)")
    ap.add_argument("--compare-only", action="store_true",
                    help="only the side-by-side Mesa / numpy / full comparison (e.g. with --ref-residents 100000)")
    ap.add_argument("--quick", action="store_true", help="small sizes and one repeat (a smoke test)")
    ap.add_argument("--json", metavar="FILE", help="also write every measurement to FILE as JSON")
    ap.add_argument("--profile", action="store_true", help="where a month's time goes on the default street")
    ap.add_argument("--profile-months", type=int, default=120, help="months of the profiled run (default 120)")
    ap.add_argument("--profile-world", default="street", metavar="WORLD",
                    help="world profiled: street (the default street, 100k; default), 1M or city (24M) with the "
                         "baseline rules, or a preset or scenario file with its own world (e.g. shanghai-city)")
    ap.add_argument("--no-cprofile", action="store_true", help="profile mode: the phase table only")
    ap.add_argument("--profile-top", type=int, default=25, help="functions listed per cProfile table (default 25)")
    ap.add_argument("--code-label", metavar="TEXT",
                    help="name of the code measured, printed instead of the git commit (e.g. for an exported tree)")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    return ap


def measure_scale(args: argparse.Namespace) -> tuple[list[tuple[str, dict[str, float]]], dict[str, Any], float | None]:
    """The full model at each size (fresh subprocess per repeat); prints the table."""
    summaries, raw_scale = [], {}
    for cfg in scale_configs(args):
        repeats = args.city_repeats if cfg["name"].startswith("city") else args.repeats
        runs = []
        for i in range(repeats):
            _progress(f"  {cfg['name']}: {cfg['residents']:,} residents x {cfg['months']} months, "
                      f"repeat {i + 1}/{repeats}")
            runs.append(spawn({"kind": "full", **cfg, "seed": args.seed + i}))
        raw_scale[cfg["name"]] = runs
        summaries.append((cfg["name"], summarise_scale(runs)))
    print("Full model (CommunityModel). load = 1-minute load average when the run started (2 cores: above 2, "
          "other processes competed for the CPU).\nTimes exclude imports and the warm-up (a tiny world run first in the same "
          "process, so compiled kernels are loaded); init = building the world; run = all months; total = init + run; "
          "ms/month = run / months.\n"
          "B/res = (RSS - RSS right after imports) / residents: peak = whole process (building the world included), "
          "run peak = highest RSS while stepping, end = after the last month; state = bytes of the model.residents "
          "arrays.\nfloor = copying those arrays once (np.copyto, same process); month/floor = ms/month / floor.")
    print(scale_table(summaries))
    by_name = dict(summaries)
    big = [s for name, s in summaries if name != "street-100k"]
    marginal = None
    if "street-100k" in by_name and big:
        a, b = by_name["street-100k"], big[0]
        marginal = (b["peak_rss"] - a["peak_rss"]) / (b["residents"] - a["residents"])
        print(f"Marginal peak memory between the two smallest worlds: {marginal:.0f} bytes per resident; "
              f"fixed overhead (RSS after imports) {a['rss_after_imports'] / 2**20:.0f} MiB.")
    return summaries, raw_scale, marginal


def numpy_reference_scale(args: argparse.Namespace, by_name: dict[str, dict[str, float]]
                          ) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """The numpy reference at the full model's sizes (not the city), for context; prints the table."""
    ref_scale = []
    for cfg in scale_configs(args):
        if cfg["name"].startswith("city"):
            continue
        runs = []
        for i in range(args.repeats):
            _progress(f"  numpy reference: {cfg['residents']:,} x {cfg['months']}, repeat {i + 1}/{args.repeats}")
            runs.append(spawn({"kind": "numpy", "residents": cfg["residents"], "months": cfg["months"],
                               "seed": args.seed + i}))
        ref_scale.append((cfg, runs))
    if ref_scale:
        print("\nThe numpy reference (simplified model, residents only) at the same sizes:")
        rows = []
        for cfg, runs in ref_scale:
            month = median_of(runs, "month_mean_s")
            rate = median_of(runs, lambda r: r["residents"] * r["months"] / r["run_s"])
            rows.append([cfg["name"], f"{cfg['residents']:,} x {cfg['months']}", f"{month * 1e3:.1f}", _si(rate),
                         f"{by_name[cfg['name']]['month_s'] / month:.1f}x"])
        print(table(["world", "residents x months", "ms/month", "resident-steps/s", "full model month / this"],
                    rows))
    return ref_scale


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its tables; 0 on success."""
    args = build_parser().parse_args(argv)
    if args.worker:
        return _worker_main(args.worker)
    if args.profile:
        return profile(args)
    if args.repeats is None:
        args.repeats = 1 if args.quick else 3
    if args.quick:
        args.ref_residents, args.ref_months = 5000, 6
    if args.repeats < 1:
        print("--repeats must be at least 1", file=sys.stderr)
        return 2
    started = time.time()
    info = machine_info(args.code_label)
    print(_machine_lines(info))
    _progress("  warm-up process (compiles or loads cached kernels)")
    first = spawn({"kind": "warmup"})["warmup_s"]
    print(f"Warm-up process before the measurements: {first:.2f} s for a 1,000-resident world x 2 months "
          "(with a cold numba cache this includes compiling the kernels).")
    print(f"Medians over {args.repeats} repeats (each a fresh subprocess; repeat i uses seed {args.seed}+i)"
          f"{'; the city: ' + str(args.city_repeats) + ' repeat(s)' if args.city or args.city_only else ''}.\n")

    summaries: list[tuple[str, dict[str, float]]] = []
    raw_scale: dict[str, Any] = {}
    marginal = None
    ref_scale: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
    if not args.compare_only:
        summaries, raw_scale, marginal = measure_scale(args)
        if not args.city_only:
            ref_scale = numpy_reference_scale(args, dict(summaries))

    # 3. side by side on the same size: Mesa reference, numpy reference, full model
    compare_out: dict[str, Any] = {}
    if not args.city_only:
        compare_out = side_by_side(args)
    print(f"\nBenchmark wall time {time.time() - started:.0f} s; load average now "
          f"{[round(x, 2) for x in os.getloadavg()]}.")

    if args.json:
        out = {"machine": info, "args": {k: v for k, v in vars(args).items() if k != "worker"},
               "warmup_process_s": first,
               "scale": {name: {"median": s, "runs": raw_scale[name]} for name, s in summaries},
               "marginal_bytes_per_resident": marginal,
               "numpy_reference_scale": {cfg["name"]: runs for cfg, runs in ref_scale}, **compare_out}
        Path(args.json).write_text(json.dumps(out, indent=2))
        print(f"Wrote {args.json}")
    return 0


def side_by_side(args: argparse.Namespace) -> dict[str, Any]:
    """Mesa reference, numpy reference and full model on the same size, interleaved per repeat."""
    n, months = args.ref_residents, args.ref_months
    cps = max(1, n // RESIDENTS_PER_COMMITTEE)
    compare: dict[str, list[dict[str, Any]]] = {"mesa": [], "numpy": [], "full": []}
    for i in range(args.repeats):
        seed = args.seed + i
        _progress(f"  side by side: {n:,} residents x {months} months, repeat {i + 1}/{args.repeats}")
        compare["mesa"].append(spawn({"kind": "mesa", "residents": n, "months": months, "seed": seed}))
        compare["numpy"].append(spawn({"kind": "numpy", "residents": n, "months": months, "seed": seed}))
        compare["full"].append(spawn({"kind": "full", "name": "compare", "streets": 1, "committees_per_street": cps,
                                      "residents_per_committee": n // cps, "months": months, "seed": seed}))
    ctable, cmed = compare_table(compare)
    print(f"\nSide by side, same size ({n:,} residents x {months} months), {args.repeats} repeats, interleaved:")
    print(ctable)
    check_text, check = selfcheck(compare)
    print("\nSelf-check, Mesa vs numpy reference (same rules, same initial state; different random draws):")
    print(check_text)
    return {"compare": {"median": cmed, "runs": compare}, "selfcheck": check}


if __name__ == "__main__":
    sys.exit(main())
