"""Community types: which committees are old lanes, work-unit estates, commodity estates,
resettlement estates or fringe villages, and what that means for their residents.

The types and their profiles are in the register (``params.COMMUNITY_TYPES``,
``parameters.community_types``); the world's mix is ``[world] types`` (share of committees
by type, the same in every street). Rules:

* assignment (``assign_types``): in each street the committees of each type are the mix
  times the street's committees, whole numbers by largest remainder, placed in random order;
* population (``group_share_matrix``): a type's share of each resident group is the city
  share times the type's factor, ``others`` the remainder (named shares over 1 in all are scaled to 1);
* needs (``need_rate_tensor``): every group's monthly need rate of a kind times the type's
  factor for that kind;
* the factors read per committee (``TypeArrays``): initial trust offset, participation,
  administrative burden and space for micro-projects.

Layout: ``type_index``, ``assign_types``, ``group_share_matrix``, ``need_rate_tensor``,
``TypeArrays``, ``type_arrays``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .params import COMMUNITY_TYPES, GROUPS, NEED_KINDS, Parameters


def type_index(name: str) -> int:
    """The position of a community type in ``COMMUNITY_TYPES``."""
    return COMMUNITY_TYPES.index(name)


def assign_types(mix: dict[str, float], n_streets: int, per_street: int, rng: np.random.Generator) -> np.ndarray:
    """Rule: in each street, committees per type = mix share x committees, rounded down, the
    committees left over going to the types with the largest remainders (ties: the order of
    ``COMMUNITY_TYPES``); the street's committees take these types in a random order (one
    permutation per street; none is drawn when the mix has one type). Returns each
    committee's type index (streets' committees consecutive)."""
    shares = np.array([mix.get(t, 0.0) for t in COMMUNITY_TYPES], dtype=np.float64)
    want = shares / shares.sum() * per_street
    counts = np.floor(want).astype(np.int64)
    left = per_street - int(counts.sum())
    if left > 0:
        order = np.lexsort((np.arange(want.size), -(want - counts)))
        counts[order[:left]] += 1
    pattern = np.repeat(np.arange(len(COMMUNITY_TYPES), dtype=np.int64), counts)
    if np.count_nonzero(counts) == 1:
        return np.tile(pattern, n_streets)
    return np.concatenate([pattern[rng.permutation(per_street)] for _ in range(n_streets)])


def group_share_matrix(p: Parameters, scale: dict[int, float] | None = None) -> np.ndarray:
    """Rule: a community type's share of each resident group is the city share
    (``residents.group_shares``; times ``scale[g]`` for a group following a series,
    ``ageing``) times the type's group factor, ``others`` the remainder; where the named
    groups' shares add up to more than 1 they are scaled to add up to 1 and ``others`` is 0.
    Returns the (types x groups) shares."""
    city = np.array([getattr(p.residents.group_shares, g) for g in GROUPS[:-1]], dtype=np.float64)
    for g, f in (scale or {}).items():
        city[g] *= f
    out = np.empty((len(COMMUNITY_TYPES), len(GROUPS)))
    for t, name in enumerate(COMMUNITY_TYPES):
        f = getattr(p.community_types, name).groups
        row = city * np.array([getattr(f, g) for g in GROUPS[:-1]], dtype=np.float64)
        total = row.sum()
        out[t, :-1] = row / total if total > 1.0 else row
        out[t, -1] = max(0.0, 1.0 - total)
    return out


def need_rate_tensor(p: Parameters, rates: np.ndarray) -> np.ndarray:
    """Rule: in a committee of a community type, every group's monthly need rate of a kind is
    its rate (``rates``: groups x kinds) times the type's factor for the kind. Returns the
    (types x groups x kinds) rates."""
    f = np.array([[getattr(getattr(p.community_types, name).needs, k) for k in NEED_KINDS]
                  for name in COMMUNITY_TYPES], dtype=np.float64)
    return rates[None, :, :] * f[:, None, :]


class TypeArrays(NamedTuple):
    """Each type's trust offset, participation, administrative and space factors (type order)."""

    trust_offset: np.ndarray
    participation: np.ndarray
    admin: np.ndarray
    space: np.ndarray


def type_arrays(p: Parameters) -> TypeArrays:
    """The community types' scalar factors as arrays indexed by type."""
    profiles = [getattr(p.community_types, name) for name in COMMUNITY_TYPES]
    return TypeArrays(*(np.array([getattr(tp, f) for tp in profiles], dtype=np.float64)
                        for f in ("trust_offset", "participation_factor", "admin_factor", "space_factor")))
