"""report.md and report.html: what a civil servant could forward.

The report opens with the question, lists the arms, puts the headline
effects in words and numbers, says who gains and whether an arm meets more
needs by serving light ones while heavy ones wait, shows the figures, and ends with a provenance
appendix (experiment file hash, seeds, versions, git commit, run time). The
HTML file embeds its figures, so it can be sent as one file. ``--lang zh``
writes both in Chinese.

Both files are built from one list of blocks, so they never disagree.
"""

from __future__ import annotations

import base64
import html
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from model.output import atomic_write_text

from .design import replication_seed
from .report_posterior import posterior_paragraph, posterior_provenance
from .report_types import types_blocks
from .i18n import fmt_ci, fmt_diff, fmt_num, fmt_p, fmt_size, fmt_value, group_label, note, outcome_label, t

if TYPE_CHECKING:
    from .analysis import Tables
    from .spec import Experiment


@dataclass
class RunInfo:
    """What the runner knows about this invocation (for the provenance appendix)."""

    replications: int
    auto_reason: str
    done: int
    failed: int
    executed: int
    executor: str
    seconds: float
    git_commit: str
    versions: dict[str, str]
    generated: str


Block = tuple[str, Any]


def _arm_label(exp: "Experiment", name: str, lang: str) -> str:
    a = exp.arm(name)
    return a.label_zh if lang == "zh" else a.label


def _clear(row: Any) -> bool:
    """An effect whose 95% interval leaves out zero and whose Holm-adjusted p is below 0.05."""
    return bool(math.isfinite(row["ci_low"]) and (row["ci_low"] > 0 or row["ci_high"] < 0)
                and math.isfinite(row["p_adjusted"]) and row["p_adjusted"] < 0.05)


def _effect_sentence(exp: "Experiment", row: Any, means: dict[tuple[str, str], float], lang: str) -> str:
    o = row["outcome"]
    ref = _arm_label(exp, exp.reference, lang)
    arm = _arm_label(exp, row["arm"], lang)
    p = t("p_holm", lang, p=fmt_p(row["p_adjusted"])) if math.isfinite(row["p_adjusted"]) else ""
    clear = _clear(row)
    common = {"ref": ref, "arm": arm, "outcome": outcome_label(o, lang), "lo": fmt_ci(o, row["ci_low"], lang),
              "hi": fmt_ci(o, row["ci_high"], lang), "p": p}
    if row["effect"] == 0 and row["ci_low"] == 0 and row["ci_high"] == 0:
        return t("same_sentence", lang, **common)
    if not clear:
        return t("unclear_sentence", lang, size=fmt_diff(o, row["effect"], lang), **common)
    verb = t("raised", lang) if row["effect"] > 0 else t("lowered", lang)
    return t("effect_sentence", lang, verb=verb, size=fmt_size(o, row["effect"], lang),
             refv=fmt_value(o, means.get((exp.reference, o), math.nan), lang),
             armv=fmt_value(o, means.get((row["arm"], o), math.nan), lang), **common)


def build_blocks(exp: "Experiment", tables: "Tables", figures: dict[str, Path], info: RunInfo,
                 lang: str) -> list[Block]:
    """The report as blocks: ("h1"|"h2"|"p"|"ul"|"table"|"img", content), one section after another."""
    return [*_intro_blocks(exp, lang), *_design_blocks(exp, tables, info, lang), *_arm_blocks(exp, lang),
            *_headline_blocks(exp, tables, lang), *_uncertainty_blocks(exp, tables, lang),
            *_cost_blocks(exp, tables, lang), *_gains_blocks(exp, tables, lang),
            *types_blocks(exp, tables, _arm_label, lang), *_severity_blocks(exp, tables, lang),
            *_sensitivity_blocks(exp, tables, lang), *_attribution_blocks(exp, tables, lang),
            *_figure_blocks(figures, lang), *_effects_table_blocks(exp, tables, lang),
            *_reading_blocks(exp, tables, info, lang), *_provenance_blocks(exp, info, lang)]


