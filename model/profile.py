"""Street profiles: one real (or typical) street described from its own records, as a scenario.

A profile is a TOML file with three parts:

* ``[street]``: its name, district and notes, and the street-level facilities the model
  has: a social-organization service centre, an incubator, a commissioned platform, a
  community foundation (each present or not), community venues and how many are open to
  organizations;
* ``[[committee]]``: every residents' (or village) committee: name, community type, residents,
  and optionally its staff places and whether it elected directly at the last election;
* ``[[organization]]``: the social organizations registered in the street: kind, home
  committee, months since registration, other staff, social workers (``count`` alike ones).

A profile can also be a committee table in CSV (``CSV_COLUMNS``: the committees only, the
street named after the file). ``load_profile`` reads and checks a file (every problem listed
with its field, as :class:`ProfileError`); ``apply_profile`` turns a scenario's tables into the world the
profile describes (one street; the world's sizes and type mix; the facilities as the
scenario's coverage parameters) and embeds the profile as the scenario's ``[profile]``
table, so a run's ``scenario.toml`` holds all of it. The model builds its one street from
the embedded profile (``committee_layout``, ``direct_committees``, ``place_organizations``,
``hire_listed_workers``).

Layout: ``ProfileError``; the tables (``StreetInfo``, ``CommitteeEntry``,
``OrganizationEntry``, ``StreetProfile``) and their cross-checks (``cross_problems``);
reading (``CSV_COLUMNS``, ``read_committee_csv``, ``load_profile``); the scenario (``apply_profile``, ``FACILITY_PATHS``,
``lever_notes``); building the world
(``committee_layout``, ``direct_committees``, ``place_organizations``,
``hire_listed_workers``).
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import Field, ValidationError, ValidationInfo, field_validator, model_validator

from .inputs import MAX_FILE_BYTES, Problem, ScenarioError, finite_problems, pydantic_problems, read_toml, show
from .params import COMMUNITY_TYPES, ORG_KINDS, Section

if TYPE_CHECKING:
    from .community import CommunityModel

MAX_COMMITTEES = 200
"""Committees a profile may list (as ``[world] committees_per_street``)."""
MAX_ORGANIZATIONS = 2000
"""Organizations a profile may list (counting ``count``)."""


class ProfileError(ScenarioError):
    """Bad street profile: the file and every field at fault with what is allowed."""

    kind = "street profile"


class StreetInfo(Section):
    """The ``[street]`` table: who the street is and which street-level facilities it has
    (an omitted facility keeps the scenario's own coverage parameter)."""

    name: str = Field(min_length=1, max_length=200, description="The street's (or town's) name.")
    district: str = Field("", max_length=200, description="The district it belongs to.")
    notes: str = Field("", max_length=4000, description="What the profile is based on, and when.")
    service_centre: bool | None = Field(None, description="A social-organization service centre covers the street "
                                        "(parameters.streets.service_centre = 1 or 0).")
    incubator: bool | None = Field(None, description="An incubator serves the street (parameters.streets.incubator).")
    platform: bool | None = Field(None, description="The street commissions an organization to run its platform "
                                  "(parameters.streets.platform).")
    foundation: bool | None = Field(None, description="The street has a community foundation "
                                    "(parameters.funders.foundation_coverage).")
    venues: int | None = Field(None, ge=0, le=200, description="Community venues (parameters.streets.venues).")
    venues_open: int | None = Field(None, ge=0, le=200, description="Venues opened free to organizations "
                                    "(parameters.streets.venues_open_share = venues_open / venues).")


class CommitteeEntry(Section):
    """One ``[[committee]]``: a residents' or village committee as it is."""

    name: str = Field(min_length=1, max_length=100, description="Its name (unique in the profile).")
    type: str = Field(description="Community type: " + ", ".join(COMMUNITY_TYPES) + ".")
    residents: int = Field(ge=10, le=200_000, description="Residents (registered and migrant) it serves.")
    staff: int | None = Field(None, ge=1, le=100, description="Staff places (default parameters.committees.staff).")
    direct_election: bool = Field(False, description="Elected directly by households at the last election.")

    @field_validator("type")
    @classmethod
    def _known_type(cls, v: str) -> str:
        if v not in COMMUNITY_TYPES:
            raise ValueError(f"unknown community type {show(v)}; allowed: {', '.join(COMMUNITY_TYPES)}")
        return v


class OrganizationEntry(Section):
    """One ``[[organization]]``: a registered social organization (or ``count`` alike ones)."""

    kind: str = Field(description="Kind: " + ", ".join(ORG_KINDS) + ".")
    name: str = Field("", max_length=200, description="Its name (for the reader; not used).")
    home: str | None = Field(None, max_length=100, description="The committee it is located in (by name); "
                             "omitted: a committee drawn at random.")
    age_months: int | None = Field(None, ge=0, le=600, description="Months since registration; omitted: drawn "
                                   "between organizations.initial_age_min_months and initial_age_max_months.")
    other_staff: int | None = Field(None, ge=0, le=100, description="Staff other than social workers "
                                    "(default parameters.organizations.other_staff).")
    social_workers: int = Field(0, ge=0, le=500, description="Social workers it employs.")
    count: int = Field(1, ge=1, le=MAX_ORGANIZATIONS, description="How many organizations this entry stands for.")

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, v: str) -> str:
        if v not in ORG_KINDS:
            raise ValueError(f"unknown organization kind {show(v)}; allowed: {', '.join(ORG_KINDS)}")
        return v


