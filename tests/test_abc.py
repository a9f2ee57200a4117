"""ABC calibration (model/tools/abc*.py, python run.py calibrate --abc): the summary statistics
on a constructed run table, the targets and priors it refuses, the quick run's files and their
reproducibility from a seed on 1 and 2 workers, and bad command-line input (exit 2)."""

import json
import math

import numpy as np
import pandas as pd
import pytest

import run
from model.tools import abc
from model.tools.abc_statistics import (
    STATISTICS,
    CalibrationInputError,
    Ref,
    Statistic,
    summary_statistics,
    target_of,
    targets,
)


def _table(months: int = 144) -> pd.DataFrame:
    """A run table 2004-01..: organizations grow 10 % a year (log), other outcomes constant."""
    dates = [f"{2004 + k // 12}-{k % 12 + 1:02d}" for k in range(months)]
    years = np.arange(months) / 12.0
    return pd.DataFrame({
        "month": np.arange(1, months + 1), "date": dates,
        "organizations_registered": np.exp(0.1 * years) - 1.0,
        "social_workers": 14000.0, "certified_share": 0.6, "sector_government_income_share": 0.16,
        "service_centre_coverage": np.where(years >= 11, 0.75, 0.5),
    })


def test_summary_statistics_of_a_constructed_run_table():
    s = summary_statistics(_table())
    assert list(s) == [st.name for st in STATISTICS]
    assert s["organizations_growth_2008_2013"] == pytest.approx(0.1)
    assert s["organizations_growth_2013_2015"] == pytest.approx(0.1)
    assert s["social_workers_2015"] == 14000.0
    assert s["certified_share_2015"] == 0.6
    assert s["sector_government_share_2012"] == s["sector_government_share_2015"] == 0.16
    assert s["service_centre_coverage_2015"] == 0.75


def test_a_run_table_that_stops_early_is_refused():
    with pytest.raises(CalibrationInputError, match="2015-12"):
        summary_statistics(_table(months=140))


def test_targets_come_from_the_cited_series():
    t = targets()
    assert t["organizations_growth_2008_2013"] == pytest.approx(math.log(11338 / 8943) / (58 / 12))
    assert t["certified_share_2015"] == pytest.approx(9408 / 14151)
    assert t["sector_government_share_2012"] == pytest.approx(0.158)
    assert t["service_centre_coverage_2015"] == pytest.approx(168 / 209)
    assert all(st.scale > 0 for st in STATISTICS)


@pytest.mark.parametrize("ref, message", [
    (Ref("government_funding_of_social_orgs", 2015), "lower_bound"),
    (Ref("no_such_series", 2015), "no_such_series"),
    (Ref("social_workers", 2010), "0 rows for 2010"),
    (Ref("resident_population", 2010), "2 rows for 2010"),
])
def test_a_statistic_without_a_usable_figure_is_refused(ref, message):
    stat = Statistic("x", "social_workers", "level", ("2015-12",), (ref,), 1.0, "test")
    with pytest.raises(CalibrationInputError, match=message):
        target_of(stat)


def test_priors_are_the_registers_ranges():
    rows = {r["path"]: r for r in abc.register_rows()}
    for p in abc.priors():
        rng = rows[p.path]["range"]
        assert (p.lo, p.hi) == (rng["lo"], rng["hi"])
        assert p.kind == ("loguniform" if rng["distribution"] == "loguniform" else "uniform")
        assert p.natural(0.0) == pytest.approx(p.lo) and p.natural(1.0) == pytest.approx(p.hi)
    with pytest.raises(CalibrationInputError, match="no plausible range"):
        abc.priors(("parameters.social_workers.exam_pass_base",))
    with pytest.raises(CalibrationInputError, match="not in the register"):
        abc.priors(("parameters.nothing.here",))


