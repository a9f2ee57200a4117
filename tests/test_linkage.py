"""Ties between committees, organizations and social workers, as counts and shares (issue 14:
no composite index that can fall while every tie rises)."""

from __future__ import annotations

import numpy as np
import pytest

from model import CommunityModel, month

TIES = ("needs_referred_share", "orgs_with_social_worker_per_10k", "tri_party_ties_per_10k")


def test_tie_measures_count_what_they_say(monkeypatch):
    """Tri-party ties are the (committee, organization) pairs with a referred need met this month
    by an organization employing a social worker; referrals are a part of the needs organizations
    met; organizations with a social worker and committees with a partner are plain counts."""
    seen = {}
    serve = month.serve_residents

    def spy(m):
        seen["served"] = out = serve(m)
        return out

    monkeypatch.setattr(month, "serve_residents", spy)
    m = CommunityModel("shanghai-2015", rng=3)
    tri_seen = 0.0
    for _ in range(18):
        m.step()
        cur, served, per_10k = m.recorder.current, seen["served"], 1e4 / m.residents.n
        pairs = [(c, s) for (c, s) in served.partner_perf if m.organizations[s].workers]
        assert cur["tri_party_ties_per_10k"] == pytest.approx(len(pairs) * per_10k)
        assert cur["orgs_with_social_worker_per_10k"] == pytest.approx(
            sum(1 for o in m.organizations if o.active and o.workers) * per_10k)
        assert cur["committees_with_partner_share"] == pytest.approx(np.mean([bool(c.partners) for c in m.committees]))
        assert 0.0 <= cur["needs_referred_share"] <= cur["needs_met_by_organizations_share"] + 1e-12
        tri_seen = max(tri_seen, cur["tri_party_ties_per_10k"])
    assert tri_seen > 0, "ties form within a year and a half of the 2015 package"


def test_the_2015_package_raises_every_tie_over_baseline_in_paired_seeds():
    """Where the old index fell under the package (its shares' denominators grew with every new
    organization), these counts and shares rise: means of months 49-60, two paired seeds."""
    means = {}
    for scenario in ("baseline", "shanghai-2015"):
        rows = []
        for seed in (1, 2):
            m = CommunityModel(scenario, rng=seed)
            m.run(60)
            rows.append(m.recorder.timeseries()[list(TIES)].iloc[-12:].mean())
        means[scenario] = sum(rows) / len(rows)
    for name in TIES:
        assert means["shanghai-2015"][name] > means["baseline"][name], (
            f"{name}: package {means['shanghai-2015'][name]:.3f} vs baseline {means['baseline'][name]:.3f}")