class StreetProfile(Section):
    """A whole street profile (also the scenario's ``[profile]`` table)."""

    street: StreetInfo
    committee: list[CommitteeEntry] = Field(min_length=1, max_length=MAX_COMMITTEES,
                                            description="The street's committees (at least one).")
    organization: list[OrganizationEntry] = Field(default_factory=list,
                                                  description="The social organizations registered in the street.")

    @model_validator(mode="after")
    def _cross(self, info: ValidationInfo) -> "StreetProfile":
        if (info.context or {}).get("cross", True):
            problems = cross_problems(self.model_dump())
            if problems:
                raise ValueError("; ".join(f"{p}: {m}" for p, m in problems))
        return self


def cross_problems(data: dict[str, Any]) -> list[Problem]:
    """Problems between fields of a profile's parsed tables (entries of the wrong shape are
    skipped: their own checks report them): committee names unique, every organization's home
    a committee of the profile, open venues no more than venues, organizations no more than
    ``MAX_ORGANIZATIONS``."""
    problems: list[Problem] = []
    committees = data.get("committee") if isinstance(data.get("committee"), list) else []
    first: dict[str, int] = {}
    for i, c in enumerate(committees):
        name = c.get("name") if isinstance(c, dict) else None
        if isinstance(name, str):
            if name in first:
                problems.append((f"committee[{i + 1}].name", f"duplicate committee name {show(name)} "
                                 f"(also committee[{first[name] + 1}])"))
            first.setdefault(name, i)
    orgs = data.get("organization") if isinstance(data.get("organization"), list) else []
    total = 0
    for i, o in enumerate(orgs):
        if not isinstance(o, dict):
            continue
        home = o.get("home")
        if isinstance(home, str) and home not in first:
            problems.append((f"organization[{i + 1}].home", f"no committee named {show(home)} in this profile"))
        if isinstance(o.get("count", 1), int):
            total += o.get("count", 1)
    if total > MAX_ORGANIZATIONS:
        problems.append(("organization", f"{total:,} organizations listed; at most {MAX_ORGANIZATIONS:,}"))
    street = data.get("street") if isinstance(data.get("street"), dict) else {}
    venues, open_ = street.get("venues"), street.get("venues_open")
    if isinstance(open_, int) and not isinstance(open_, bool):
        if venues is None:
            problems.append(("street.venues_open", "needs street.venues (how many venues there are)"))
        elif isinstance(venues, int) and open_ > venues:
            problems.append(("street.venues_open", f"{open_} open venues but only {venues} venues"))
    return problems


CSV_COLUMNS = ("name", "type", "residents", "staff", "direct_election")
"""Columns of a committee table in CSV (``name``, ``type`` and ``residents`` required)."""


