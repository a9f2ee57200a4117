"""ABC-SMC calibration of ``shanghai-history`` to several cited patterns at once (pyabc 0.13).

    python run.py calibrate --abc [--setting quick|medium|full] [--workers W] [--seed S] [--out DIR]

estimates the parameters ``ESTIMATED`` (priors from the register's plausible ranges,
``priors``) from the patterns of ``model.tools.abc_statistics.STATISTICS`` (cited data
up to 2015), runs ``shanghai-history`` from 2004-01 to 2015-12 per particle, and writes the
final population (``model.tools.abc_output``).

Reproducibility: pyabc's ``MappingSampler`` reseeds numpy from the operating system in every
task (``np.random.seed()`` in ``map_function``), and its multicore samplers fork and take
particles in the order they finish. ``SeededMappingSampler`` maps over task numbers instead:
task ``i`` of generation ``t`` seeds numpy's and Python's global generators from
``SeedSequence([seed, t + 1, i])``, samples until one particle is accepted, and draws each
model run's seed from that generator; an ordered ``map`` (the builtin, or a
``ProcessPoolExecutor`` with the ``spawn`` context) returns the tasks in task order. So the
posterior depends on the seed and the setting, not on the number of workers or their timing.

Storage: the model function returns only the statistics' values (a few floats per particle,
not the run table), so pyabc's SQLite history stays small; it lives in a temporary folder
deleted after the run; the outputs are the files in the output folder.

Layout: ``ESTIMATED``; ``Prior`` and ``priors``; ``Setting`` and ``SETTINGS``; the model
(``simulate_history``, ``HistoryModel``); the sampler (``SeededMappingSampler`` and its map
function ``_Task``); the run (``check_out_dir``, ``_abcsmc``, ``run_abc``, ``generation_rows``,
``final_particles``).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import math
import multiprocessing as mp
import random
import tempfile
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyabc
from pyabc.sampler import MappingSampler
from pyabc.weighted_statistics import effective_sample_size

from ..community import CommunityModel
from ..register import register_rows
from ..scenario import load_scenario, with_overrides
from ..scenario_dates import month_index
from .abc_statistics import STATISTICS, CalibrationInputError, summary_statistics, targets

PRESET = "shanghai-history"
END_DATE = "2015-12"
"""Every particle runs the preset from its start (2004-01) to this month."""

ESTIMATED: tuple[str, ...] = (
    "parameters.committees.own_service_share",
    "parameters.committees.hours_per_need",
    "parameters.organizations.donor_pool_yuan_month",
    "parameters.residents.lapse_rate",
    "parameters.social_workers.attrition_wage_sensitivity",
    "parameters.organizations.needs_per_other_month",
    "parameters.social_workers.attrition_base",
    "parameters.sector.government_yuan_2015",
    "parameters.sector.other_income_yuan_2015",
    "parameters.organizations.cost_sensitivity",
    "parameters.organizations.delay_sensitivity",
    "parameters.organizations.founder_capital_median_yuan",
    "parameters.organizations.founder_capital_sigma",
)
"""Register paths estimated: the seven factors docs/sensitivity.md ranks first; the two
hand-tuned sector levels (docs/calibration.md) that set the sector-wide government share; and
the four founding parameters that set how strongly founding answers the 2013 registration
reform's lower cost, capital and delay (the organizations' growth patterns; the sensitivity
analysis ranks 2015 outcomes, which these four barely move)."""


@dataclass(frozen=True)
class Prior:
    """The prior of one estimated parameter: ``kind`` uniform or loguniform on [lo, hi]."""

    path: str
    kind: str
    lo: float
    hi: float
    default: float

    @property
    def name(self) -> str:
        """pyabc's name of the parameter (the register path's last part)."""
        return self.path.rsplit(".", 1)[1]

    def natural(self, u: float) -> float:
        """The parameter's value at ``u`` in [0, 1] (pyabc samples ``u`` uniformly)."""
        if self.kind == "loguniform":
            return float(math.exp(math.log(self.lo) + u * (math.log(self.hi) - math.log(self.lo))))
        return float(self.lo + u * (self.hi - self.lo))