def _intro_blocks(exp: "Experiment", lang: str) -> list[Block]:
    """The title, the question and the description."""
    b: list[Block] = [("h1", t("title", lang, name=exp.name))]
    if exp.meta.question:
        b += [("h2", t("question", lang)), ("p", exp.meta.question)]
    if exp.meta.description:
        b.append(("p", exp.meta.description))
    return b


def _design_blocks(exp: "Experiment", tables: "Tables", info: RunInfo, lang: str) -> list[Block]:
    """Months, replications, the world's size and the sweep's factors."""
    ref_sc = exp.arm(exp.reference).scenario
    b: list[Block] = [
        ("h2", t("design", lang)),
        ("p", t("design_text", lang, months=exp.months, reps=info.replications, window=exp.window,
                first=exp.months - exp.window + 1)),
        *([("p", t("burn_in_text", lang, burn_in=exp.burn_in, months=exp.months))] if exp.burn_in else []),
        ("p", t("world", lang, streets=ref_sc.world.streets, committees=ref_sc.world.committees_per_street,
                residents=ref_sc.world.residents_per_committee))]
    if exp.sweep is not None:
        factors = ", ".join(f"`{k}` {v}" for k, v in exp.sweep.factors.items())
        b.append(("p", t("sweep_text", lang, design=exp.sweep.design,
                          points=len(tables.design) if tables.design is not None else 0, factors=factors)))
    if exp.draws is not None and exp.draws.posterior is not None:
        b.append(("p", posterior_paragraph(exp, info.replications, lang)))
    elif exp.draws is not None and exp.uncertainty is not None:
        n = len(exp.draws.values)
        b.append(("p", t("draws_text", lang, draws=n, design=exp.uncertainty.design, k=len(exp.draws.paths),
                          reps=info.replications, runs=n * info.replications)))
    return b


def _arm_blocks(exp: "Experiment", lang: str) -> list[Block]:
    """The table of arms: label, scenario, changes, description."""
    rows = []
    for a in exp.visible_arms:
        changes = "; ".join(f"{k} = {v}" for k, v in a.set.items()) or "–"
        rows.append([_arm_label(exp, a.name, lang) + (f" ({t('reference', lang)})" if a.name == exp.reference else ""),
                     a.scenario_ref, changes, a.description or "–"])
    return [("h2", t("arms", lang)),
            ("table", ([t("arm", lang), t("scenario", lang), t("changes", lang), t("what", lang)], rows)),
            ("p", t("reference_note", lang, ref=_arm_label(exp, exp.reference, lang)))]


def _headline_blocks(exp: "Experiment", tables: "Tables", lang: str) -> list[Block]:
    """Each arm's effects on the headline outcomes in words (none for a sweep)."""
    means = {(r["arm"], r["outcome"]): r["mean"] for _, r in tables.summary.iterrows()} \
        if "point" not in tables.summary.columns else {}
    eff = tables.effects
    if eff.empty or "point" in eff.columns:
        return []
    b: list[Block] = [("h2", t("headline", lang))]
    for a in exp.visible_arms:
        if a.name == exp.reference:
            continue
        items = [_effect_sentence(exp, r, means, lang)
                 for o in exp.headline for _, r in eff[(eff["outcome"] == o) & (eff["arm"] == a.name)].iterrows()]
        b += [("h3", _arm_label(exp, a.name, lang)), ("ul", items)]
    return b


def _short(path: str) -> str:
    """A register path without its leading ``parameters.``."""
    return path.removeprefix("parameters.")


