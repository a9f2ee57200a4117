"""The dashboard's text and numbers: compare table, units, the spending window, colours by direction,
Chinese validation messages, world sliders within the size limit."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

from dashboard import i18n
from dashboard.inputs import format_control, parse_seed
from dashboard.views import problem_lines
from dashboard.compare import (
    SAME_AS_A,
    CompareNumbers,
    _fill_colors,
    compare_numbers,
    ratio_lines,
    settings_b,
    table_rows,
)
from dashboard.controls import (
    MAX_DASHBOARD_RESIDENTS,
    all_controls,
    dashboard_presets,
    settings_from_preset,
    settings_to_scenario,
    world_controls,
    world_limits,
)
from dashboard.plots import (
    BAD,
    BETTER,
    GOOD,
    NEUTRAL,
    PANELS,
    change_color,
    format_value,
    monitor_label,
)
from dashboard.session import Session
from model import OUTCOME_NAMES
from model.scenario import ScenarioError

# an English sentence: three words of Latin letters in a row (a command such as "run.py simulate" is allowed)
ENGLISH = re.compile(r"[A-Za-z]{2,}[ ,;:]+[A-Za-z]{2,}[ ,;:]+[A-Za-z]{2,}")
COMMANDS = re.compile(r"run\.py \w+")


def _english(text: str) -> list[str]:
    return ENGLISH.findall(COMMANDS.sub("", text))


@pytest.fixture(scope="module")
def fund_runs():
    """A session comparing A (self-governance fund on) with B (off), 14 months on a small street."""
    a = settings_from_preset("baseline")
    a.values["world.committees_per_street"] = 5
    a.values["world.residents_per_committee"] = 800
    a.enabled["self_governance_funds"] = True
    b = settings_b(a, SAME_AS_A, dict(a.enabled, self_governance_funds=False))
    session = Session()
    session.build(a, b)
    assert session.numbers(["needs_met_share"]).month == 0
    for _ in range(14):
        session.step()
    return session


# -- compare with numbers -------------------------------------------------------------
def test_compare_numbers_are_this_months_values_and_cumulative_sums(fund_runs):
    outcomes = ["needs_met_share", "public_spending_12m_yuan"]
    nums = fund_runs.numbers(outcomes)
    ta, tb = fund_runs.a.recorder.timeseries(), fund_runs.b.recorder.timeseries()
    assert nums.month == 14 == int(ta["month"].iloc[-1])
    assert nums.rows == tuple((o, float(ta[o].iloc[-1]), float(tb[o].iloc[-1])) for o in outcomes)
    assert nums.needs_met == (float(ta["needs_met"].sum()), float(tb["needs_met"].sum()))
    assert nums.spending == (float(ta["public_spending_yuan"].sum()), float(tb["public_spending_yuan"].sum()))
    assert nums.spending[0] > nums.spending[1], "the fund is public spending"
    assert compare_numbers(fund_runs.a, fund_runs.b, outcomes) == nums
    rows = table_rows(nums, "zh")
    assert [r[0] for r in rows[-2:]] == ["累计满足需求（第1–14个月）", "累计公共支出（第1–14个月）"]
    assert rows[-1][4] == GOOD, "B spends less: a fall in spending is good"


def test_yuan_per_extra_need_and_its_reasons():
    nums = CompareNumbers(12, (), needs_met=(1000.0, 1100.0), spending=(50_000.0, 90_000.0))
    assert nums.yuan_per_extra_need() == (400.0, "")
    assert nums.needs_per_10k_yuan() == (pytest.approx(25.0), "")
    assert ratio_lines(nums, "zh")[0].endswith("400 元/项需求")
    fewer = CompareNumbers(12, (), needs_met=(1000.0, 1000.0), spending=(90_000.0, 50_000.0))
    assert fewer.yuan_per_extra_need() == (None, "per_need_no_extra")
    assert fewer.needs_per_10k_yuan() == (None, "per_10k_no_extra")
    for lang in ("zh", "en"):
        lines = ratio_lines(fewer, lang)
        assert all("—" in line for line in lines), lines
    assert "B没有比A多满足需求" in ratio_lines(fewer, "zh")[0]
    start = CompareNumbers(0, (), (0.0, 0.0), (0.0, 0.0))
    assert start.yuan_per_extra_need() == (None, "per_need_no_months")


def test_every_outcome_declares_which_way_is_better_and_colours_follow():
    assert set(BETTER) == set(OUTCOME_NAMES)
    assert set(BETTER.values()) <= {-1, 0, 1}
    assert change_color("mean_wait_months", -0.5) == GOOD  # waiting less is good
    assert change_color("public_spending_12m_yuan", -100) == GOOD
    assert change_color("needs_met_share", -0.1) == BAD
    assert change_color("needs_met_share", 0.0) == NEUTRAL
    assert change_color("needs_arising", 5) == NEUTRAL
    assert _fill_colors("mean_wait_months") == (BAD, GOOD)  # (above zero, below zero)
    assert _fill_colors("satisfaction") == (GOOD, BAD)
    rows = table_rows(CompareNumbers(3, (("mean_wait_months", 2.0, 1.5), ("satisfaction", 0.6, 0.6)),
                                     (10.0, 12.0), (5.0, 5.0)), "zh")
    assert rows[0][1:] == ("2.0 个月", "1.5 个月", "-0.5 个月", GOOD)
    assert rows[1][3:] == ("+0.00", NEUTRAL)


# -- units and the spending window ----------------------------------------------------
def test_controls_are_written_as_people_read_them():
    ctl = all_controls()
    assert format_control(ctl["policies.org_support.rent_subsidy_share"], 0.5, "zh") == "50%（占房租）"
    assert format_control(ctl["policies.org_support.rent_subsidy_share"], 0.5, "en") == "50% of rent"
    assert format_control(ctl["policies.purchase_of_services.catalogue_min_age_months"], 6, "zh") == "登记满 6 个月"
    assert format_control(ctl["policies.purchase_of_services.weight_price"], 0.3, "zh") == "0.30"
    assert format_control(ctl["scenario.months"], 120, "zh") == "120 个月"
    assert format_control(ctl["policies.direct_registration.registration_cost_yuan"], 3000, "zh") == "3,000 元"
    assert format_control(ctl["policies.direct_registration.abandon_rate"], 0.02, "zh") == "登记期间每月 2.0%"
    for c in ctl.values():
        text = format_control(c, c.default, "zh")
        assert not re.search(r"[A-Za-z]", text), f"{c.path}: {text}"


def test_shares_are_percent_on_monitors_and_charts():
    assert format_value("needs_met_share", 0.832, "zh") == "83.2%"
    assert format_value("social_worker_attrition", 0.12, "zh") == "12.0%/年"
    assert format_value("mean_wait_months", 2.54, "zh") == "2.5 个月"
    share_panels = [p for p in PANELS if p is not None and p.percent]
    assert share_panels and all(p.share for p in share_panels)


def test_the_spending_mean_names_its_partial_window():
    assert monitor_label("public_spending_12m_yuan", 3, "zh") == "公共支出（前3个月均值）"
    assert monitor_label("public_spending_12m_yuan", 3, "en") == "Public spending (mean of the first 3 months)"
    assert monitor_label("public_spending_12m_yuan", 12, "zh") == i18n.outcome_label("public_spending_12m_yuan", "zh")
    money = next(p for p in PANELS if p is not None and p.title == "p_money")
    df = pd.DataFrame({"month": np.arange(1, 16), "public_spending_12m_yuan": np.full(15, 9e4),
                       "social_money_yuan": np.zeros(15)})
    full, first = money.series[0].values(df), money.series[1].values(df)
    assert np.isnan(full[:11]).all() and np.allclose(full[11:], 9.0)  # solid line: full windows, 万元
    assert np.allclose(first[:12], 9.0) and np.isnan(first[12:]).all()  # dotted: months 1-12
    assert money.series[1].label("zh") == "公共支出（前12个月：已过月份的均值）"


# -- Chinese messages -----------------------------------------------------------------
def _problems(settings) -> list[tuple[str, str]]:
    with pytest.raises(ScenarioError) as err:
        settings_to_scenario(settings)
    return err.value.problems


def test_validation_messages_on_the_chinese_page_are_chinese():
    s = settings_from_preset("baseline")
    big = s.copy()
    big.values["world.committees_per_street"] = 50
    big.values["world.residents_per_committee"] = 8000
    high = s.copy(enabled=dict(s.enabled, org_support=True))
    high.values["policies.org_support.rent_subsidy_share"] = 1.5
    nan = s.copy(enabled=dict(s.enabled, org_support=True))
    nan.values["policies.org_support.rent_subsidy_share"] = math.nan
    text = s.copy(enabled=dict(s.enabled, incubators=True))
    text.values["policies.incubators.slots"] = "six"
    zero = s.copy()
    zero.values["world.committees_per_street"] = 0
    for bad in (s.copy(seed="abc"), s.copy(seed=-5), s.copy(preset="nope"), big, high, nan, text, zero):
        problems = _problems(bad)
        zh, en = problem_lines(problems, "zh"), problem_lines(problems, "en")
        assert zh and all(not _english(line) for line in zh), zh
        assert all(_english(line) for line in en), en
    assert problem_lines(_problems(big), "zh") == ["街道规模: 模拟居民 400,000 人，仪表板最多 250,000 人"
                                                   "（更大的规模请用 run.py simulate）"]
    assert problem_lines(_problems(high), "zh") == ["房租补贴比例: 应不大于 1（当前：1.5）"]
    # the English message stays what run.py and the tests read
    assert "the dashboard allows at most 250,000" in _problems(big)[0][1]


def test_every_interface_message_in_chinese_has_no_english_sentence():
    for key, entry in i18n.catalogue()["ui"].items():
        assert not _english(entry["zh"]), f"ui.{key}: {entry['zh']}"


def test_the_seed_box_keeps_what_is_not_a_whole_number_for_reset_to_report():
    assert parse_seed(" 2,026 ") == 2026
    assert parse_seed("-5") == -5
    assert parse_seed("abc") == "abc"


# -- world sliders ----------------------------------------------------------------------
def test_world_sliders_cannot_reach_a_world_over_the_limit():
    ctls = {c.path: c for c in world_controls()}
    for name in dashboard_presets():
        s = settings_from_preset(name)
        for r in np.arange(ctls["world.residents_per_committee"].lo, ctls["world.residents_per_committee"].hi + 1,
                           ctls["world.residents_per_committee"].step):
            s.values["world.residents_per_committee"] = int(r)
            top = world_limits(s)["world.committees_per_street"]
            assert ctls["world.committees_per_street"].lo <= top <= ctls["world.committees_per_street"].hi
            s.values["world.committees_per_street"] = int(top)
            settings_to_scenario(s)  # the largest combination on the sliders is allowed
            assert world_limits(s)["world.residents_per_committee"] >= r
    s = settings_from_preset("baseline")
    s.values["world.residents_per_committee"] = 8000
    assert world_limits(s)["world.committees_per_street"] == MAX_DASHBOARD_RESIDENTS // 8000