def priors(paths: tuple[str, ...] = ESTIMATED) -> list[Prior]:
    """Each path's prior: uniform on the register's plausible range, log-uniform where the
    register's range says so (a triangular range becomes uniform: ABC needs no peak). Raises
    ``CalibrationInputError`` for an unknown path, no range, or a range outside the bounds."""
    rows = {r["path"]: r for r in register_rows()}
    out = []
    for path in paths:
        row = rows.get(path)
        if row is None:
            raise CalibrationInputError(f"estimated parameter {path!r}: not in the register (python run.py params)")
        rng = row["range"]
        if not rng:
            raise CalibrationInputError(f"estimated parameter {path!r}: the register gives no plausible range")
        lo, hi = float(rng["lo"]), float(rng["hi"])
        if not row["lo"] <= lo < hi <= row["hi"]:
            raise CalibrationInputError(f"estimated parameter {path!r}: prior [{lo:g}, {hi:g}] is outside the "
                                        f"register's bounds [{row['lo']:g}, {row['hi']:g}]")
        kind = "loguniform" if rng["distribution"] == "loguniform" else "uniform"
        if kind == "loguniform" and lo <= 0:
            raise CalibrationInputError(f"estimated parameter {path!r}: a log-uniform prior needs lo > 0")
        out.append(Prior(path, kind, lo, hi, float(row["default"])))
    if len({p.name for p in out}) != len(out):
        raise CalibrationInputError("estimated parameters: two paths end in the same name")
    return out


@dataclass(frozen=True)
class Setting:
    """How big an ABC run is: particles per generation, at most ``generations``; it stops
    earlier when epsilon falls to ``min_epsilon``, a generation's acceptance rate below
    ``min_acceptance_rate`` or the simulations so far reach ``max_simulations`` (checked
    after each generation). ``world`` overrides the preset's world (the quick setting's tiny
    world, 1 street of about 3,600 residents, is for tests: its numbers mean nothing)."""

    population: int
    generations: int
    min_epsilon: float
    min_acceptance_rate: float
    max_simulations: int
    world: dict[str, Any] = field(default_factory=dict)
    note: str = ""


_TINY = {"world.scale": 0.005, "world.committees_per_street": 6, "world.residents_per_committee": 600}
RMS_ONE = math.sqrt(len(STATISTICS))
"""The distance when every statistic is one scale off (the full setting's minimum epsilon)."""

SETTINGS: dict[str, Setting] = {
    "quick": Setting(8, 2, 0.0, 0.0, 200, _TINY, "tests: a tiny world, 8 particles, 2 generations"),
    "medium": Setting(40, 3, RMS_ONE, 0.02, 1000, {}, "the preset's world, 40 particles, 3 generations"),
    "full": Setting(100, 4, RMS_ONE, 0.02, 3000, {}, "the preset's world, 100 particles (pyabc's default), "
                    "up to 4 generations or 3,000 simulations"),
}


def simulate_history(sets: dict[str, Any], seed: int) -> dict[str, float]:
    """Run the preset to ``END_DATE`` with ``sets`` overrides; the summary statistics."""
    sc = load_scenario(PRESET)
    months = month_index(END_DATE, sc.scenario.start or "2004-01")
    model = CommunityModel(with_overrides(sc, {"scenario.months": months, **sets}), rng=seed)
    model.run()
    return summary_statistics(model.recorder.timeseries())