def _uncertainty_sentence(exp: "Experiment", r: Any, lang: str) -> str:
    """One pair of arms on one outcome under parameter uncertainty, in words."""
    o = r["outcome"]
    arm, ref = _arm_label(exp, r["arm"], lang), _arm_label(exp, r["compared_with"], lang)
    if r["draw_low"] == 0 and r["draw_high"] == 0 and r["effect"] == 0:
        return t("unc_same", lang, arm=arm, outcome=outcome_label(o, lang), ref=ref)
    higher = r["p_higher"] >= 0.5
    share = r["p_higher"] if higher else 1.0 - r["p_higher"]
    params = [f"`{_short(r[f'parameter_{i}'])}` (ρ = {r[f'rho_{i}']:+.2f})" for i in (1, 2, 3)
              if isinstance(r[f"parameter_{i}"], str) and r[f"parameter_{i}"]
              and math.isfinite(r["rho_chance"]) and abs(r[f"rho_{i}"]) >= r["rho_chance"]]
    if params:
        dep = t("unc_depends", lang, params=", ".join(params[:2]))
    elif math.isfinite(r["rho_chance"]) and r["parameter_1"]:
        dep = t("unc_no_param", lang, rho=f"{r['rho_chance']:.2f}")
    else:
        dep = ""
    return t("unc_sentence", lang, arm=arm, ref=ref, outcome=outcome_label(o, lang),
             dir=t("unc_higher" if higher else "unc_lower", lang), p=f"{100 * share:.0f}%",
             eff=fmt_diff(o, r["effect"], lang), lo=fmt_ci(o, r["draw_low"], lang), hi=fmt_ci(o, r["draw_high"], lang),
             slo=fmt_ci(o, r["seed_low"], lang), shi=fmt_ci(o, r["seed_high"], lang), dep=dep)


def _uncertainty_blocks(exp: "Experiment", tables: "Tables", lang: str) -> list[Block]:
    """What holds under parameter uncertainty: each arm against the reference on the headline outcomes,
    the rankings of all arms, and the other pairs on the first headline outcome."""
    unc, rank = tables.uncertainty, tables.ranking
    if unc is None or unc.empty:
        return []
    b: list[Block] = [("h2", t("uncertainty", lang)), ("p", t("uncertainty_intro", lang))]
    vs_ref = unc[unc["compared_with"] == exp.reference]
    for a in exp.visible_arms:
        rows = [r for o in exp.headline for _, r in vs_ref[(vs_ref["arm"] == a.name) & (vs_ref["outcome"] == o)].iterrows()]
        if rows:
            b += [("h3", _arm_label(exp, a.name, lang)), ("ul", [_uncertainty_sentence(exp, r, lang) for r in rows])]
    if rank is not None and not rank.empty:
        b.append(("ul", [_ranking_sentence(exp, rank, o, lang) for o in exp.headline if (rank["outcome"] == o).any()]))
    o = exp.headline[0]
    pairs = unc[(unc["compared_with"] != exp.reference) & (unc["outcome"] == o)]
    if not pairs.empty:
        rows_t = [[_arm_label(exp, r["arm"], lang), _arm_label(exp, r["compared_with"], lang), f"{100 * r['p_higher']:.0f}%",
                   fmt_diff(o, r["effect"], lang), f"{fmt_ci(o, r['draw_low'], lang)} … {fmt_ci(o, r['draw_high'], lang)}",
                   f"{fmt_ci(o, r['seed_low'], lang)} … {fmt_ci(o, r['seed_high'], lang)}",
                   f"`{_short(r['parameter_1'])}` ({r['rho_1']:+.2f})" if isinstance(r["parameter_1"], str)
                   and r["parameter_1"] and abs(r["rho_1"]) >= r["rho_chance"] else "–"] for _, r in pairs.iterrows()]
        b += [("h3", t("unc_pairs", lang, outcome=outcome_label(o, lang))),
              ("table", ([t("arm", lang), t("compared_with", lang), t("unc_higher_col", lang), t("effect", lang),
                          t("unc_draws_col", lang), t("unc_seed_col", lang), t("unc_depends_col", lang)], rows_t))]
    return b


