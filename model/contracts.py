"""Purchase of services and purchase of posts: what the government buys and how it pays.

A purchase-of-services contract (``Contract``) buys needs of one kind for its
target group: the group whose need that kind mainly is (``TARGET_GROUP``; the
kind's needs raised by other groups in the street count too, since services are
matched by kind, not by who raises the need). It names a volume (needs per
month) and a unit price; the street tenders it (``streets.StreetOffice.decide_tender``)
and may withdraw it after an evaluation (``StreetOffice.decide_oversight``).

Rules, parameters in ``Streets`` of the register:

* delivery (``credit_contracts``): a need an organization meets counts under its
  running contract of the kind;
* instalments (``pay_instalments``): each month the purchaser pays the unit price
  for the needs delivered, up to the contracted volume; an advance paid at
  signing is set off against the first instalments and what is still owed of it
  at the end goes back; money not earned is never paid, so contract money is
  paid for delivery only and cannot pile up;
* track record (``delivery_ratio``): what a contract delivered against its
  volume, read by the evaluation and by the next tender;
* posts (``pay_posts``): government pays the wage of each filled social-work post
  an agency holds, up to the post rate; an unfilled post is not paid (the street
  commissions the posts: ``StreetOffice.decide_posts``).

* staffing (``project_hires``): a bidder may commit to hire social workers to
  deliver the volume; the contract then pays for what they deliver.
* set-aside (``set_aside``): a holder keeps the contracted volume of its capacity
  for the contracted kind (its project staff serve the project first).

Layout: ``TARGET_GROUP``, ``Contract``; then ``project_hires``, ``set_aside``, ``credit_contracts``,
``delivery_ratio``, ``pay_instalments``, ``settle_advance``, ``pay_posts``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from .params import NEED_KINDS

if TYPE_CHECKING:
    from .community import CommunityModel
    from .organizations import Organization
    from .params import Organizations as OrgParams, Streets as StreetParams

TARGET_GROUP: dict[str, str] = {
    "elder_care": "elderly",
    "children_youth": "children_teens",
    "family": "women_at_home",
    "legal_mediation": "community_correction",
    "social_assistance": "social_assistance",
    "culture_sport": "others",
    "rehabilitation": "drug_rehabilitation",
}
"""The target group a contract of each need kind stands for: a group whose main need (its
highest rate in ``params.NeedRates``) the kind is (for family and culture_sport, which are
the main need of several groups, the one named). Services are matched by kind, not by who
raises the need, so the kind's needs raised by other groups are served under the contract
too: e.g. the social_assistance kind is 5 % a month of social-assistance recipients but also
0.3-1 % of the elderly, migrants, people in rehabilitation or correction and people with
disabilities (in the default street recipients raise about a quarter of these needs)."""


class Contract:
    """A purchase-of-services contract: ``volume`` needs a month of one ``kind`` (for its
    :data:`TARGET_GROUP`) at ``price`` yuan a need, for ``months`` months in a street;
    ``advance`` yuan paid at signing, still to be set off (``advance_left``)."""

    def __init__(self, org: "Organization", street: int, kind: int, volume: float, months: int, price: float,
                 advance: float = 0.0):
        self.org = org
        self.street = street
        self.kind = kind
        self.volume = volume
        self.months = months
        self.months_left = months
        self.price = price
        self.advance_left = advance
        self.delivered = 0  # needs met under the contract so far
        self.delivered_month = 0  # ... this month (paid at the end of the month)
        self.paid = advance  # yuan paid so far

    @property
    def monthly_yuan(self) -> float:
        """The most one instalment pays: the volume at the unit price."""
        return self.volume * self.price

    @property
    def target_group(self) -> str:
        """The group the contract's kind stands for (:data:`TARGET_GROUP`)."""
        return TARGET_GROUP[NEED_KINDS[self.kind]]


def project_hires(ps: "StreetParams", po: "OrgParams", wanted: float, capacity: float, room: int) -> int:
    """Rule: to deliver ``wanted`` needs a month beyond its capacity (``capacity``, needs a
    month, times tender_capacity_factor) a bidder commits to hire the social workers the
    shortfall needs at needs_per_sw_month each, at most contract_max_hires and its ``room``
    under max_social_workers."""
    short = wanted / ps.tender_capacity_factor - capacity
    if short <= 0 or po.needs_per_sw_month <= 0:
        return 0
    return int(max(0, min(math.ceil(short / po.needs_per_sw_month), ps.contract_max_hires, room)))