class HistoryModel:
    """pyabc's model: a particle's unit-scale parameters -> the run's summary statistics.
    The run's seed is drawn from numpy's global generator, which the sampler seeded."""

    def __init__(self, prior_list: list[Prior], world: dict[str, Any]):
        self.priors = prior_list
        self.world = dict(world)

    def sets(self, par: dict[str, float]) -> dict[str, Any]:
        """The scenario overrides for one particle."""
        return {**self.world, **{p.path: p.natural(float(par[p.name])) for p in self.priors}}

    def __call__(self, par: dict[str, float]) -> dict[str, float]:
        seed = int(np.random.randint(0, 2**31 - 1))
        stats = simulate_history(self.sets(par), seed)
        release_memory()
        return stats


def _malloc_trim():
    """glibc's ``malloc_trim``, or None where the C library has none (macOS, Windows, musl)."""
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


_TRIM = _malloc_trim()


def release_memory() -> None:
    """Give the C heap's free memory back to the system after a run. A worker runs thousands
    of histories; between them pyabc unpickles its task and builds small objects that pin the
    heap, and glibc then keeps every freed block of the model's arrays: in the first full run
    each worker grew to 11.7 GB in 80 minutes (about 12 MB a simulation) until the machine ran
    out of memory. With ``malloc_trim`` after each simulation a tiny-world run of 332
    simulations ends at 438 MB instead of 1,022 MB (from 436-466 MB after warm-up)."""
    if _TRIM is not None:
        _TRIM(0)


class SeededMappingSampler(MappingSampler):
    """pyabc's ``MappingSampler`` with seeded, numbered tasks (module docstring)."""

    def __init__(self, map_, seed: int):
        super().__init__(map_=map_)
        self.seed = int(seed)

    def __getstate__(self):
        return (*super().__getstate__(), self.seed)

    def __setstate__(self, state):
        super().__setstate__(state[:-1])
        self.seed = state[-1]

    def map_function(self, simulate_one, task):
        """Task ``(t, i)``: seed the global generators, sample until one particle is accepted."""
        t, i = task
        simulate_one = self.unpickle(simulate_one)
        task_seed = int(np.random.SeedSequence([self.seed, t + 1, i]).generate_state(1)[0])
        np.random.seed(task_seed)
        random.seed(task_seed)
        sample, n = self._create_empty_sample(), 0
        while True:
            particle = simulate_one()
            n += 1
            sample.append(particle)
            if particle.accepted:
                return sample, n

    def sample_until_n_accepted(self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False, ana_vars=None):
        """``n`` tasks in order; the sample holds their particles in task order."""
        del max_eval, all_accepted, ana_vars  # each task runs until it accepts one (as MappingSampler)
        payload = self.pickle(simulate_one)
        results = list(self.map_(_Task(self, payload), [(t, i) for i in range(n)]))
        self.nr_evaluations_ = sum(k for _, k in results)
        sample = self._create_empty_sample()
        for part, _ in results:
            sample += part
        return sample


class _Task:
    """A picklable ``map`` function: ``sampler.map_function(payload, task)``."""

    def __init__(self, sampler: SeededMappingSampler, payload: bytes):
        self.sampler, self.payload = sampler, payload

    def __call__(self, task):
        return self.sampler.map_function(self.payload, task)