def _ranking_sentence(exp: "Experiment", rank: Any, outcome: str, lang: str) -> str:
    """The most common ranking of the arms on one outcome, how often it holds and who ranks first how often."""
    sub = rank[rank["outcome"] == outcome]
    top = sub[sub["kind"] == "ranking"].iloc[0]
    ranking = "".join(_arm_label(exp, part, lang) if part not in (" > ", " = ") else part
                      for part in re.split(r"( > | = )", top["arms"]))
    firsts = sub[(sub["kind"] == "first") & (sub["draws"] > 0)].sort_values("draws", ascending=False, kind="stable")
    first_text = ", ".join(t("unc_first", lang, arm=_arm_label(exp, f["arms"], lang), p=f"{100 * f['share_of_draws']:.0f}%")
                           for _, f in firsts.iterrows()) or "–"
    return t("unc_ranking", lang, outcome=outcome_label(outcome, lang), ranking=ranking,
             p=f"{100 * top['share_of_draws']:.0f}%", firsts=first_text)


def _cost_blocks(exp: "Experiment", tables: "Tables", lang: str) -> list[Block]:
    """Extra public money per extra need met, by arm, in words."""
    ce = tables.cost
    if ce.empty:
        return []
    items = []
    for _, r in ce.iterrows():
        arm = _arm_label(exp, r["arm"], lang)
        if r["note"] and not math.isfinite(r["yuan_per_extra_need"]):
            items.append(t("cost_note_sentence", lang, arm=arm, note=note(r["note"], lang)))
            continue
        ci = (t("cost_ci", lang, lo=f"{r['yuan_per_extra_need_ci_low']:,.0f}",
                hi=f"{r['yuan_per_extra_need_ci_high']:,.0f}")
              if math.isfinite(r["yuan_per_extra_need_ci_low"]) else "")
        text = t("cost_sentence", lang, arm=arm, months=exp.months, yuan=f"{r['extra_public_yuan']:,.0f}",
                 needs=f"{r['extra_needs_met']:,.0f}", ratio=f"{r['yuan_per_extra_need']:,.0f}", ci=ci)
        if r["note"]:
            text += f" ({note(r['note'], lang)})"
        items.append(text)
    return [("h2", t("cost", lang)), ("ul", items)]


def _points(x: float, lang: str) -> str:
    """A change of a share in signed percentage points."""
    return f"{100 * x:+.1f} " + ("percentage points" if lang == "en" else "个百分点")


def _gains_blocks(exp: "Experiment", tables: "Tables", lang: str) -> list[Block]:
    """For each arm, the resident groups whose share of needs met rose most and least against
    the reference (``needs_by_group.csv``), and all residents' change (from the summary)."""
    g = tables.groups
    if g.empty or exp.reference not in set(g["arm"]):
        return []
    ref = g[g["arm"] == exp.reference].set_index("group")["needs_met_share"]
    total = tables.summary.set_index(["arm", "outcome"])["mean"]
    items = []
    for arm in [a.name for a in exp.arms if a.name != exp.reference]:
        d = (g[g["arm"] == arm].set_index("group")["needs_met_share"] - ref).dropna()
        if d.empty:
            continue
        top, low = d.idxmax(), d.idxmin()
        all_d = "–"
        if (arm, "needs_met_share") in total.index:
            all_d = _points(total[(arm, "needs_met_share")] - total[(exp.reference, "needs_met_share")], lang)
        items.append(t("gains_sentence", lang, arm=_arm_label(exp, arm, lang), top=group_label(top, lang),
                       top_d=_points(d[top], lang), low=group_label(low, lang), low_d=_points(d[low], lang),
                       all_d=all_d))
    if not items:
        return []
    return [("h2", t("gains", lang)), ("p", t("gains_intro", lang, ref=_arm_label(exp, exp.reference, lang))),
            ("ul", items)]


