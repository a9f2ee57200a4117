"""Experiment files: what they may hold, and the validated experiment the package runs.

An experiment file (TOML) names arms (a scenario plus dotted-path overrides),
the months, replications and seed, optionally a sweep over factors, draws of
the uncertain parameters and an attribution of arms' effects to their levers.
This module declares that shape (pydantic: strict types, unknown keys,
ranges) and the validated ``Experiment``; :mod:`experiments.load` reads a file and checks it. The
format is documented in ``docs/experiments.md``.

Layout, in two sections: the shape of the file (the pydantic classes
``ExperimentMeta``, ``Arm``, ``Sweep``, ``Uncertainty``, ``Attribution``, ``ExperimentFile``);
the validated experiment (``ArmSpec``, ``Experiment``, what the rest of the
package uses) with the override helpers ``flatten`` and ``owner_key``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from model.inputs import loc_path
from model.outcomes import OUTCOME_NAMES
from model.scenario import Scenario

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
"""Experiment and arm names: letters, digits, '-' and '_' (they name files and folders)."""

MAX_REPLICATIONS = 10_000
MAX_RUNS = 200_000
MAX_ARMS = 200
MAX_LEVERS = 8

DEFAULT_OUTCOMES: tuple[str, ...] = (
    "needs_met_share",
    "needs_met_weighted_share",
    "needs_met",
    "backlog",
    "mean_wait_months",
    "needs_met_by_certified_share",
    "satisfaction",
    "trust_in_committee",
    "participation_rate",
    "organizations_registered",
    "social_workers",
    "certified_share",
    "public_spending_12m_yuan",
    "spending_per_need_met_yuan",
    "public_staff_yuan",
    "admin_hours_dropped",
    "equity_gap_groups",
    "equity_gap_groups_weighted",
    "needs_referred_share",
    "tri_party_ties_per_10k",
)
"""Outcomes reported when the file does not say (means over the last ``window_months`` of each run)."""

DEFAULT_WINDOW_MONTHS = 12
"""Months at the end of each run averaged into its outcome values when the file does not say."""

DEFAULT_HEADLINE: tuple[str, ...] = ("needs_met_share", "needs_met", "satisfaction", "public_spending_12m_yuan")



# ---------------------------------------------------------------------------
# the shape of the file
# ---------------------------------------------------------------------------


class Strict(BaseModel):
    """Base of every table: unknown keys, wrong types and NaN are errors."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


class AutoReplications(Strict):
    """``[experiment.auto]``: how ``replications = "auto"`` decides when to stop."""

    outcome: str = Field(description="Outcome whose effect intervals must become narrow.")
    half_width: float = Field(gt=0, description="Target half-width of every arm's 95% effect interval (outcome units).")
    min: int = Field(5, ge=2, le=MAX_REPLICATIONS, description="Replications of the first batch.")
    batch: int = Field(5, ge=1, le=MAX_REPLICATIONS, description="Replications added per further batch.")
    max: int = Field(50, ge=2, le=MAX_REPLICATIONS, description="Most replications run.")


class ExperimentMeta(Strict):
    """``[experiment]``."""

    name: str = Field(pattern=NAME_PATTERN, description="Name; results go to results/<name>/.")
    question: str = Field("", max_length=2000, description="The question the experiment answers (opens the report).")
    description: str = Field("", max_length=4000, description="More on the design (in the report).")
    months: int = Field(ge=1, le=1200, description="Months every run simulates.")
    window_months: int | None = Field(None, ge=1, le=1200,
                                      description="Each run's outcome is its mean over the last window_months "
                                                  "months (1 = the last month alone); at most months. Default: "
                                                  "12, or all the months of a shorter run.")
    burn_in_months: int = Field(0, ge=0, le=1200, multiple_of=12,
                                description="Months every run simulates first, before its levers start, that no "
                                            "table or figure reports (a multiple of 12, so yearly rounds keep their "
                                            "calendar months): the arm's world and parameters with no lever on, "
                                            "the same in every arm (common random numbers). 0 = none.")
    replications: Annotated[int, Field(ge=1, le=MAX_REPLICATIONS)] | Literal["auto"] = Field(
        10, description="Replications per arm (1-10000) or \"auto\".")
    seed: int = Field(2026, ge=0, le=2**63 - 1, description="Experiment seed; run seeds derive from it.")
    reference: str | None = Field(None, description="Arm the others are compared with (default: the first).")
    outcomes: list[str] | Literal["all"] = Field(list(DEFAULT_OUTCOMES), description="Outcomes reported.")
    headline: list[str] = Field(list(DEFAULT_HEADLINE), min_length=1, max_length=6,
                                description="Outcomes put in words and figures (1-6).")
    output: str | None = Field(None, max_length=200,
                               description="Output folder under results/ (default: the name).")
    auto: AutoReplications | None = None


class Arm(Strict):
    """One ``[[arm]]``."""

    name: str = Field(pattern=NAME_PATTERN, description="Arm name (letters, digits, - _).")
    scenario: str = Field(min_length=1, max_length=500, description="Preset name or scenario file.")
    label: str = Field("", max_length=200, description="Label in figures and the report.")
    label_zh: str = Field("", max_length=200, description="Chinese label (--lang zh).")
    description: str = Field("", max_length=2000, description="What the arm is.")
    set: dict[str, Any] = Field(default_factory=dict, description="Dotted-path overrides of the scenario.")


