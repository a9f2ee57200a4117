"""Designs: common random numbers, stable seeds, deterministic design points, attribution arms."""

from __future__ import annotations

import numpy as np
import pytest
from exp_helpers import experiment_text, write_experiment

from experiments.design import Plan, design_points, replication_seed
from experiments.load import load_experiment

RENT = "parameters.organizations.rent_subsidy_share"
BURDEN = "parameters.committees.admin_burden"
STAFF = "parameters.committees.staff"


def _sweep(design: str, samples: int | None, factors: dict[str, list], **more) -> str:
    lines = ["[sweep]", f'design = "{design}"']
    if samples is not None:
        lines.append(f"samples = {samples}")
    lines += [f"{k} = {v}" for k, v in more.items()]
    lines.append("[sweep.factors]")
    lines += [f'"{k}" = {v}' for k, v in factors.items()]
    return "\n".join(lines)


def test_replication_r_of_every_arm_shares_one_seed(tmp_path):
    plan = Plan(load_experiment(write_experiment(tmp_path, replications=4)))
    tasks = plan.tasks(range(4))
    by_rep: dict[int, set[int]] = {}
    for t in tasks:
        by_rep.setdefault(t.replication, set()).add(t.seed)
    assert all(len(seeds) == 1 for seeds in by_rep.values())
    assert len({next(iter(s)) for s in by_rep.values()}) == 4  # replications differ
    # the documented rule: the r-th child of SeedSequence(seed)
    children = np.random.SeedSequence(11).spawn(4)
    for r, child in enumerate(children):
        assert by_rep[r] == {int(child.generate_state(1, np.uint64)[0] >> np.uint64(1))}
    assert replication_seed(11, 2) == next(iter(by_rep[2]))


def test_adding_replications_or_arms_leaves_existing_runs_unchanged(tmp_path):
    small = Plan(load_experiment(write_experiment(tmp_path, filename="a.toml", replications=3)))
    arms = {"base": {}, "rent": {RENT: 0.8}, "funds": {"parameters.committees.self_governance_fund_yuan": 60000.0},
            "extra": {BURDEN: 0.3}}
    big = Plan(load_experiment(write_experiment(tmp_path, filename="b.toml", replications=6, arms=arms)))
    before = {t.run_id: (t.seed, t.key) for t in small.tasks(range(3))}
    after = {t.run_id: (t.seed, t.key) for t in big.tasks(range(6))}
    assert set(before) < set(after)
    assert all(after[k] == v for k, v in before.items())


def test_grid_is_every_combination_in_file_order(tmp_path):
    extra = _sweep("grid", None, {RENT: [0.0, 0.5], STAFF: [6, 9, 12]})
    exp = load_experiment(write_experiment(tmp_path, extra=extra, replications=2))
    matrix, points = design_points(exp.sweep, exp.seed)
    assert matrix is None
    assert points == [{RENT: r, STAFF: s} for r in (0.0, 0.5) for s in (6, 9, 12)]
    tasks = Plan(exp).tasks(range(2))
    assert len(tasks) == 3 * 6 * 2
    assert tasks[0].run_id == "base.p00000.r0000"


def test_lhs_is_stratified_within_bounds_and_deterministic(tmp_path):
    extra = _sweep("lhs", 10, {RENT: [0.0, 0.5], STAFF: [4, 12]})
    exp = load_experiment(write_experiment(tmp_path, extra=extra))
    m1, p1 = design_points(exp.sweep, exp.seed)
    m2, p2 = design_points(exp.sweep, exp.seed)
    assert np.array_equal(m1, m2) and p1 == p2
    assert m1.shape == (10, 2)
    # one point in each tenth of each factor's range
    assert sorted(np.floor((m1[:, 0] - 0.0) / 0.05).astype(int).tolist()) == list(range(10))
    assert sorted(np.floor((m1[:, 1] - 4) / 0.8).astype(int).tolist()) == list(range(10))
    assert all(isinstance(p[STAFF], int) and 4 <= p[STAFF] <= 12 for p in p1)  # integer bounds: rounded
    other = design_points(exp.sweep, exp.seed + 1)[0]
    assert not np.array_equal(m1, other)