SEVERITY_OUTCOMES = ("needs_met", "needs_met_share", "needs_met_weighted_share")
"""The effects the light-and-heavy section reads (all three must be among the experiment's outcomes)."""


def serves_light_needs(d_met: Any, d_share: Any, d_w: Any) -> bool:
    """Whether an arm raised needs met mostly by serving light needs: the effect on needs met
    (``d_met``, an effects row) is clearly positive, the share of needs met rose (``d_share``), and the
    severity-weighted share (``d_w``) did not rise clearly or rose less than half as much."""
    if not (_clear(d_met) and d_met["effect"] > 0 and d_share["effect"] > 0):
        return False
    return not (_clear(d_w) and d_w["effect"] > 0) or d_w["effect"] < 0.5 * d_share["effect"]


def _severity_blocks(exp: "Experiment", tables: "Tables", lang: str) -> list[Block]:
    """For each arm, its effect on the share of needs met next to the severity-weighted share, and
    whether it raised needs met by serving light needs while heavy ones wait (none for a sweep)."""
    eff = tables.effects
    if eff.empty or "point" in eff.columns or not set(SEVERITY_OUTCOMES) <= set(eff["outcome"]):
        return []
    items = []
    for a in exp.visible_arms:
        rows = eff[eff["arm"] == a.name].set_index("outcome")
        if a.name == exp.reference or not set(SEVERITY_OUTCOMES) <= set(rows.index):
            continue
        d_met, d_share, d_w = (rows.loc[o] for o in SEVERITY_OUTCOMES)
        text = t("severity_sentence", lang, arm=_arm_label(exp, a.name, lang),
                 d_share=fmt_diff("needs_met_share", d_share["effect"], lang),
                 d_w=fmt_diff("needs_met_weighted_share", d_w["effect"], lang))
        if serves_light_needs(d_met, d_share, d_w):
            text += t("severity_light", lang, d_met=fmt_size("needs_met", d_met["effect"], lang))
        items.append(text)
    if not items:
        return []
    return [("h2", t("severity", lang)), ("p", t("severity_intro", lang)), ("ul", items)]


def _sensitivity_blocks(exp: "Experiment", tables: "Tables", lang: str) -> list[Block]:
    """The most influential factor for each of the first arms' levels and effects, per headline outcome."""
    sens = tables.sensitivity
    if sens is None or sens.empty:
        return []
    key = "ST" if exp.sweep and exp.sweep.design == "sobol" else "mu_star"
    items = []
    targets = [(a.name, "level") for a in exp.visible_arms[:3]]
    targets += [(a.name, "effect") for a in exp.visible_arms[:3] if a.name != exp.reference]
    for arm, quantity in targets:
        for o in exp.headline:
            sub = sens[(sens["arm"] == arm) & (sens["quantity"] == quantity) & (sens["outcome"] == o)
                       & (sens["index"] == key)]
            sub = sub[sub["value"].notna()]
            if sub.empty:
                continue
            top = sub.loc[sub["value"].idxmax()]
            what = (t("effect_of", lang, arm=_arm_label(exp, arm, lang)) if quantity == "effect"
                    else _arm_label(exp, arm, lang))
            items.append(t("sensitivity_sentence", lang, outcome=outcome_label(o, lang), arm=what,
                           factor=f"`{top['factor']}`", index=key, value=fmt_num(top["value"]),
                           lo=fmt_num(top["ci_low"]), hi=fmt_num(top["ci_high"])))
    return [("h2", t("sensitivity", lang)), ("ul", items)]