def set_aside(orgs: list["Organization"], capacity: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rule: an organization holding running contracts sets aside, for each contracted kind,
    the volume of its running contracts of that kind (needs a month), all of them scaled down
    in proportion where together they exceed its capacity this month; the set-aside serves
    that kind first (``serving``: needs its street's committees refer, then needs brought to
    it directly; what the kind's demand leaves returns to its other services that month).
    ``orgs``: the active organizations, ``capacity``: theirs (needs a month). Returns
    (organization row, kind, needs a month set aside) per (holder, kind), rows ascending."""
    rows: list[int] = []
    kinds: list[int] = []
    amounts: list[float] = []
    for j, org in enumerate(orgs):
        if not org.contracts:
            continue
        by_kind: dict[int, float] = {}
        for ct in org.contracts:
            if ct.months_left > 0:
                by_kind[ct.kind] = by_kind.get(ct.kind, 0.0) + ct.volume
        total = sum(by_kind.values())
        if total <= 0:
            continue
        scale = min(1.0, float(capacity[j]) / total)
        for k in sorted(by_kind):
            rows.append(j)
            kinds.append(k)
            amounts.append(by_kind[k] * scale)
    return np.array(rows, dtype=np.int64), np.array(kinds, dtype=np.int64), np.array(amounts, dtype=np.float64)


def credit_contracts(orgs: list["Organization"], delivered: np.ndarray, slots: np.ndarray, kinds: np.ndarray) -> None:
    """Rule: a need an organization meets counts as delivered under its newest running
    contract of the same kind, if it holds one. ``orgs``: the model's organization table;
    ``delivered``: the slots that met needs this round (ascending); ``slots``, ``kinds``:
    the organization and the need kind of each need met."""
    k = len(NEED_KINDS)
    holders = [slot for slot in delivered.tolist() if orgs[slot].contracts]
    if not holders:
        return
    holds = np.zeros(len(orgs), dtype=bool)
    holds[holders] = True
    by_holder = holds[slots]
    codes, n = np.unique(slots[by_holder] * k + kinds[by_holder].astype(np.int64), return_counts=True)
    for code, cnt in zip(codes.tolist(), n.tolist(), strict=True):
        for ct in reversed(orgs[code // k].contracts):
            if ct.kind == code % k and ct.months_left > 0:
                ct.delivered += cnt
                ct.delivered_month += cnt
                break


def delivery_ratio(contract: Contract) -> float:
    """Rule: a contract's delivery ratio is the needs delivered under it against its volume
    over the months elapsed (at least one), at most 1."""
    elapsed = max(1, contract.months - contract.months_left)
    return min(1.0, contract.delivered / max(contract.volume * elapsed, 1e-9))


def pay_instalments(m: "CommunityModel", org: "Organization") -> float:
    """Rule: at the end of each month the purchaser pays each running contract of ``org``
    price * min(needs delivered this month, volume), less what is still to be set off of
    the advance; when a contract's last month is paid, the advance not set off goes back
    (:func:`settle_advance`). Returns the yuan paid."""
    purchase = m.funders["purchase"]
    paid = 0.0
    for ct in org.contracts:
        if ct.months_left <= 0:
            continue
        earned = ct.price * min(float(ct.delivered_month), ct.volume)
        offset = min(earned, ct.advance_left)
        ct.advance_left -= offset
        due = earned - offset
        if due > 0:
            purchase.pay(org.account, due, "contract")
            m.recorder.events.contracts_paid += 1
            org.record_income("contract", due)
            ct.paid += due
            paid += due
        ct.delivered_month = 0
        ct.months_left -= 1
        if ct.months_left == 0:
            settle_advance(m, ct)
    return paid


def settle_advance(m: "CommunityModel", contract: Contract) -> None:
    """Rule: a contract that ends (its last month paid, or withdrawn after an evaluation)
    gives back to the purchaser the part of its advance not yet set off (contract_refund)."""
    if contract.advance_left > 0:
        m.ledger.transfer(contract.org.account, m.funders["purchase"].account, contract.advance_left,
                          "contract_refund")
        contract.paid -= contract.advance_left
        contract.advance_left = 0.0


def pay_posts(m: "CommunityModel", org: "Organization") -> float:
    """Rule: each month the purchaser pays an agency holding posts the wage of each filled
    post (its first ``posts`` social workers), each at most post_yuan_year / 12; an unfilled
    post is not paid. Returns the yuan paid."""
    if org.posts <= 0 or not org.workers:
        return 0.0
    cap = m.p.streets.post_yuan_year / 12
    pw = m.p.social_workers
    due = sum(min(w.compute_wage(pw), cap) for w in org.workers[: org.posts])
    if due > 0:
        m.funders["purchase"].pay(org.account, due, "post_wage")
        org.record_income("post_wage", due)
    return due