def test_sobol_has_saltelli_size_and_structure(tmp_path):
    extra = _sweep("sobol", 8, {RENT: [0.0, 0.5], BURDEN: [0.3, 0.6]})
    exp = load_experiment(write_experiment(tmp_path, extra=extra, replications=1))
    m, points = design_points(exp.sweep, exp.seed)
    assert m.shape == (8 * (2 + 2), 2)
    assert m[:, 0].min() >= 0 and m[:, 0].max() <= 0.5
    # Saltelli blocks: A, AB_1 (factor 1 from B), AB_2 (factor 2 from B), B
    a, ab1, ab2, b = m[0::4], m[1::4], m[2::4], m[3::4]
    assert np.array_equal(ab1[:, 1], a[:, 1]) and np.array_equal(ab1[:, 0], b[:, 0])
    assert np.array_equal(ab2[:, 0], a[:, 0]) and np.array_equal(ab2[:, 1], b[:, 1])
    second = load_experiment(write_experiment(tmp_path, filename="s2.toml",
                                              extra=extra + "\n", replications=1,
                                              meta=""))
    assert np.array_equal(design_points(second.sweep, second.seed)[0], m)


def test_morris_trajectories_move_one_factor_a_step(tmp_path):
    extra = _sweep("morris", 3, {RENT: [0.0, 0.6], BURDEN: [0.3, 0.6]}, levels=4)
    exp = load_experiment(write_experiment(tmp_path, extra=extra, replications=1))
    m, _ = design_points(exp.sweep, exp.seed)
    assert m.shape == (3 * 3, 2)
    for t in range(3):
        traj = m[3 * t:3 * t + 3]
        steps = np.abs(np.diff(traj, axis=0))
        assert ((steps > 1e-12).sum(axis=1) == 1).all()  # one factor moves per step
    levels = np.unique(np.round(m[:, 0] / 0.6 * 3, 9))
    assert set(levels.tolist()) <= {0.0, 1.0, 2.0, 3.0}


def test_design_points_do_not_depend_on_the_arms(tmp_path):
    extra = _sweep("lhs", 6, {RENT: [0.0, 0.5]})
    one = load_experiment(write_experiment(tmp_path, filename="a.toml", extra=extra, arms={"a": {}}))
    two = load_experiment(write_experiment(tmp_path, filename="b.toml", extra=extra))
    assert design_points(one.sweep, one.seed)[1] == design_points(two.sweep, two.seed)[1]


def test_attribution_adds_one_hidden_arm_per_proper_lever_subset(tmp_path):
    arms = {"base": {}, "both": {RENT: 0.8, "parameters.committees.self_governance_fund_yuan": 60000.0,
                                 BURDEN: 0.3}}
    extra = ('[attribution]\narms = ["both"]\n[attribution.levers]\n'
             f'support = ["{RENT}", "parameters.committees.self_governance_fund_yuan"]\n'
             f'reform = ["{BURDEN}"]\n')
    exp = load_experiment(write_experiment(tmp_path, arms=arms, extra=extra))
    (plan,) = exp.attribution
    assert plan.levers == ["support", "reform"]
    assert plan.subset_arm[0] == "base" and plan.subset_arm[3] == "both"
    hidden = {a.name: a for a in exp.arms if a.hidden}
    assert set(hidden) == {plan.subset_arm[1], plan.subset_arm[2]}
    only_support = hidden[plan.subset_arm[1]].scenario.parameters
    assert only_support.organizations.rent_subsidy_share == 0.8
    assert only_support.committees.admin_burden == 0.5  # the reference's value
    assert [a.name for a in exp.visible_arms] == ["base", "both"]
    # default grouping: one lever per differing parameter
    exp2 = load_experiment(write_experiment(tmp_path, filename="d.toml", arms=arms,
                                            extra='[attribution]\narms = ["both"]\n'))
    assert len(exp2.attribution[0].levers) == 3


def test_attribution_levers_must_cover_every_difference(tmp_path):
    from experiments.load import ExperimentError

    arms = {"base": {}, "both": {RENT: 0.8, BURDEN: 0.3}}
    extra = f'[attribution]\narms = ["both"]\n[attribution.levers]\nsupport = ["{RENT}"]\n'
    with pytest.raises(ExperimentError) as info:
        load_experiment(write_experiment(tmp_path, arms=arms, extra=extra))
    assert "falls under no lever" in str(info.value)


def test_plan_keys_change_with_the_scenario(tmp_path):
    a = Plan(load_experiment(write_experiment(tmp_path, filename="a.toml")))
    text = experiment_text().replace("0.8", "0.7")
    b = Plan(load_experiment(write_experiment(tmp_path, text, filename="b.toml")))
    ka = {t.run_id: t.key for t in a.tasks(range(3))}
    kb = {t.run_id: t.key for t in b.tasks(range(3))}
    assert ka["base.r0000"] == kb["base.r0000"]
    assert ka["rent.r0000"] != kb["rent.r0000"]
