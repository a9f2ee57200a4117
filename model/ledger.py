"""Double-entry money accounts: every yuan moves from one account to another.

Rule: money is never created or destroyed inside the model. External sources
(city and district finance, the welfare-lottery fund, foundations' donors,
residents) and sinks (landlords, utility companies, wages paid out) are
accounts too; a source's balance goes negative by what it has paid. So the
sum of all balances is zero at every instant (the money invariant), and
each organization's reserves are its own account's balance.

Flows are also tallied per month by (payer category, purpose) for the
spending outcomes and the cost accounting by source.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

_SHORT = 64
"""Up to this many amounts, ``Ledger.transfer_many`` moves them one by one and
``_sequential_sum`` adds them in a Python loop (faster than numpy's call overhead for so
few; the same left-to-right sums)."""
_INF = float("inf")


class Ledger:
    """Balances of all accounts and the flows of the current month."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.category: list[str] = []
        self._index: dict[str, int] = {}
        self.balance = np.zeros(64, dtype=np.float64)
        self._codes: list[int] = []  # category code of each account
        self._code_of: dict[str, int] = {}
        self._codes_arr: np.ndarray | None = None  # cached array of _codes
        self.month_flows: dict[tuple[str, str, str], float] = defaultdict(float)
        self._month_start: dict[str, float] = {}  # balance of each category when the month began

    def open(self, name: str, category: str) -> int:
        """Open an account (or return the existing one of that name)."""
        idx = self._index.get(name)
        if idx is not None:
            return idx
        idx = len(self.names)
        self.names.append(name)
        self.category.append(category)
        self._index[name] = idx
        self._codes.append(self._code_of.setdefault(category, len(self._code_of)))
        self._codes_arr = None
        if idx >= self.balance.size:
            self.balance = np.concatenate([self.balance, np.zeros(self.balance.size)])
        return idx

    def transfer(self, src: int, dst: int, amount: float, purpose: str) -> None:
        """Move ``amount`` yuan (finite, >= 0) from ``src`` to ``dst``."""
        if not 0.0 <= amount < float("inf"):  # rejects negative, NaN and infinite amounts
            raise ValueError(f"transfer of {amount} yuan ({purpose})")
        if amount == 0.0:
            return
        self.balance[src] -= amount
        self.balance[dst] += amount
        self.month_flows[(self.category[src], self.category[dst], purpose)] += amount

    def transfer_many(self, src: int | np.ndarray, dst: int | np.ndarray, amounts: np.ndarray,
                      purpose: str) -> None:
        """Many transfers of one purpose at once, with exactly the result of calling
        :meth:`transfer` for each element in order (same balances, same flow sums to the
        last bit): ``src`` and ``dst`` are account indices or arrays of them (one element
        per amount). No account may be on both sides (debits are posted before credits).
        All amounts are checked first; a bad one moves nothing. Up to ``_SHORT`` amounts
        are moved one by one (:meth:`_transfer_each`), more over arrays."""
        amounts = np.asarray(amounts, dtype=np.float64)
        if amounts.size <= _SHORT:
            self._transfer_each(src, dst, amounts, purpose)
            return
        one_src, one_dst = np.isscalar(src), np.isscalar(dst)
        if (np.any(np.asarray(dst) == src) if one_src else
                np.any(np.asarray(src) == dst) if one_dst else np.intersect1d(src, dst).size):
            raise ValueError(f"transfer_many ({purpose}): an account is both payer and payee")
        ok = (amounts >= 0.0) & (amounts < np.inf)
        if not ok.all():
            raise ValueError(f"transfer of {amounts[~ok][0]} yuan ({purpose})")
        moving = amounts != 0.0
        if not moving.all():
            amounts = amounts[moving]
            src = src if one_src else np.asarray(src)[moving]
            dst = dst if one_dst else np.asarray(dst)[moving]
        if amounts.size == 0:
            return
        self._post(src, -amounts)
        self._post(dst, amounts)
        self._add_flows(src, dst, amounts, purpose)

    def _transfer_each(self, src: int | np.ndarray, dst: int | np.ndarray, amounts: np.ndarray,
                       purpose: str) -> None:
        """:meth:`transfer_many` for a few amounts, in Python: the same checks, then each
        amount moved as :meth:`transfer` moves it."""
        values = amounts.reshape(-1).tolist()
        one_src, one_dst = np.isscalar(src), np.isscalar(dst)
        srcs = [src] * len(values) if one_src else np.asarray(src).tolist()
        dsts = [dst] * len(values) if one_dst else np.asarray(dst).tolist()
        if not ({src} if one_src else set(srcs)).isdisjoint([dst] if one_dst else dsts):
            raise ValueError(f"transfer_many ({purpose}): an account is both payer and payee")
        for x in values:
            if not 0.0 <= x < _INF:  # rejects negative, NaN and infinite amounts
                raise ValueError(f"transfer of {x} yuan ({purpose})")
        balance, category, flows = self.balance, self.category, self.month_flows
        for s, d, x in zip(srcs, dsts, values, strict=True):
            if x != 0.0:
                balance[s] -= x
                balance[d] += x
                flows[(category[s], category[d], purpose)] += x

    def _add_flows(self, src: int | np.ndarray, dst: int | np.ndarray, amounts: np.ndarray, purpose: str) -> None:
        """Add ``amounts`` to the month's flows by (payer category, payee category, purpose),
        each pair's amounts in order, the pairs in order of first use."""
        if self._codes_arr is None:
            self._codes_arr = np.array(self._codes, dtype=np.int64)
        names = list(self._code_of)
        src_code = np.full(amounts.size, self._codes[src]) if np.isscalar(src) else self._codes_arr[src]
        dst_code = np.full(amounts.size, self._codes[dst]) if np.isscalar(dst) else self._codes_arr[dst]
        pair = src_code * len(names) + dst_code
        codes = list(dict.fromkeys(pair.tolist()))  # each (category, category) pair in order of first use
        for code in codes:
            part = amounts if len(codes) == 1 else amounts[pair == code]
            key = (names[code // len(names)], names[code % len(names)], purpose)
            self.month_flows[key] = _sequential_sum(self.month_flows[key], part)

    def _post(self, accounts: int | np.ndarray, signed: np.ndarray) -> None:
        """Add signed amounts to balances, each account's additions in order."""
        if np.isscalar(accounts):
            self.balance[accounts] = _sequential_sum(float(self.balance[accounts]), signed)
        else:
            np.add.at(self.balance, np.asarray(accounts, dtype=np.int64), signed)

    def total(self) -> float:
        """Sum of all balances: zero up to rounding (the money invariant)."""
        return float(self.balance[: len(self.names)].sum())

    def get(self, idx: int) -> float:
        """Balance of one account."""
        return float(self.balance[idx])

    def category_balances(self) -> dict[str, float]:
        """Sum of the balances of each category's accounts (e.g. all organizations' reserves)."""
        if self._codes_arr is None:
            self._codes_arr = np.array(self._codes, dtype=np.int64)
        sums = np.bincount(self._codes_arr, weights=self.balance[: len(self.names)], minlength=len(self._code_of))
        return {name: float(sums[code]) for name, code in self._code_of.items()}

    def check_month(self) -> None:
        """Raise AssertionError unless, for every category of accounts, its balance at the start
        of the month plus the month's flows in minus the flows out equals its balance now
        (money in = money out + change in reserves, e.g. for the organizations together)."""
        now = self.category_balances()
        net = dict.fromkeys(now, 0.0)
        volume = dict.fromkeys(now, 0.0)
        for (src, dst, _purpose), v in self.month_flows.items():
            net[src] -= v
            net[dst] += v
            volume[src] += v
            volume[dst] += v
        for cat, bal in now.items():
            start = self._month_start.get(cat, 0.0)
            gap = bal - start - net[cat]
            if not abs(gap) <= 1e-9 * max(1.0, volume[cat], abs(bal), abs(start)):
                raise AssertionError(f"ledger: the {cat} accounts changed by {bal - start:.2f} yuan this month "
                                     f"but their flows net {net[cat]:.2f}")

    def close_month(self) -> dict[tuple[str, str, str], float]:
        """Check the month's flows against the change in balances (``check_month``), return them
        in sorted key order and start a new month. (Sums over the flows then do not depend on
        the order in which the phases first posted each kind of flow.)"""
        self.check_month()
        flows = dict(sorted(self.month_flows.items()))
        self.month_flows = defaultdict(float)
        self._month_start = self.category_balances()
        return flows


def _sequential_sum(start: float, values: np.ndarray) -> float:
    """start + v0 + v1 + ..., added left to right (as repeated ``+=`` would; ``np.sum``
    adds pairwise and may differ in the last bits): a Python loop for a few values, a
    cumulative sum (also left to right) for many."""
    if values.size <= _SHORT:
        acc = start
        for v in values.tolist():
            acc += v
        return acc
    acc_arr = np.empty(values.size + 1)
    acc_arr[0] = start
    acc_arr[1:] = values
    return float(np.cumsum(acc_arr)[-1])

