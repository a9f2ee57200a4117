"""What the streets' public staff and facilities cost, and the administrative tasks they
take over from committees: street-office rules paid by the street and district funders.

Rules, parameters in ``Streets`` and ``Committees`` of the register:

* running costs (``pay_running_costs``): each month each street pays its service centre,
  its venues' upkeep and its open venues; the district pays the incubators;
* staff (``pay_street_staff``): the street pays its community-work staff and the hours
  they give committees' service (street reform), at the hourly cost of street staff
  (``street_hour_yuan``);
* tasks (``push_tasks_down``): the street pushes administrative tasks down to its
  committees (``Committee.decide_burden``), and their staff are trained; the tasks taken
  off committees (task list, gate) are done by the street, by district departments or
  dropped, and paid where they go (``take_over_tasks``).

Layout: ``pay_running_costs``; ``street_hour_yuan`` and ``pay_street_staff``;
``push_tasks_down`` and ``take_over_tasks``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .committees import admin_hours_taken_off, committee_arrays

if TYPE_CHECKING:
    from .community import CommunityModel


def pay_running_costs(m: "CommunityModel") -> None:
    """Rule: each month each street pays a month of service_centre_running_cost_yuan for its
    service centre (if it has one), of venue_upkeep_yuan for each of its venues and of
    venue_open_cost_yuan for each venue open to organizations (round(venues *
    venues_open_share)); the district pays a month of incubator_running_cost_yuan for the
    incubator serving a street (incubators are district bases)."""
    ps = m.p.streets
    street_funder = m.funders["street"]
    sink = m.acct["project_costs"]
    n_open = int(round(ps.venues * ps.venues_open_share))
    for street in m.streets:
        if street.has_service_centre():
            street_funder.pay(sink, ps.service_centre_running_cost_yuan / 12, "service_centre_running")
        if street.has_incubator():
            m.funders["district"].pay(sink, ps.incubator_running_cost_yuan / 12, "incubator_running")
    street_funder.pay_repeated(sink, ps.venues * ps.venue_upkeep_yuan / 12, len(m.streets), "venue_upkeep")
    street_funder.pay_repeated(sink, n_open * ps.venue_open_cost_yuan / 12, len(m.streets), "open_venue_running")


def street_hour_yuan(m: "CommunityModel") -> float:
    """What an hour of street staff costs the public purse: street_staff_wage_yuan * (1 +
    public_oncost_share) / staff_hours_month."""
    ps = m.p.streets
    return ps.street_staff_wage_yuan * (1.0 + m.p.funders.public_oncost_share) / ps.staff_hours_month


def pay_street_staff(m: "CommunityModel") -> None:
    """Rule: each month each street pays its community-work staff, street_staff *
    street_staff_wage_yuan * (1 + public_oncost_share) (street_staff_wages), and the extra
    street-staff hours it gives its committees' service, service_support_hours per committee at
    the hourly cost of street staff (:func:`street_hour_yuan`; street_service_support)."""
    ps = m.p.streets
    street_funder = m.funders["street"]
    sink = m.acct["wages"]
    bill = ps.street_staff * ps.street_staff_wage_yuan * (1.0 + m.p.funders.public_oncost_share)
    street_funder.pay_repeated(sink, bill, len(m.streets), "street_staff_wages")
    support = [ps.service_support_hours * len(street.committees) * street_hour_yuan(m) for street in m.streets]
    street_funder.pay_many(sink, support, "street_service_support")


def push_tasks_down(m: "CommunityModel") -> None:
    """Rule: each month street offices push administrative tasks down to the committees,
    admin_push * investment_duty_share (:meth:`Committee.decide_burden`); regular committee
    staff may be trained (:meth:`Committee.decide_training`); the tasks taken off committees
    are then done and paid where they go (:func:`take_over_tasks`)."""
    ps = m.p.streets
    push = ps.admin_push * ps.investment_duty_share
    for c in m.committees:
        c.decide_burden(m.p.committees, push)
        c.decide_training(m.p.committees, m.streams["training"])
    take_over_tasks(m)


def take_over_tasks(m: "CommunityModel") -> None:
    """Rule: the administrative hours taken off committees this month
    (:func:`committees.admin_hours_taken_off`) go admin_to_street_share to the committee's
    street office, paid by the street at the hourly cost of street staff (admin_tasks_street),
    admin_to_departments_share to district departments, paid by the district at
    department_hour_yuan (admin_tasks_departments); the rest is dropped: done by no one at
    no cost, and counted (``admin_hours_dropped``). Shares adding up to more than 1 are
    scaled down to add up to 1."""
    pc, ps = m.p.committees, m.p.streets
    hours = admin_hours_taken_off(pc, committee_arrays(m.committees))
    by_street = np.bincount(m.committee_street, weights=hours, minlength=len(m.streets))
    total = float(hours.sum())
    to_street, to_dep = pc.admin_to_street_share, pc.admin_to_departments_share
    if to_street + to_dep > 1.0:
        to_street, to_dep = to_street / (to_street + to_dep), to_dep / (to_street + to_dep)
    sink = m.acct["wages"]
    m.funders["street"].pay_many(sink, (by_street * to_street * street_hour_yuan(m)).tolist(), "admin_tasks_street")
    m.funders["district"].pay_many(sink, (by_street * to_dep * ps.department_hour_yuan).tolist(),
                                   "admin_tasks_departments")
    m.recorder.events.admin_hours_moved += total * (to_street + to_dep)
    m.recorder.events.admin_hours_dropped += total * max(0.0, 1.0 - to_street - to_dep)
