#!/usr/bin/env python3
"""The one command-line entry of the project.

    python run.py                          run the default experiment (experiments/default.toml)
    python run.py experiment FILE [--workers N] [--dask local|ADDRESS] [--out DIR] [--resume] [--lang en|zh]
    python run.py simulate [SCENARIO] [--profile FILE] [--months N] [--seed S] [--out DIR]
    python run.py validate [FILE] [--profile FILE]   check a scenario or experiment file and/or a street profile
    python run.py scenarios                list the ready scenarios
    python run.py params [--markdown|--json]   print the parameter register (evidence, range, role)
    python run.py rules [--markdown|--json]   list the behavioural rules (--markdown writes docs/rules.md)
    python run.py calibrate [--seeds N] [--write]   the 2015 calibration table
    python run.py calibrate --abc [--setting quick|medium|full] [--workers W] [--seed S] [--out DIR]
                                           ABC-SMC calibration: writes the posterior (docs/calibration.md)
    python run.py check-history [--seeds N] [--workers W] [--write]   the history against cited figures,
                                           in and out of sample (docs/validation.md)
    python run.py bench [--city] [--quick] ...      speed and memory (benchmarks/bench.py)
    python run.py dashboard [--port P] [--lang zh|en] [--host H] [--workshop]   the workshop dashboard (127.0.0.1;
                                           --workshop: the room's network, with a join code)
    python run.py dashboard-replay LOG --team T [--csv FILE]   replay a workshop team's run from its decision log

Bad input ends with exit code 2 and a message naming the file, every field at
fault and what is allowed; nothing is written. A file that cannot be written
(full disk, read-only folder) ends with exit code 74 and a message naming it;
every file keeps its previous content or is absent, never half-written.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
DEFAULT_SCENARIO = "baseline"
DEFAULT_SEED = 2026
EXIT_IO_ERROR = 74
"""A result file could not be written (sysexits' EX_IOERR): full disk, read-only folder..."""


class UsageError(Exception):
    """Bad command-line input (exit code 2)."""


def describe_os_error(exc: OSError) -> str:
    """One line saying which file failed and why (no traceback)."""
    what = exc.strerror or str(exc)
    if exc.filename:
        return (f"{exc.filename}: {what}. Result files are written whole or not at all: "
                "the files written before are complete, none is half-written")
    return what


def _safe_out(out: str | None, name: str) -> Path:
    from model.output import output_folder

    try:
        return output_folder(out, name)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def print_profile_notes(scenario) -> None:
    """Say which facilities of the scenario's street profile a lever of the scenario moves."""
    from model.profile import lever_notes

    if scenario.profile is not None:
        for line in lever_notes(scenario.profile, scenario.policies.levers()):
            print(line)


def cmd_simulate(args: argparse.Namespace) -> int:
    """Run one scenario and write its results."""
    from model import CommunityModel, load_scenario
    from model.output import write_run
    from model.scenario import with_overrides, with_profile

    scenario = load_scenario(args.scenario)
    if args.profile is not None:
        scenario = with_profile(scenario, args.profile)
    if args.months is not None:
        if not 1 <= args.months <= 1200:
            raise UsageError(f"--months {args.months}: allowed 1-1200")
        scenario = with_overrides(scenario, {"scenario.months": args.months})
    if args.seed < 0 or args.seed >= 2**63:
        raise UsageError(f"--seed {args.seed}: allowed 0 to 2**63-1")
    out = _safe_out(args.out, scenario.scenario.name)
    print_profile_notes(scenario)
    start = time.perf_counter()
    model = CommunityModel(scenario, rng=args.seed)
    show = not args.quiet and sys.stderr.isatty()
    model.run(progress=show or args.progress)
    files = write_run(model, out)
    elapsed = time.perf_counter() - start
    final = model.recorder.current
    print(f"scenario {scenario.scenario.name!r}, seed {args.seed}: {model.month} months, "
          f"{model.simulated_residents:,} residents simulated, {elapsed:.1f} s")
    print(f"  needs met {final['needs_met_share']:.1%}, satisfaction {final['satisfaction']:.2f}, "
          f"organizations {final['organizations_registered']:.0f}, social workers {final['social_workers']:.0f}")
    gap = model.recorder.committee_gap()
    if gap["types"] > 1:
        print(f"  gap between committees (last {gap['months']} months): {gap['between_type_share']:.0%} of its variance "
              f"between community types; within types, {gap['org_services_share_of_within']:.0%} goes with the "
              f"organization services reaching them; chance alone {gap['chance_share']:.0%}")
    print(f"results in {out}/ ({', '.join(p.name for p in files)})")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """Check a scenario file and/or a street profile without running them."""
    from model import load_scenario
    from model.scenario import with_profile

    if args.file is None and args.profile is None:
        raise UsageError("validate: give a scenario FILE, --profile FILE, or both")
    from experiments.load import is_experiment_file

    if args.profile is None and is_experiment_file(args.file):
        return validate_experiment_file(args.file)
    sc = load_scenario(args.file or DEFAULT_SCENARIO)
    if args.profile is not None:
        sc = with_profile(sc, args.profile)
    if sc.profile is not None:
        pr = sc.profile
        print(f"{args.profile or args.file}: valid street profile {pr.street.name!r} ({len(pr.committee)} "
              f"committees, {sum(c.residents for c in pr.committee):,} residents, "
              f"{sum(o.count for o in pr.organization)} organizations)")
        print_profile_notes(sc)
    if args.file is None:
        return 0
    print(f"{args.file}: valid scenario {sc.scenario.name!r} ({sc.scenario.months} months, "
          f"{sc.world.streets} street(s) x {sc.world.committees_per_street} committees x "
          f"{sc.world.residents_per_committee} residents, scale {sc.world.scale})")
    return 0


def validate_experiment_file(path: str) -> int:
    """Check an experiment file (its arms, draws and posterior) without running it: 0, or 2 with every problem."""
    from experiments.load import ExperimentError, load_experiment

    try:
        exp = load_experiment(path)
    except ExperimentError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    draws = f", {len(exp.draws.values)} parameter draws" if exp.draws is not None else ""
    if exp.draws is not None and exp.draws.posterior is not None:
        draws += f" ({len(exp.draws.posterior.paths)} parameters from the posterior {exp.draws.posterior.folder})"
    print(f"{path}: valid experiment {exp.name!r} ({len(exp.visible_arms)} arm(s), {exp.months} months{draws})")
    return 0


def cmd_scenarios(_args: argparse.Namespace) -> int:
    """List the ready scenarios, one line each."""
    from model import load_scenario, preset_names

    for name in preset_names():
        sc = load_scenario(name)
        print(f"{name:24s} {sc.scenario.description}")
    return 0


def cmd_calibrate(args: argparse.Namespace) -> int:
    """Run shanghai-history to 2015-12 over seeds and compare with the article's figures
    (the hand-calibration table), or with --abc estimate the posterior by ABC-SMC."""
    if args.abc:
        return cmd_calibrate_abc(args)
    from model.tools.calibration import calibrate, table_markdown, write_doc

    if not 1 <= args.seeds <= 100:
        raise UsageError(f"--seeds {args.seeds}: allowed 1-100")
    rows = calibrate(seeds=args.seeds, workers=max(1, args.workers))
    print(table_markdown(rows))
    if args.write:
        write_doc(rows)
        print("docs/calibration.md updated")
    return 0 if all(r["ok"] for r in rows) else 1


def cmd_check_history(args: argparse.Namespace) -> int:
    """Run shanghai-history to 2020-12 over seeds (or posterior draws) and compare with cited
    figures in and out of sample (experiments.validation); --write refreshes docs/validation.md."""
    from experiments import validation as v
    n = args.draws if args.posterior else args.seeds
    if not 2 <= n <= 1000:
        raise UsageError(f"--{'draws' if args.posterior else 'seeds'} {n}: allowed 2-1000 (an interval needs two)")
    if not 1 <= args.workers <= 64:
        raise UsageError(f"--workers {args.workers}: allowed 1-64")
    if args.posterior:
        try:
            tasks, prov = v.posterior_tasks(Path(args.posterior), n, seed=2026)
        except ValueError as exc:
            raise UsageError(f"--posterior {args.posterior}: {exc}") from None
        heading = (f"Posterior predictive: `shanghai-history` at {n} draws of the posterior `{args.posterior}` "
                   f"(setting {prov.get('setting')}, seed {prov.get('seed')}, posterior.csv SHA-256 "
                   f"`{prov['posterior_csv_sha256'][:12]}`; {prov['distinct_particles']} distinct particles of "
                   f"{prov['particles']}, picked by weight), each draw with its own seed, 2004-01 to "
                   f"{v.END_DATE}; interval: the middle 95 % of the runs.")
    else:
        tasks, heading = [(s, {}) for s in range(1, n + 1)], (
            f"`shanghai-history` at its current values, {n} seeds, 2004-01 to {v.END_DATE}; interval: the 95 % "
            "interval of the mean over seeds.")
    runs = v.run_all(tasks, args.workers)
    table = v.table_markdown(v.compare(runs, predictive=bool(args.posterior)), heading)
    print(table)
    if args.write:
        block = "posterior" if args.posterior else "table"
        name = "validation_posterior.png" if args.posterior else "validation_history.png"
        v.figure(runs, ROOT / "docs" / "figures" / name, heading.split(";")[0].replace("`", ""))
        v.write_doc(block, table + f"\n\n![the runs against the cited figures](figures/{name})")
        print(f"docs/validation.md and docs/figures/{name} updated")
    return 0


def cmd_calibrate_abc(args: argparse.Namespace) -> int:
    """ABC-SMC calibration of shanghai-history: checks the inputs, runs, writes the posterior files."""
    from model.tools.abc import check_out_dir, priors, run_abc
    from model.tools.abc_output import convergence_text, write_outputs
    from model.tools.abc_statistics import CalibrationInputError, targets

    if args.write:
        raise UsageError("--write refreshes the hand-calibration table; it does not go with --abc")
    if not 1 <= args.workers <= 64:
        raise UsageError(f"--workers {args.workers}: allowed 1-64")
    if not 0 <= args.seed < 2**63:
        raise UsageError(f"--seed {args.seed}: allowed 0 to 2**63-1")
    out = _safe_out(args.out, f"posterior/{args.setting}")
    try:
        priors()
        targets()
        check_out_dir(out)
        result = run_abc(args.setting, args.seed, args.workers)
    except CalibrationInputError as exc:
        raise UsageError(str(exc)) from None
    files = write_outputs(result, out)
    print(convergence_text(result))
    print(f"posterior in {out}/ ({', '.join(p.name for p in files)})")
    return 0


def cmd_params(args: argparse.Namespace) -> int:
    """Print the parameter register."""
    from model.tools.docs import register_json, register_markdown, register_text

    print(register_json() if args.json else register_markdown() if args.markdown else register_text())
    return 0


def cmd_rules(args: argparse.Namespace) -> int:
    """List the model's behavioural rules; --markdown writes docs/rules.md, --json prints JSON."""
    from model.tools.rule_catalogue import as_json, catalogue, text_table, write_markdown

    rules = catalogue()
    if args.markdown:
        print(f"{write_markdown(rules)} written ({len(rules)} rules)")
    else:
        print(as_json(rules) if args.json else text_table(rules))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The command-line parser."""
    parser = argparse.ArgumentParser(prog="run.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command")
    p = sub.add_parser("simulate", help="run one scenario")
    p.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO, help="preset name or TOML file")
    p.add_argument("--profile", default=None, help="street profile file (TOML): the world is that street")
    p.add_argument("--months", type=int, default=None, help="months to simulate (overrides the scenario)")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    p.add_argument("--out", default=None, help="output folder (default results/<scenario name>)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--progress", action="store_true", help="progress bar even when not on a terminal")
    p.set_defaults(func=cmd_simulate)
    p = sub.add_parser("validate", help="check a scenario or experiment file and/or a street profile")
    p.add_argument("file", nargs="?", default=None,
                   help="scenario (preset name or TOML file) or experiment file (a TOML file with [experiment])")
    p.add_argument("--profile", default=None, help="street profile file (TOML)")
    p.set_defaults(func=cmd_validate)
    p = sub.add_parser("scenarios", help="list the ready scenarios")
    p.set_defaults(func=cmd_scenarios)
    p = sub.add_parser("calibrate", help="compare shanghai-history with the article's 2015 figures")
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--write", action="store_true", help="refresh the table in docs/calibration.md")
    p.add_argument("--abc", action="store_true", help="ABC-SMC calibration: write the posterior (not the table)")
    p.add_argument("--setting", choices=("quick", "medium", "full"), default="full",
                   help="--abc run size: quick (tests, a tiny world), medium, full (default; hours on 2 cores)")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"--abc random seed (default {DEFAULT_SEED})")
    p.add_argument("--out", default=None, help="--abc output folder (default results/posterior/<setting>)")
    p.set_defaults(func=cmd_calibrate)
    p = sub.add_parser("check-history", help="shanghai-history 2004-2020 against cited figures, in and out of sample")
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--posterior", default=None, help="a posterior folder: draw the parameters from it "
                   "(posterior predictive check)")
    p.add_argument("--draws", type=int, default=20, help="--posterior: parameter sets drawn (default 20)")
    p.add_argument("--write", action="store_true", help="refresh docs/validation.md and its figure")
    p.set_defaults(func=cmd_check_history)
    sub.add_parser("bench", help="speed and memory benchmark (all options: run.py bench --help)", add_help=False)
    p = sub.add_parser("params", help="print the parameter register (each entry's evidence, plausible range and role)")
    how = p.add_mutually_exclusive_group()
    how.add_argument("--markdown", action="store_true", help="a Markdown table")
    how.add_argument("--json", action="store_true", help="a JSON list of rows")
    p.set_defaults(func=cmd_params)
    p = sub.add_parser("rules", help="list the behavioural rules of the model")
    how = p.add_mutually_exclusive_group()
    how.add_argument("--markdown", action="store_true", help="write docs/rules.md")
    how.add_argument("--json", action="store_true", help="print the catalogue as JSON")
    p.set_defaults(func=cmd_rules)
    from experiments.cli import add_parser as add_experiment_parser

    add_experiment_parser(sub)
    from dashboard.decisions import add_parser as add_replay_parser
    from dashboard.server import add_parser as add_dashboard_parser

    add_dashboard_parser(sub)
    add_replay_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point: parse, run, turn bad input into exit code 2 with a clear message."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["dashboard"]:  # the launcher imports neither the model nor Solara
        from dashboard.server import main as dashboard_main

        return dashboard_main(argv[1:])
    if argv[:1] == ["bench"]:  # the benchmark has its own options
        from benchmarks.bench import main as bench_main

        return bench_main(argv[1:])
    from model.scenario import ScenarioError

    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        from experiments.cli import DEFAULT_FILE

        args = parser.parse_args(["experiment", str(DEFAULT_FILE), *(argv or [])])
    try:
        return args.func(args)
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        # a full disk, a read-only or vanished folder: every result file is written atomically,
        # so each file holds its previous content or is absent, never half of one
        print(f"error: {describe_os_error(exc)}", file=sys.stderr)
        return EXIT_IO_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