def read_committee_csv(path: Path) -> dict[str, Any]:
    """A committee table in CSV (one row a committee, columns ``CSV_COLUMNS``) as a profile's
    tables: the street named after the file, no organizations, no facilities. Whole numbers
    and ``true``/``false`` are read as such, empty cells as omitted; anything else stays text
    (the checks then name the cell's field). Raises ProfileError if the file cannot be read,
    is over ``MAX_FILE_BYTES``, is not UTF-8 or its header is wrong."""
    def fail(msg: str) -> ProfileError:
        return ProfileError(str(path), [("", msg)])

    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise fail(f"file is {path.stat().st_size:,} bytes; at most {MAX_FILE_BYTES:,} allowed")
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise fail(f"cannot read file: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise fail(f"not UTF-8 text (byte {exc.start}); save the file as UTF-8") from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    wrong = [h for h in header if h not in CSV_COLUMNS]
    missing = [h for h in CSV_COLUMNS[:3] if h not in header]
    if wrong or missing:
        raise fail(f"header must name the columns {', '.join(CSV_COLUMNS)} (the first three required); "
                   + "; ".join(filter(None, [f"unknown: {', '.join(map(show, wrong))}" if wrong else "",
                                             f"missing: {', '.join(missing)}" if missing else ""])))

    def cell(value: str | None) -> Any:
        value = (value or "").strip()
        if re.fullmatch(r"-?\d+", value):
            return int(value)
        return {"true": True, "false": False}.get(value.lower(), value)

    raw = list(reader)
    extra = [str(i + 2) for i, row in enumerate(raw) if None in row]
    if extra:
        raise fail(f"more cells than columns on line(s) {', '.join(extra[:10])} (a comma inside a name or number? "
                   "quote the cell or remove the comma)")
    rows = [{h: cell(v) for h, v in zip(header, row.values(), strict=True) if (v or "").strip()} for row in raw]
    return {"street": {"name": path.stem}, "committee": rows}


def load_profile(path: str | Path) -> StreetProfile:
    """Read and check a street profile file (TOML, or a committee table in CSV); raises
    ProfileError listing every problem."""
    path = Path(path)
    if path.suffix.lower() == ".csv":
        data = read_committee_csv(path)
    else:
        _, data = read_toml(path, ProfileError)
    problems = finite_problems(data)
    profile = None
    try:
        profile = StreetProfile.model_validate(data, context={"cross": False})
    except ValidationError as exc:
        seen = {p for p, _ in problems}
        problems += [(p, m) for p, m in pydantic_problems(exc, StreetProfile, data) if p not in seen]
    problems += cross_problems(data)
    if problems or profile is None:
        raise ProfileError(str(path), problems)
    return profile


def apply_profile(data: dict[str, Any], profile: StreetProfile) -> dict[str, Any]:
    """A scenario's tables with the world the profile describes: one street of its committees
    (``[world]`` sizes and type mix follow from them; no sampling), the street's facilities
    given in the profile as the scenario's coverage parameters, and the profile itself as the
    ``[profile]`` table. ``data`` is not changed."""
    out = {k: dict(v) if isinstance(v, dict) else v for k, v in data.items()}
    sizes = [c.residents for c in profile.committee]
    counts = Counter(c.type for c in profile.committee)
    out["world"] = {"streets": 1, "committees_per_street": len(sizes),
                    "residents_per_committee": max(10, int(round(sum(sizes) / len(sizes)))),
                    "residents_cv": 0.0, "scale": 1.0,
                    "types": {t: counts[t] / len(sizes) for t in COMMUNITY_TYPES if counts[t]}}
    params = out.setdefault("parameters", {})
    streets = dict(params.get("streets", {}))
    s = profile.street
    for key in ("service_centre", "incubator", "platform"):
        if getattr(s, key) is not None:
            streets[key] = 1.0 if getattr(s, key) else 0.0
    if s.venues is not None:
        streets["venues"] = s.venues
        if s.venues_open is not None:
            streets["venues_open_share"] = s.venues_open / s.venues if s.venues else 0.0
    params["streets"] = streets
    if s.foundation is not None:
        params["funders"] = {**params.get("funders", {}), "foundation_coverage": 1.0 if s.foundation else 0.0}
    out["profile"] = profile.model_dump(mode="json", exclude_none=True)
    return out


FACILITY_PATHS = {"service_centre": "streets.service_centre", "incubator": "streets.incubator",
                  "platform": "streets.platform", "foundation": "funders.foundation_coverage",
                  "venues": "streets.venues", "venues_open": "streets.venues_open_share"}
"""The register field each ``[street]`` facility sets."""


def lever_notes(profile: StreetProfile, levers: list[Any]) -> list[str]:
    """One line for each facility the profile gives that an enabled lever of the scenario moves
    (``levers``: ``Policies.levers()``): from the lever's start the lever decides it."""
    notes = []
    for key, path in FACILITY_PATHS.items():
        value = getattr(profile.street, key)
        if value is None:
            continue
        for lever in levers:
            if lever.enabled and path in type(lever).moved_paths():
                notes.append(f"note: policies.{lever.key} moves {path} from month {lever.start}, away from "
                             f"the profile's street.{key} = {str(value).lower()} (the street without the lever)")
    return notes


# ---------------------------------------------------------------------------
# building the world
# ---------------------------------------------------------------------------


def committee_layout(profile: StreetProfile) -> tuple[np.ndarray, np.ndarray]:
    """Each committee's residents and community-type index, in the profile's order."""
    sizes = np.array([c.residents for c in profile.committee], dtype=np.int64)
    ctype = np.array([COMMUNITY_TYPES.index(c.type) for c in profile.committee], dtype=np.int64)
    return sizes, ctype


def direct_committees(profile: StreetProfile, order: list[int]) -> tuple[list[int], np.ndarray]:
    """Rule: the committees the profile lists as directly elected are direct; the fixed order in
    which later reforms make committees direct (``committees.hold_elections``) puts them first,
    the others following in ``order`` (a random permutation). Returns (order, direct flags)."""
    direct = np.array([c.direct_election for c in profile.committee], dtype=bool)
    return [i for i in order if direct[i]] + [i for i in order if not direct[i]], direct


def place_organizations(m: "CommunityModel", profile: StreetProfile, rng: np.random.Generator) -> None:
    """Rule: the street starts with the organizations the profile lists (active), each in its home
    committee (one drawn at random when none is given), registered ``age_months`` ago (drawn as
    for the initial organizations of a world when not given), with its other staff and the
    initial reserves of a world's initial organizations."""
    from .organizations import ACTIVE

    po = m.p.organizations
    street = m.streets[0]
    index = {c.name: i for i, c in enumerate(profile.committee)}
    for entry in profile.organization:
        for _ in range(entry.count):
            home = index[entry.home] if entry.home is not None else int(rng.integers(len(street.committees)))
            org = m.add_organization(entry.kind, street, street.committees[home].index, 0, False)
            org.status = ACTIVE
            age = entry.age_months if entry.age_months is not None else \
                int(rng.integers(po.initial_age_min_months, po.initial_age_max_months))
            org.registered_month = -age
            org.founded_month = -age - po.initial_registration_months
            org.other_staff = po.other_staff if entry.other_staff is None else entry.other_staff
            reserve = po.initial_reserve_months * org.monthly_costs(po, 0.0, 0)
            m.ledger.transfer(m.acct["founders"], org.account, reserve, "initial_reserves")


def hire_listed_workers(m: "CommunityModel", profile: StreetProfile, rng: np.random.Generator) -> None:
    """Rule: each listed organization employs its ``social_workers`` (certified, experience and
    skill drawn as for a world's initial workforce); its reserves grow by
    initial_reserve_months of each one's wage. They are in addition to the initial workforce,
    which fills the committees' social-work posts (``CommunityModel._initial_workers``)."""
    from .workers import SocialWorker

    ps, po = m.p.social_workers, m.p.organizations
    orgs = iter(m.organizations)
    for entry in profile.organization:
        for _ in range(entry.count):
            org = next(orgs)
            for _ in range(entry.social_workers):
                w = SocialWorker(m, certified=bool(rng.random() < ps.initial_certified_share),
                                 experience_months=int(rng.integers(0, ps.initial_experience_max_months)),
                                 skill=float(rng.uniform(ps.initial_skill_lo, ps.initial_skill_hi)))
                m.workers.append(w)
                m.hire(w, org)
                m.ledger.transfer(m.acct["founders"], org.account, po.initial_reserve_months * w.wage,
                                  "initial_reserves")