def _attribution_blocks(exp: "Experiment", tables: "Tables", lang: str) -> list[Block]:
    """Each lever's Shapley share of an arm's effect on the first two headline outcomes."""
    att = tables.attribution
    if att is None or att.empty:
        return []
    items = []
    for o in exp.headline[:2]:
        for _, r in att[att["outcome"] == o].iterrows():
            share = f"{100 * r['share_of_effect']:.0f}%" if math.isfinite(r["share_of_effect"]) else "–"
            items.append(t("attribution_sentence", lang, arm=_arm_label(exp, r["arm"], lang),
                           outcome=outcome_label(o, lang), total=fmt_diff(o, r["total_effect"], lang),
                           lever=f"`{r['lever']}`", value=fmt_diff(o, r["shapley"], lang), share=share,
                           lo=fmt_ci(o, r["ci_low"], lang), hi=fmt_ci(o, r["ci_high"], lang)))
    return [("h2", t("attribution", lang)), ("ul", items)]


def _figure_blocks(figures: dict[str, Path], lang: str) -> list[Block]:
    """The figures with their captions."""
    if not figures:
        return []
    captions = {"time": "fig_time", "forest": "fig_forest", "frontier": "fig_frontier", "groups": "fig_groups",
                "sensitivity": "fig_sensitivity", "attribution": "fig_attribution"}
    return [("h2", t("figures", lang))] + [("img", (path, t(captions[kind], lang))) for kind, path in figures.items()]


def _effects_table_blocks(exp: "Experiment", tables: "Tables", lang: str) -> list[Block]:
    """The table of every effect with its interval, adjusted p and n (none for a sweep)."""
    eff = tables.effects
    if eff.empty or "point" in eff.columns:
        return []
    rows = []
    for _, r in eff.iterrows():
        o = r["outcome"]
        rows.append([_arm_label(exp, r["arm"], lang), outcome_label(o, lang), fmt_diff(o, r["effect"], lang),
                     f"{fmt_ci(o, r['ci_low'], lang)} … {fmt_ci(o, r['ci_high'], lang)}",
                     fmt_p(r["p_adjusted"]).replace("= ", ""), str(int(r["n"]))])
    return [("h2", t("all_effects", lang)),
            ("table", ([t("arm", lang), t("outcome", lang), t("effect", lang), "95% CI", t("p_adj", lang), "n"],
                       rows))]


def _reading_blocks(exp: "Experiment", tables: "Tables", info: RunInfo, lang: str) -> list[Block]:
    """Failed runs (if any), how to read the report, and the files written."""
    b: list[Block] = []
    if info.failed:
        b += [("h2", t("failures", lang)), ("p", t("failures_text", lang, n=info.failed))]
    b += [("h2", t("howto", lang)), ("p", t("howto_text", lang))]
    extra = ", sensitivity.csv" if tables.sensitivity is not None else ""
    extra += ", attribution.csv" if tables.attribution is not None else ""
    extra += ", design.csv" if tables.design is not None else ""
    extra += ", uncertainty.csv, ranking.csv, draws.csv" if tables.uncertainty is not None else ""
    b += [("h2", t("files", lang)), ("p", t("files_text", lang, extra=extra))]
    return b


def _provenance_blocks(exp: "Experiment", info: RunInfo, lang: str) -> list[Block]:
    """The appendix: experiment file and hash, seeds, runs, executor, commit, versions, times."""
    seeds = [str(replication_seed(exp.seed, r)) for r in range(min(info.replications, 10))]
    more = " …" if info.replications > 10 else ""
    prov = [
        [t("prov_file", lang), Path(exp.source).name],
        [t("prov_sha", lang), f"`{exp.sha256}`"],
        [t("prov_seed", lang), str(exp.seed)],
        [t("prov_seeds", lang), t("prov_seed_rule", lang, seed=exp.seed) + ": " + ", ".join(seeds) + more],
        [t("prov_runs", lang), t("prov_runs_value", lang, done=info.done, failed=info.failed, executed=info.executed)],
        [t("prov_executor", lang), info.executor],
        [t("prov_git", lang), f"`{info.git_commit}`"],
        [t("prov_versions", lang), ", ".join(f"{k} {v}" for k, v in info.versions.items())],
        [t("prov_time", lang), t("seconds", lang, s=info.seconds)],
        [t("prov_generated", lang), info.generated],
    ]
    if exp.draws is not None and exp.draws.posterior is not None:
        prov.insert(4, [t("prov_posterior", lang), posterior_provenance(exp, lang)])
    if info.auto_reason:
        prov.insert(4, ["replications", t("prov_reps_auto", lang, reps=info.replications, reason=info.auto_reason)])
    return [("h2", t("provenance", lang)), ("table", (["", ""], prov))]


