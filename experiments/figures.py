"""Figures of an experiment (matplotlib, Agg backend, PNG without time stamps).

``--lang zh`` figures use the font of :mod:`experiments.fonts` (a system font
with Chinese glyphs when matplotlib knows one, else the Noto Sans CJK SC that
the ``mplfonts`` dependency ships).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from model.output import atomic_write_bytes  # noqa: E402

from .fonts import require_cjk_font  # noqa: E402
from .i18n import fmt_diff, group_label, is_share, outcome_label, t  # noqa: E402,F401

if TYPE_CHECKING:
    from .analysis import Collected, Tables
    from .spec import Experiment

DPI = 110


def _style(lang: str) -> dict:
    rc = {"figure.dpi": DPI, "savefig.dpi": DPI, "axes.spines.top": False, "axes.spines.right": False,
          "axes.grid": True, "grid.alpha": 0.3, "font.size": 9, "svg.hashsalt": "sanshe"}
    if lang == "zh":
        rc["font.family"] = ["sans-serif"]
        rc["font.sans-serif"] = [require_cjk_font(), "DejaVu Sans"]
        rc["axes.unicode_minus"] = False
    return rc


def _save(fig: plt.Figure, path: Path) -> Path:
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    atomic_write_bytes(path, buf.getvalue())
    return path


def _label(exp: "Experiment", arm: str, lang: str) -> str:
    a = exp.arm(arm)
    return a.label_zh if lang == "zh" else a.label


def _scale(outcome: str) -> float:
    return 100.0 if is_share(outcome) else 1.0


def _axis_label(outcome: str, lang: str, diff: bool = False) -> str:
    label = outcome_label(outcome, lang)
    if is_share(outcome):
        label += (" (百分点)" if lang == "zh" else " (pp)") if diff else " (%)"
    return label


def _big(v: float, _pos: object = None) -> str:
    """Axis numbers: 1.5M, 250k, 40."""
    a = abs(v)
    if a >= 1e6:
        return f"{v / 1e6:g}M"
    if a >= 1e3:
        return f"{v / 1e3:g}k"
    return f"{v:g}"


def _colors(exp: "Experiment") -> dict[str, tuple]:
    cmap = plt.get_cmap("tab10")
    return {a.name: cmap(i % 10) for i, a in enumerate(exp.visible_arms)}


def fig_time(exp: "Experiment", col: "Collected", lang: str, path: Path) -> Path | None:
    if not col.bands or col.months is None:
        return None
    outs = col.band_outcomes
    ncols = 2 if len(outs) > 1 else 1
    nrows = int(np.ceil(len(outs) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(5.2 * ncols, 3.0 * nrows), squeeze=False)
    colors = _colors(exp)
    for j, outcome in enumerate(outs):
        ax = axes[j // ncols][j % ncols]
        s = _scale(outcome)
        for arm in exp.visible_arms:
            w = col.bands.get(arm.name)
            if w is None:
                continue
            mean, lo, hi = w.band()
            ax.plot(col.months, mean[:, j] * s, color=colors[arm.name], lw=1.4, label=_label(exp, arm.name, lang))
            ax.fill_between(col.months, lo[:, j] * s, hi[:, j] * s, color=colors[arm.name], alpha=0.18, lw=0)
        ax.set_title(_axis_label(outcome, lang))
        ax.set_xlabel(t("month", lang))
    for j in range(len(outs), nrows * ncols):
        axes[j // ncols][j % ncols].axis("off")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=min(3, len(labels)), frameon=False,
               bbox_to_anchor=(0.5, -0.02 - 0.03 * ((len(labels) - 1) // 3)))
    fig.tight_layout(rect=(0, 0.06 + 0.03 * ((len(labels) - 1) // 3), 1, 1))
    return _save(fig, path)


def fig_forest(exp: "Experiment", tables: "Tables", lang: str, path: Path) -> Path | None:
    eff = tables.effects
    if eff.empty or "point" in eff.columns:
        return None
    outs = [o for o in exp.headline if o in set(eff["outcome"])]
    arms = [a.name for a in exp.visible_arms if a.name != exp.reference]
    if not outs or not arms:
        return None
    ncols = min(2, len(outs))
    nrows = int(np.ceil(len(outs) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(5.0 * ncols, 0.45 * len(arms) * nrows + 1.4 * nrows),
                             squeeze=False)
    colors = _colors(exp)
    for j, outcome in enumerate(outs):
        ax = axes[j // ncols][j % ncols]
        s = _scale(outcome)
        sub = eff[eff["outcome"] == outcome].set_index("arm")
        for i, arm in enumerate(arms):
            if arm not in sub.index:
                continue
            r = sub.loc[arm]
            y = len(arms) - 1 - i
            ax.errorbar([r["effect"] * s], [y], xerr=[[(r["effect"] - r["ci_low"]) * s], [(r["ci_high"] - r["effect"]) * s]],
                        fmt="o", color=colors[arm], capsize=3, ms=5)
        ax.axvline(0, color="0.3", lw=0.8)
        ax.set_yticks(range(len(arms)), [_label(exp, a, lang) for a in reversed(arms)])
        ax.set_title(_axis_label(outcome, lang, diff=True))
        ax.grid(axis="y", alpha=0)
    for j in range(len(outs), nrows * ncols):
        axes[j // ncols][j % ncols].axis("off")
    fig.suptitle(t("fig_forest", lang) + f" — {t('reference', lang)}: {_label(exp, exp.reference, lang)}", fontsize=10)
    fig.tight_layout()
    return _save(fig, path)


def fig_frontier(exp: "Experiment", tables: "Tables", lang: str, path: Path) -> Path | None:
    ce = tables.cost
    if ce.empty:
        return None
    colors = _colors(exp)
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    pts = [(0.0, 0.0, exp.reference)]
    ax.plot([0], [0], "s", color=colors.get(exp.reference, "0.3"), ms=7)
    ax.annotate(_label(exp, exp.reference, lang), (0, 0), textcoords="offset points", xytext=(5, 5), fontsize=8)
    for _, r in ce.iterrows():
        x, y = r["extra_public_yuan"], r["extra_needs_met"]
        if not (np.isfinite(x) and np.isfinite(y)):
            continue
        xerr = [[x - r["extra_public_yuan_ci_low"]], [r["extra_public_yuan_ci_high"] - x]]
        yerr = [[y - r["extra_needs_met_ci_low"]], [r["extra_needs_met_ci_high"] - y]]
        ax.errorbar([x], [y], xerr=np.nan_to_num(xerr), yerr=np.nan_to_num(yerr), fmt="o", color=colors[r["arm"]],
                    capsize=2, ms=6)
        ax.annotate(_label(exp, r["arm"], lang), (x, y), textcoords="offset points", xytext=(5, 5), fontsize=8)
        pts.append((x, y, r["arm"]))
    # efficient frontier: cheapest first, keep points that meet more needs than every cheaper one
    front = []
    best = -np.inf
    for x, y, _ in sorted(pts, key=lambda p: (p[0], -p[1])):
        if y > best:
            front.append((x, y))
            best = y
    if len(front) > 1:
        fx, fy = zip(*front)
        ax.plot(fx, fy, "--", color="0.4", lw=1, label=t("frontier", lang))
        ax.legend(frameon=False, loc="lower right")
    ax.axhline(0, color="0.6", lw=0.6)
    ax.axvline(0, color="0.6", lw=0.6)
    ax.set_xlabel(t("extra_yuan", lang))
    ax.set_ylabel(t("extra_needs", lang))
    ax.set_title(t("fig_frontier", lang), fontsize=10)
    ax.xaxis.set_major_formatter(FuncFormatter(_big))
    ax.yaxis.set_major_formatter(FuncFormatter(_big))
    fig.tight_layout()
    return _save(fig, path)


def fig_groups(exp: "Experiment", tables: "Tables", lang: str, path: Path) -> Path | None:
    """Dot plot: share of needs met by resident group, one marker (with 95% CI) per arm."""
    g = tables.groups
    if g.empty:
        return None
    groups = list(dict.fromkeys(g["group"]))
    arms = [a.name for a in exp.visible_arms if a.name in set(g["arm"])]
    colors = _colors(exp)
    fig, ax = plt.subplots(figsize=(7.0, 0.42 * len(groups) + 1.6))
    step = 0.7 / max(1, len(arms))
    for i, arm in enumerate(arms):
        sub = g[g["arm"] == arm].set_index("group").reindex(groups)
        y = np.arange(len(groups))[::-1] + (len(arms) / 2 - i - 0.5) * step
        val = sub["needs_met_share"].to_numpy() * 100
        err = np.vstack([val - sub["ci_low"].to_numpy() * 100, sub["ci_high"].to_numpy() * 100 - val])
        ax.errorbar(val, y, xerr=np.nan_to_num(err), fmt="o", ms=4, color=colors[arm], elinewidth=0.8,
                    capsize=1.5, label=_label(exp, arm, lang))
    ax.set_yticks(np.arange(len(groups))[::-1], [group_label(x, lang) for x in groups])
    ax.set_ylim(-0.6, len(groups) - 0.4)
    ax.set_xlabel(t("share_met", lang) + " (%)")
    ax.set_title(t("fig_groups", lang), fontsize=10)
    ax.legend(frameon=False, fontsize=7, loc="upper center", bbox_to_anchor=(0.45, -0.12),
              ncol=min(3, len(arms)))
    fig.tight_layout()
    return _save(fig, path)


def fig_sensitivity(exp: "Experiment", tables: "Tables", lang: str, path: Path) -> Path | None:
    """Bars of the sensitivity indices with 95% intervals: the first arm's levels, and the first other arm's effect."""
    sens = tables.sensitivity
    if sens is None or sens.empty or exp.sweep is None:
        return None
    keys = ["S1", "ST"] if exp.sweep.design == "sobol" else ["mu_star"]
    outs = [o for o in exp.headline if o in set(sens["outcome"])][:4]
    if not outs:
        return None
    rows = [(exp.visible_arms[0].name, "level")]
    other = next((a.name for a in exp.visible_arms if a.name != exp.reference), None)
    if other is not None:
        rows.append((other, "effect"))
    factors = list(exp.sweep.factors)
    fig, axes = plt.subplots(len(rows), len(outs), figsize=(3.6 * len(outs), (0.35 * len(factors) + 1.3) * len(rows)),
                             squeeze=False)
    for i, (arm, quantity) in enumerate(rows):
        for j, outcome in enumerate(outs):
            ax = axes[i][j]
            sub = sens[(sens["arm"] == arm) & (sens["outcome"] == outcome) & (sens["quantity"] == quantity)]
            h = 0.8 / len(keys)
            for k, key in enumerate(keys):
                s = sub[sub["index"] == key].set_index("factor").reindex(factors)
                y = np.arange(len(factors))[::-1] + (len(keys) / 2 - k - 0.5) * h
                v = s["value"].to_numpy(dtype=float)
                err = np.vstack([v - s["ci_low"].to_numpy(dtype=float), s["ci_high"].to_numpy(dtype=float) - v])
                ax.barh(y, v, height=h, xerr=np.nan_to_num(err), label=key, error_kw={"lw": 0.6, "capsize": 1.5})
            labels = [f.split(".")[-1] for f in factors] if j == 0 else [""] * len(factors)
            ax.set_yticks(np.arange(len(factors))[::-1], labels)
            what = _label(exp, arm, lang) if quantity == "level" else t("effect_of", lang, arm=_label(exp, arm, lang))
            ax.set_title(f"{outcome_label(outcome, lang)}\n{what}", fontsize=8)
            ax.axvline(0, color="0.4", lw=0.6)
    axes[0][0].legend(frameon=False, fontsize=7)
    fig.suptitle(t("fig_sensitivity", lang), fontsize=10)
    fig.tight_layout()
    return _save(fig, path)


def fig_attribution(exp: "Experiment", tables: "Tables", lang: str, path: Path) -> Path | None:
    att = tables.attribution
    if att is None or att.empty:
        return None
    outcome = next((o for o in exp.headline if o in set(att["outcome"])), None)
    if outcome is None:
        return None
    arms = list(dict.fromkeys(att["arm"]))
    fig, axes = plt.subplots(1, len(arms), figsize=(4.8 * len(arms), 0.4 * att["lever"].nunique() + 1.8),
                             squeeze=False)
    s = _scale(outcome)
    for j, arm in enumerate(arms):
        ax = axes[0][j]
        sub = att[(att["arm"] == arm) & (att["outcome"] == outcome)]
        y = np.arange(len(sub))[::-1]
        v = sub["shapley"].to_numpy() * s
        err = np.vstack([v - sub["ci_low"].to_numpy() * s, sub["ci_high"].to_numpy() * s - v])
        ax.barh(y, v, xerr=np.nan_to_num(err), color="tab:blue", error_kw={"lw": 0.6, "capsize": 2})
        ax.set_yticks(y, list(sub["lever"]))
        ax.axvline(0, color="0.4", lw=0.6)
        total = float(sub["total_effect"].iloc[0]) if len(sub) else float("nan")
        ax.set_title(f"{_label(exp, arm, lang)}: {fmt_diff(outcome, total, lang)}", fontsize=9)
        ax.set_xlabel(_axis_label(outcome, lang, diff=True))
    fig.suptitle(t("fig_attribution", lang), fontsize=10)
    fig.tight_layout()
    return _save(fig, path)


def write_figures(exp: "Experiment", col: "Collected", tables: "Tables", root: Path, lang: str) -> dict[str, Path]:
    """Write every figure that applies; returns {kind: path}. Old figures of other kinds are removed."""
    folder = root / "figures"
    folder.mkdir(parents=True, exist_ok=True)
    makers = {
        "time": (fig_time, (exp, col, lang), "outcomes_over_time.png"),
        "forest": (fig_forest, (exp, tables, lang), "effects_forest.png"),
        "frontier": (fig_frontier, (exp, tables, lang), "cost_outcome_frontier.png"),
        "groups": (fig_groups, (exp, tables, lang), "needs_met_by_group.png"),
        "sensitivity": (fig_sensitivity, (exp, tables, lang), "sensitivity.png"),
        "attribution": (fig_attribution, (exp, tables, lang), "attribution.png"),
    }
    out: dict[str, Path] = {}
    style = _style(lang)
    with plt.rc_context():
        # start from matplotlib's defaults so that settings made elsewhere in the process
        # (e.g. the dashboard's CJK fonts) never change the figures' bytes
        plt.rcdefaults()
        plt.rcParams.update(style)
        for kind, (fn, args, name) in makers.items():
            path = folder / name
            made = fn(*args, path)  # type: ignore[operator]
            if made is None:
                path.unlink(missing_ok=True)
            else:
                out[kind] = made
    return out
