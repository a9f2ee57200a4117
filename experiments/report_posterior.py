"""The report's words on a posterior an experiment drew from: the design paragraph and the provenance row."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .i18n import t
from .posterior import kept_by_arm

if TYPE_CHECKING:
    from .spec import Experiment


def posterior_paragraph(exp: "Experiment", reps: int, lang: str) -> str:
    """Which posterior, how many draws and distinct particles, what happened to the other entries, and the
    posterior's entries an arm keeps as its own."""
    draws, spec = exp.draws, exp.uncertainty
    assert draws is not None and draws.posterior is not None and draws.particles is not None and spec is not None
    post = draws.posterior
    n = len(draws.values)
    names = ", ".join(f"`{p.removeprefix('parameters.')}`" for p in post.paths)
    if draws.rest == "default":
        rest = t("posterior_rest_default", lang)
    else:
        rest = t("posterior_rest_ranges", lang, r=len(draws.paths) - len(post.paths), design=spec.design)
    text = t("posterior_text", lang, draws=n, reps=reps, runs=n * reps, k=len(post.paths), given=spec.posterior,
             names=names, distinct=len(set(draws.particles.tolist())), particles=len(post.weights), rest=rest)
    for arm, paths in kept_by_arm(draws).items():
        if arm in {a.name for a in exp.visible_arms}:
            a = exp.arm(arm)
            label = a.label_zh if lang == "zh" else a.label
            text += " " + t("posterior_kept", lang, arm=label,
                            names=", ".join(f"`{p.removeprefix('parameters.')}`" for p in paths))
    return text


def posterior_provenance(exp: "Experiment", lang: str) -> str:
    """The provenance cell: the folder, posterior.csv's hash, posterior.json's seed, setting, creation time
    and commit, the draws, the distinct particles and the rest mode."""
    draws = exp.draws
    assert draws is not None and draws.posterior is not None and draws.particles is not None
    post = draws.posterior
    meta = post.meta
    return t("prov_posterior_value", lang, folder=post.folder, sha=post.csv_sha256, seed=meta.get("seed"),
             setting=meta.get("setting"), created=meta.get("created"), commit=meta.get("git_commit"),
             draws=len(draws.particles), distinct=len(set(draws.particles.tolist())),
             particles=len(post.weights), rest=draws.rest)