# ---------------------------------------------------------------------------
# rendering
# ---------------------------------------------------------------------------


def _md_cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def to_markdown(blocks: list[Block], root: Path) -> str:
    out: list[str] = []
    for kind, content in blocks:
        if kind == "h1":
            out.append(f"# {content}\n")
        elif kind == "h2":
            out.append(f"## {content}\n")
        elif kind == "h3":
            out.append(f"### {content}\n")
        elif kind == "p":
            out.append(f"{content}\n")
        elif kind == "ul":
            out.append("\n".join(f"- {item}" for item in content) + "\n")
        elif kind == "table":
            header, rows = content
            out.append("| " + " | ".join(_md_cell(h) for h in header) + " |")
            out.append("|" + "---|" * len(header))
            out += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
            out.append("")
        elif kind == "img":
            path, caption = content
            out.append(f"![{caption}]({path.relative_to(root).as_posix()})\n\n*{caption}*\n")
    return "\n".join(out)


_INLINE = [(re.compile(r"\*\*(.+?)\*\*"), r"<strong>\1</strong>"), (re.compile(r"`(.+?)`"), r"<code>\1</code>")]


def _inline(text: str) -> str:
    s = html.escape(str(text))
    for pattern, repl in _INLINE:
        s = pattern.sub(repl, s)
    return s


CSS = """body{font-family:-apple-system,"Segoe UI","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;
max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#222}
table{border-collapse:collapse;margin:1rem 0;font-size:.9rem}td,th{border:1px solid #ccc;padding:.3rem .5rem;
vertical-align:top;text-align:left}th{background:#f3f3f3}img{max-width:100%}figure{margin:1.5rem 0}
figcaption{font-style:italic;color:#555}code{font-size:.85em;background:#f6f6f6;padding:0 .2em}"""


def to_html(blocks: list[Block], lang: str) -> str:
    title = next((c for k, c in blocks if k == "h1"), "report")
    out = [f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}">\n<head>\n<meta charset="utf-8">',
           f"<title>{html.escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>"]
    for kind, content in blocks:
        if kind in ("h1", "h2", "h3"):
            out.append(f"<{kind}>{_inline(content)}</{kind}>")
        elif kind == "p":
            out.append(f"<p>{_inline(content)}</p>")
        elif kind == "ul":
            out.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in content) + "</ul>")
        elif kind == "table":
            header, rows = content
            head = "" if not any(header) else "<tr>" + "".join(f"<th>{_inline(h)}</th>" for h in header) + "</tr>"
            body = "".join("<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in row) + "</tr>" for row in rows)
            out.append(f"<table>{head}{body}</table>")
        elif kind == "img":
            path, caption = content
            data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
            out.append(f'<figure><img alt="{html.escape(caption)}" src="data:image/png;base64,{data}">'
                       f"<figcaption>{_inline(caption)}</figcaption></figure>")
    out.append("</body>\n</html>\n")
    return "\n".join(out)


def write_report(exp: "Experiment", tables: "Tables", figures: dict[str, Path], info: RunInfo, root: Path,
                 lang: str) -> list[Path]:
    blocks = build_blocks(exp, tables, figures, info, lang)
    md, page = root / "report.md", root / "report.html"
    atomic_write_text(md, to_markdown(blocks, root))
    atomic_write_text(page, to_html(blocks, lang))
    return [md, page]
