"""Write docs/sensitivity.md from a finished Sobol experiment (issue 14: a published global
sensitivity analysis).

    python run.py experiment experiments/sensitivity-sobol.toml      # the runs and sensitivity.csv
    python -m experiments.publish_sensitivity results/sensitivity-sobol

Reads the experiment's ``sensitivity.csv`` (SALib's first-order and total indices with 95 %
intervals, per arm's outcome level and per arm's effect over the reference) and
``experiment.toml``; writes ``docs/sensitivity.md`` (atomically) with one table of total
indices per effect and level, the ranking of assumptions by how much they decide, the
register's evidence for each, and one heat-map figure (``docs/figures/sensitivity-total.png``).

Layout: ``load``; ``ranking`` (which factors matter, over every target); ``top_table``;
``heatmap``; ``render``; ``main``.
"""

from __future__ import annotations

import argparse
import math
import sys
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd

from model.output import atomic_write_text
from model.register import register_rows

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "sensitivity.md"
FIGURE = ROOT / "docs" / "figures" / "sensitivity-total.png"
TOP = 5
"""Factors shown per table."""


def load(folder: Path) -> tuple[pd.DataFrame, dict]:
    """The Sobol rows of ``sensitivity.csv`` and the experiment file of a results folder."""
    table = pd.read_csv(folder / "sensitivity.csv")
    table = table[table["index"].isin(["S1", "ST"])]
    if table.empty:
        raise ValueError(f"{folder / 'sensitivity.csv'}: no Sobol indices (is it a [sweep] design = \"sobol\"?)")
    return table, tomllib.loads((folder / "experiment.toml").read_text(encoding="utf-8"))


def ranking(table: pd.DataFrame, top: int = 3) -> pd.DataFrame:
    """Factors ranked by how much they decide, over every (arm, quantity, outcome) target: how
    often they are among the ``top`` by total index, then their largest total index."""
    st = table[table["index"] == "ST"].dropna(subset=["value"])
    counts: dict[str, int] = {}
    best: dict[str, float] = {}
    for _, group in st.groupby(["arm", "quantity", "outcome"]):
        for factor in group.nlargest(top, "value")["factor"]:
            counts[factor] = counts.get(factor, 0) + 1
    for factor, group in st.groupby("factor"):
        best[factor] = float(group["value"].max())
    rows = [{"factor": f, "in_top": counts.get(f, 0), "max_total": best[f]} for f in best]
    return pd.DataFrame(rows).sort_values(["in_top", "max_total"], ascending=[False, False], ignore_index=True)


def _num(v: float) -> str:
    return "" if not np.isfinite(v) else f"{v:.2f}"


def top_table(table: pd.DataFrame, arm: str, quantity: str, outcome: str, top: int = TOP) -> list[str]:
    """Markdown rows: the ``top`` factors by total index for one target, with both indices."""
    sub = table[(table["arm"] == arm) & (table["quantity"] == quantity) & (table["outcome"] == outcome)]
    st = sub[sub["index"] == "ST"].nlargest(top, "value")
    s1 = sub[sub["index"] == "S1"].set_index("factor")
    lines = ["| factor | total index (95 % interval) | first order (95 % interval) |", "|---|---|---|"]
    for _, r in st.iterrows():
        f = r["factor"]
        first = s1.loc[f] if f in s1.index else None
        first_text = (f"{_num(first['value'])} ({_num(first['ci_low'])} to {_num(first['ci_high'])})"
                      if first is not None else "")
        lines.append(f"| `{f}` | {_num(r['value'])} ({_num(r['ci_low'])} to {_num(r['ci_high'])}) | {first_text} |")
    return lines


def heatmap(table: pd.DataFrame, outcome: str, path: Path) -> None:
    """Total indices of ``outcome`` (rows: factors; columns: each arm's level and effect)."""
    import matplotlib  # lazy: only the publishing step draws

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    st = table[(table["index"] == "ST") & (table["outcome"] == outcome)].copy()
    st["target"] = st["arm"] + " (" + st["quantity"] + ")"
    grid = st.pivot_table(index="factor", columns="target", values="value", aggfunc="first")
    grid = grid.loc[grid.max(axis=1).sort_values(ascending=False).index]
    fig, ax = plt.subplots(figsize=(2 + 0.9 * grid.shape[1], 1 + 0.32 * grid.shape[0]))
    im = ax.imshow(np.clip(grid.to_numpy(dtype=float), 0, 1), cmap="viridis", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(grid.shape[1]), grid.columns, rotation=40, ha="right", fontsize=8)
    ax.set_yticks(range(grid.shape[0]), grid.index, fontsize=8)
    ax.set_title(f"Total Sobol index of {outcome}", fontsize=10)
    fig.colorbar(im, ax=ax, fraction=0.03)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _evidence(path: str, sampled: list) -> str:
    """The register's evidence and plausible range for a factor's dotted path, and the range the
    design sampled (``sampled``: [low, high]) where it differs."""
    for r in register_rows():
        if r["path"] == path:
            rng = r.get("range") or {}
            text = r["source"] + (f"; register range {rng['lo']:g} to {rng['hi']:g}" if rng else "")
            if not rng or not (math.isclose(rng["lo"], sampled[0], rel_tol=1e-9, abs_tol=1e-12)
                               and math.isclose(rng["hi"], sampled[1], rel_tol=1e-9, abs_tol=1e-12)):
                text += f"; sampled {sampled[0]:g} to {sampled[1]:g}"
            return text
    return ""