def _quick(tmp_path, name, workers, seed=5):
    out = tmp_path / name
    rc = run.main(["calibrate", "--abc", "--setting", "quick", "--workers", str(workers), "--seed", str(seed),
                   "--out", str(out)])
    assert rc == 0
    return out


@pytest.mark.slow
def test_quick_run_writes_the_posterior_and_repeats_on_two_workers(tmp_path):
    one, two = _quick(tmp_path, "one", 1), _quick(tmp_path, "two", 2)
    post = pd.read_csv(one / "posterior.csv")
    prior_list = abc.priors()
    assert list(post.columns) == ["particle", "weight", *(p.path for p in prior_list)]
    assert list(post["particle"]) == list(range(abc.SETTINGS["quick"].population))
    assert post["weight"].sum() == pytest.approx(1.0)
    for p in prior_list:
        assert post[p.path].between(p.lo, p.hi).all(), p.path
    summ = pd.read_csv(one / "summaries.csv")
    assert list(summ.columns) == ["particle", *(s.name for s in STATISTICS)]
    gens = pd.read_csv(one / "generations.csv")
    assert list(gens["t"]) == [0, 1] and (gens["simulations"] >= gens["particles"]).all()
    meta = json.loads((one / "posterior.json").read_text(encoding="utf-8"))
    assert meta["format"] == 1 and meta["seed"] == 5 and meta["setting"] == "quick"
    assert [p["path"] for p in meta["parameters"]] == [p.path for p in prior_list]
    assert all(p["lo"] <= p["central"] <= p["hi"] for p in meta["parameters"])
    assert meta["generations"][0]["epsilon"] is None and meta["generations"][1]["epsilon"] > 0
    for name in ("posterior.csv", "summaries.csv", "generations.csv"):
        assert (one / name).read_bytes() == (two / name).read_bytes(), name


@pytest.mark.parametrize("argv, message", [
    (["--workers", "0"], "--workers 0"),
    (["--write"], "--write"),
    (["--seed", "-1"], "--seed -1"),
])
def test_bad_abc_options_exit_2(argv, message, capsys):
    assert run.main(["calibrate", "--abc", "--setting", "quick", *argv]) == 2
    assert message in capsys.readouterr().err


def test_unknown_setting_exits_2(capsys):
    with pytest.raises(SystemExit) as exc:
        run.main(["calibrate", "--abc", "--setting", "huge"])
    assert exc.value.code == 2
    assert "invalid choice: 'huge'" in capsys.readouterr().err


def test_unwritable_out_dir_exits_2(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    assert run.main(["calibrate", "--abc", "--setting", "quick", "--out", str(blocker / "sub")]) == 2
    err = capsys.readouterr().err
    assert "cannot write there" in err and "Traceback" not in err


def test_prior_outside_the_register_bounds_exits_2(monkeypatch, tmp_path, capsys):
    real = abc.register_rows

    def widened():
        rows = real()
        for r in rows:
            if r["path"] == abc.ESTIMATED[0]:
                r["range"] = {**r["range"], "hi": r["hi"] + 1.0}
        return rows

    monkeypatch.setattr(abc, "register_rows", widened)
    assert run.main(["calibrate", "--abc", "--setting", "quick", "--out", str(tmp_path / "o")]) == 2
    assert "outside the register's bounds" in capsys.readouterr().err


def test_a_worker_gives_its_freed_memory_back_after_each_simulation(monkeypatch):
    """HistoryModel trims the C heap after every run (glibc's malloc_trim where there is one):
    without it a full calibration's workers grew about 12 MB a simulation until the machine
    ran out of memory."""
    calls = []
    monkeypatch.setattr(abc, "simulate_history", lambda sets, seed: {"x": 1.0})
    monkeypatch.setattr(abc, "_TRIM", lambda pad: calls.append(pad))
    model = abc.HistoryModel(abc.priors(), {})
    model({p.name: 0.5 for p in model.priors})
    model({p.name: 0.25 for p in model.priors})
    assert calls == [0, 0]
