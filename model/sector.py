"""The rest of the social-organization sector: one aggregate block, not agents.

Shanghai's social organizations include many that the model does not simulate
(fee-charging schools, clinics, elderly homes, trade associations, foundations).
City-wide figures over *all* social organizations, such as the article's "government
money is 17 % of the total income of Shanghai's social organizations", need their income
in the denominator. The block has its own two sources, government money and other income
(fees, sales, dues, donations), at city scale in the reference year, growing at one rate;
it is scaled to the simulated world by residents. It serves none of the modelled needs
and moves no money in the ledger: it only enters the sector-wide outcome.
"""

from __future__ import annotations

from .params import Sector as SectorParams


def sector_income(sec: SectorParams, year: float, residents_share: float) -> tuple[float, float]:
    """Rule: the rest of the sector receives government_yuan_2015 and other_income_yuan_2015 a
    year, times (1 + growth_per_year) ** (``year`` - reference_year), times the world's share
    of the city's residents (``residents_share``). Returns (government, other) in yuan a year."""
    factor = (1.0 + sec.growth_per_year) ** (year - sec.reference_year) * residents_share
    return sec.government_yuan_2015 * factor, sec.other_income_yuan_2015 * factor


def sector_government_share(sec: SectorParams, year: float, residents_share: float, community_gov: float,
                            community_all: float) -> float:
    """Government money / all income of the whole sector: the simulated community
    organizations' income over the last 12 months (``community_gov`` of ``community_all``,
    yuan at simulated scale) plus the rest of the sector's (:func:`sector_income`)."""
    gov, other = sector_income(sec, year, residents_share)
    total = community_all + gov + other
    return (community_gov + gov) / total if total > 0 else 0.0