def _world_caveat(exp: dict) -> list[str]:
    """A paragraph when the arms run a smaller world than the presets' default street."""
    sets = [a.get("set", {}) for a in exp["arm"]]
    per = {s.get("world.residents_per_committee") for s in sets} - {None}
    com = {s.get("world.committees_per_street") for s in sets} - {None}
    if not per and not com:
        return []
    size = f"{', '.join(map(str, sorted(com))) or 'default'} committees of {', '.join(map(str, sorted(per))) or 'default'} residents"
    return [f"**The world is smaller than the default street** ({size}; the presets have 25 committees of "
            "4,000). Mechanisms that scale with committee size do not scale alike: a committee of half the "
            "residents has half the volunteers and so fewer micro-projects, which can make "
            "`micro_project_needs_month` matter less here than on the default street; compare the uncertainty "
            "experiment on the default street (`experiments/uncertainty-modes.toml`, Spearman correlations). "
            "Read the ranking as a guide to which assumptions to check first, not as the final word on any "
            "one mode.", ""]


def render(table: pd.DataFrame, exp: dict, folder: Path) -> str:
    """The text of docs/sensitivity.md."""
    meta, sweep = exp["experiment"], exp["sweep"]
    arms = [a["name"] for a in exp["arm"]]
    reference = meta.get("reference", arms[0])
    factors = sweep["factors"]
    n_points = sweep["samples"] * (len(factors) + 2)
    rank = ranking(table)
    out = ["# Global sensitivity analysis", "",
           f"Generated by `python -m experiments.publish_sensitivity {folder.as_posix()}` from the runs of "
           f"`experiments/{meta['name']}.toml`; do not edit by hand.", "",
           "## Design", "",
           f"Sobol indices (Saltelli design, SALib; {sweep['samples']} base samples, {len(factors)} factors, "
           f"{n_points} design points per arm, {len(arms)} arms, {meta.get('replications', 1)} seed per point, "
           f"{meta['months']} months, each outcome the mean of the last 12 months). Each factor is sampled "
           "uniformly over the plausible range the register declares for it (`python run.py params --json`). "
           "The **total index** is the share of the output's variance that involves the factor (alone or with "
           "others); the **first-order index** the share it explains alone. With one seed per design point, "
           "seed noise is part of the variance; intervals are SALib's bootstrap 95 % intervals. "
           f"An *effect* is an arm minus `{reference}` at the same design point and seed. With "
           f"{sweep['samples']} base samples the intervals are wide, and on targets whose variance is mostly seed "
           "noise (small effects) an index can exceed 1: read the ranking below, which counts how often a factor "
           "is among a target's three largest, rather than any single index.", "",
           *_world_caveat(exp),
           "## Which assumptions deserve data first", "",
           "Factors ranked by how many of the targets (every arm's level and effect on every outcome) have "
           "them among their three largest total indices, then by their largest total index:", "",
           "| rank | factor | targets where it is in the top 3 | largest total index | evidence now (and range sampled) |",
           "|---|---|---|---|---|"]
    for i, r in rank.head(10).iterrows():
        out.append(f"| {i + 1} | `{r['factor']}` | {int(r['in_top'])} | {_num(r['max_total'])} | "
                   f"{_evidence(r['factor'], factors[r['factor']])} |")
    out += ["", f"![Total indices of needs_met_share](figures/{FIGURE.name})", ""]
    for quantity, title in (("effect", "Effects over the reference"), ("level", "Outcome levels")):
        out += [f"## {title}", ""]
        for arm in arms:
            if quantity == "effect" and arm == reference:
                continue
            for outcome in meta["headline"]:
                if table[(table["arm"] == arm) & (table["quantity"] == quantity)
                         & (table["outcome"] == outcome)].empty:
                    continue
                out += [f"### `{arm}`, {outcome} ({quantity})", ""] + top_table(table, arm, quantity, outcome) + [""]
    return "\n".join(out).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Write docs/sensitivity.md from a finished Sobol experiment.")
    ap.add_argument("folder", type=Path, help="the experiment's results folder (with sensitivity.csv)")
    args = ap.parse_args(argv)
    try:
        table, exp = load(args.folder)
    except (OSError, ValueError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    heatmap(table, "needs_met_share", FIGURE)
    atomic_write_text(DOC, render(table, exp, args.folder))
    print(f"{DOC} written; figure {FIGURE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