def check_out_dir(out: Path) -> None:
    """Create ``out`` and check a file can be written there; raises ``CalibrationInputError``."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".probe-"):
            pass
    except OSError as exc:
        raise CalibrationInputError(f"--out {out}: cannot write there ({exc.strerror or exc})") from None


def _unit_bandwidth(ess: float, dim: int) -> float:
    """No bandwidth factor: the kernel's covariance is ``scaling`` times the population's."""
    del ess, dim
    return 1.0


def transition() -> pyabc.MultivariateNormalTransition:
    """The perturbation kernel: a normal with twice the weighted covariance of the previous
    population (Beaumont, Cornuet, Marin & Robert 2009, Biometrika 96: 983-990), not pyabc's
    default Silverman bandwidth. In 13 dimensions with 100 particles Silverman's kernel (sd about
    0.7 of the population's) hardly overlaps a particle's neighbours, so the proposal density at a
    particle is its parent's kernel alone and the importance weights spread as exp(chi2_13 / 2):
    effective sample size 6 of 100 after one generation in the first full run, 9-13 in a toy
    13-parameter model, against 35-75 with this kernel (at about 1.5 times the simulations)."""
    return pyabc.MultivariateNormalTransition(scaling=2.0, bandwidth_selector=_unit_bandwidth)


def _abcsmc(prior_list: list[Prior], setting: Setting, sampler) -> pyabc.ABCSMC:
    """pyabc's ABC-SMC: unit-uniform priors, fixed-scale 2-norm distance, median epsilon
    (the first generation accepts every prior draw), the kernel of :func:`transition`."""
    unit = pyabc.Distribution(**{p.name: pyabc.RV("uniform", 0.0, 1.0) for p in prior_list})
    weights = {s.name: 1.0 / s.scale for s in STATISTICS}
    return pyabc.ABCSMC(HistoryModel(prior_list, setting.world), unit,
                        pyabc.PNormDistance(p=2, fixed_weights=weights), population_size=setting.population,
                        transitions=transition(), eps=pyabc.MedianEpsilon(initial_epsilon=math.inf),
                        sampler=sampler)


def run_abc(setting_name: str, seed: int, workers: int) -> dict[str, Any]:
    """Run ABC-SMC; the final population, the generations and what was run."""
    setting = SETTINGS[setting_name]
    prior_list, observed = priors(), targets()
    np.random.seed(seed % 2**32)
    random.seed(seed)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="abc-") as tmp:
        pool = (ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn"))
                if workers > 1 else None)
        try:
            sampler = SeededMappingSampler(pool.map if pool else map, seed)
            abc = _abcsmc(prior_list, setting, sampler)
            history = abc.new(f"sqlite:///{Path(tmp) / 'abc.db'}", observed)
            with warnings.catch_warnings():  # pyabc compares the first epsilon (inf) with the next: inf - inf
                warnings.filterwarnings("ignore", "invalid value encountered in scalar subtract", RuntimeWarning)
                history = abc.run(minimum_epsilon=setting.min_epsilon, max_nr_populations=setting.generations,
                                  min_acceptance_rate=setting.min_acceptance_rate,
                                  max_total_nr_simulations=setting.max_simulations)
        finally:
            if pool is not None:
                pool.shutdown()
        gens, particles = generation_rows(history), final_particles(history, prior_list)
    return {"setting": setting_name, "seed": seed, "workers": workers, "priors": prior_list,
            "observed": observed, "generations": gens, "particles": particles,
            "seconds": time.perf_counter() - start}


def generation_rows(history) -> list[dict[str, Any]]:
    """Per generation: t, epsilon (inf for the prior generation), acceptance rate, effective
    sample size, particles, simulations."""
    rows = []
    pops = history.get_all_populations()
    for r in pops[pops["t"] >= 0].sort_values("t").itertuples():
        _, w = history.get_distribution(m=0, t=int(r.t))
        rows.append({"t": int(r.t), "epsilon": float(r.epsilon), "acceptance_rate": int(r.particles) / int(r.samples),
                     "ess": float(effective_sample_size(w)), "particles": int(r.particles),
                     "simulations": int(r.samples)})
    return rows


def final_particles(history, prior_list: list[Prior]) -> list[dict[str, Any]]:
    """The last generation's particles (natural-scale parameters, weight summing to 1,
    statistics), sorted by parameter values so the order does not depend on the database."""
    pop = history.get_population()
    rows = []
    for p in pop.particles:
        par = {q.path: q.natural(float(p.parameter[q.name])) for q in prior_list}
        stats = {s.name: float(np.asarray(p.sum_stat[s.name]).ravel()[0]) for s in STATISTICS}
        rows.append({"weight": float(p.weight), "parameters": par, "statistics": stats})
    rows.sort(key=lambda r: tuple(r["parameters"].values()))
    total = sum(r["weight"] for r in rows)
    for r in rows:
        r["weight"] /= total
    return rows