class Sweep(Strict):
    """``[sweep]``: design points applied on top of every arm."""

    design: Literal["grid", "lhs", "sobol", "morris"]
    samples: int | None = Field(None, ge=1, le=100_000,
                                description="lhs: points; sobol: base samples N (a power of 2); morris: trajectories.")
    levels: int = Field(4, ge=2, le=100, description="morris: grid levels (even).")
    second_order: bool = Field(False, description="sobol: also second-order indices (N*(2D+2) points).")
    factors: dict[str, list[Any]] = Field(min_length=1, max_length=50,
                                          description="Dotted path = [low, high] (grid: = [values...]).")


class Uncertainty(Strict):
    """``[uncertainty]``: draws of the register's uncertain parameters, crossed with the replications."""

    draws: int = Field(ge=2, le=10_000, description="Parameter sets drawn (at least 2).")
    parameters: list[str] | None = Field(None, min_length=1, max_length=1000,
                                         description="Dotted register paths drawn (default: every entry with "
                                                     "role \"uncertain\" and a range lo < hi).")
    seed: int | None = Field(None, ge=0, le=2**63 - 1, description="Seed of the draws (default: the experiment seed).")
    design: Literal["lhs", "random"] = Field("lhs", description="Latin hypercube (default) or plain random uniforms.")
    posterior: str | None = Field(None, min_length=1, max_length=1000,
                                  description="Posterior folder (relative to the experiment file's folder, or "
                                              "absolute): its estimated entries come from particles drawn by weight.")
    rest: Literal["ranges", "default"] | None = Field(
        None, description="With a posterior: the other uncertain entries are drawn from their ranges (\"ranges\", "
                          "the default) or stay at their defaults (\"default\").")


class Attribution(Strict):
    """``[attribution]``: Shapley decomposition of arms' effects over their levers."""

    arms: list[str] = Field(min_length=1, description="Arms whose effect is decomposed.")
    levers: dict[str, list[str]] | None = Field(
        None, description="Optional grouping: lever name = [dotted path prefixes]; default: one lever per "
                          "policy table or parameter that differs from the reference.")


class ExperimentFile(Strict):
    """The whole file."""

    experiment: ExperimentMeta
    arm: list[Arm] = Field(min_length=1, max_length=MAX_ARMS)
    sweep: Sweep | None = None
    attribution: Attribution | None = None
    uncertainty: Uncertainty | None = None


# ---------------------------------------------------------------------------
# the validated experiment
# ---------------------------------------------------------------------------


class ArmSpec:
    """An arm as run: its validated scenario (months and overrides applied)."""

    def __init__(self, arm: Arm, scenario: Scenario, hidden: bool = False):
        self.name = arm.name
        self.scenario_ref = arm.scenario
        self.label = arm.label or arm.name
        self.label_zh = arm.label_zh or self.label
        self.description = arm.description
        self.set = dict(arm.set)
        self.scenario = scenario
        self.hidden = hidden  # derived arms of an attribution (not in summaries of the arms)


class Experiment:
    """A validated experiment: meta data, arms with their scenarios, sweep, attribution."""

    def __init__(self, source: str, text: bytes, data: ExperimentFile, arms: list[ArmSpec],
                 base_dir: Path):
        self.source = source
        self.text = text
        self.sha256 = hashlib.sha256(text).hexdigest()
        self.meta = data.experiment
        self.sweep = data.sweep
        self.attribution_spec = data.attribution
        self.arms = arms
        self.base_dir = base_dir
        self.reference = data.experiment.reference or arms[0].name
        self.attribution: list[Any] = []  # filled by design.attribution_arms
        self.uncertainty = data.uncertainty
        self.draws: Any = None  # experiments.uncertainty.Draws, filled by design.check_draws

    @property
    def name(self) -> str:
        return self.meta.name

    @property
    def months(self) -> int:
        return self.meta.months

    @property
    def burn_in(self) -> int:
        """Months simulated before the reported ones (``[experiment] burn_in_months``)."""
        return self.meta.burn_in_months

    @property
    def run_months(self) -> int:
        """Months each run simulates: the burn-in, then the reported months."""
        return self.meta.burn_in_months + self.meta.months

    @property
    def window(self) -> int:
        """Months at the end of each run whose mean is the run's outcome value."""
        return self.meta.window_months or min(DEFAULT_WINDOW_MONTHS, self.meta.months)

    @property
    def seed(self) -> int:
        return self.meta.seed

    @property
    def outcomes(self) -> list[str]:
        o = self.meta.outcomes
        return list(OUTCOME_NAMES) if o == "all" else list(o)

    @property
    def headline(self) -> list[str]:
        return list(self.meta.headline)

    @property
    def auto(self) -> AutoReplications | None:
        return self.meta.auto if self.meta.replications == "auto" else None

    @property
    def output_name(self) -> str:
        return self.meta.output or self.meta.name

    def arm(self, name: str) -> ArmSpec:
        for a in self.arms:
            if a.name == name:
                return a
        raise KeyError(name)

    @property
    def visible_arms(self) -> list[ArmSpec]:
        return [a for a in self.arms if not a.hidden]


def owner_key(path: str, keys: Any) -> str:
    """The override key a problem path belongs to (the path itself, or a key below it).

    ``path`` is a field path as :func:`model.inputs.loc_path` writes it; ``keys`` are dotted override keys.
    """
    shown = {loc_path(tuple(k.split("."))): k for k in keys}
    if path in shown:
        return shown[path]
    return next((k for s, k in shown.items() if s.startswith(path + ".")), path)


def flatten(sets: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested tables of overrides as dotted paths (TOML dotted keys and quoted dotted keys alike)."""
    out: dict[str, Any] = {}
    for key, value in sets.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict):
            out.update(flatten(value, path))
        else:
            out[path] = value
    return out
