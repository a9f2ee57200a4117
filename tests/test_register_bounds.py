"""Every register entry runs at both of its bounds (issue 14: the register's bounds are the
hard limits of a valid scenario, so each must be a value the model can run).

One run per numeric entry and bound: the 2015 package (every lever on) in a small world with
one committee of each community type (6 committees x 200 residents), 12 months (one of each
yearly round: tender, exam, graduates), seed 1. A run passes when it finishes with every
number in its time series finite. Where a joint rule ties an entry to others, those partners
are moved as little as the rule needs (``_partners``): the named group shares add up to at
most 1; the ordered pairs stay ordered. A run that hangs (e.g. graduates scaled to millions)
is stopped by an alarm after ALARM_S seconds and reported: that is a hang guard, not a speed
check (a run here takes well under a second).
"""

from __future__ import annotations

import math
import signal

import numpy as np
import pytest

from model import CommunityModel, load_scenario
from model.params import COMMUNITY_TYPES, GROUPS
from model.register import register_rows
from model.scenario import ScenarioError, with_overrides

ALARM_S = 30
SHARES = "parameters.residents.group_shares."
PAIRS = (("parameters.social_workers.initial_skill_lo", "parameters.social_workers.initial_skill_hi", 0),
         ("parameters.social_workers.entrant_skill_lo", "parameters.social_workers.entrant_skill_hi", 0),
         ("parameters.organizations.initial_age_min_months", "parameters.organizations.initial_age_max_months", 1))
"""(lower, upper, least gap): pairs the register's validators keep in order."""


def _cases() -> list[tuple[str, float | int]]:
    out = []
    for r in register_rows():
        if r["type"] not in ("float", "int"):
            continue
        for v in (r["lo"], r["hi"]):
            out.append((r["path"], int(v) if r["type"] == "int" else float(v)))
    return out


def _partners(base, path: str, value: float) -> dict[str, float]:
    """The least change of the entries a joint rule ties to ``path`` that lets ``value`` stand."""
    sets: dict[str, float] = {}
    if path.startswith(SHARES):
        shares = base.parameters.residents.group_shares
        others = {g: getattr(shares, g) for g in GROUPS[:-1] if SHARES + g != path}
        room, total = 1.0 - value, sum(others.values())
        if total > room:
            sets.update({SHARES + g: v * room / total for g, v in others.items()})
    for lo, hi, gap in PAIRS:
        section = base.parameters
        for part in lo.split(".")[1:-1]:
            section = getattr(section, part)
        lo_v, hi_v = getattr(section, lo.rsplit(".", 1)[1]), getattr(section, hi.rsplit(".", 1)[1])
        if path == lo and value + gap > hi_v:
            sets[hi] = value + gap
        if path == hi and value - gap < lo_v:
            sets[lo] = value - gap
    return sets


def _alarm(_signum, _frame):
    raise TimeoutError(f"still running after {ALARM_S} s")


@pytest.fixture(scope="module")
def base():
    sc = load_scenario("shanghai-2015")
    return with_overrides(sc, {"world.committees_per_street": len(COMMUNITY_TYPES),
                               "world.residents_per_committee": 200,
                               "world.types": {t: 1 / len(COMMUNITY_TYPES) for t in COMMUNITY_TYPES},
                               "scenario.months": 12})


def test_every_register_entry_runs_at_both_of_its_bounds(base):
    cases = _cases()
    assert len(cases) > 1000  # every numeric entry, twice
    failures = []
    old = signal.signal(signal.SIGALRM, _alarm)
    try:
        for path, value in cases:
            signal.alarm(ALARM_S)
            try:
                sc = with_overrides(base, {path: value, **_partners(base, path, value)})
                m = CommunityModel(sc, rng=1)
                m.run()
                ts = m.recorder.timeseries().select_dtypes("number").to_numpy(dtype=np.float64)
                if not np.isfinite(ts).all():
                    failures.append(f"{path} = {value}: a non-finite number in the time series")
            except (ScenarioError, TimeoutError, ArithmeticError, ValueError, AssertionError) as exc:
                failures.append(f"{path} = {value}: {type(exc).__name__}: {str(exc)[:300]}")
            finally:
                signal.alarm(0)
    finally:
        signal.signal(signal.SIGALRM, old)
    assert not failures, f"{len(failures)} of {len(cases)} bound runs failed:\n" + "\n".join(failures)


def test_a_joint_rule_moves_only_the_partners_it_must(base):
    sets = _partners(base, SHARES + "elderly", 1.0)
    assert set(sets) == {SHARES + g for g in GROUPS[:-1] if g != "elderly"}
    assert all(v == 0.0 for v in sets.values())
    assert _partners(base, SHARES + "elderly", 0.0) == {}
    lo, hi, _ = PAIRS[0]
    assert _partners(base, lo, 1.0) == {hi: 1.0}
    assert math.isclose(sum(_partners(base, SHARES + "migrants", 0.9).values()), 0.1)  # the room left
