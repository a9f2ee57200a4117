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


class Ledger:
    """Balances of all accounts and the flows of the current month."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.category: list[str] = []
        self._index: dict[str, int] = {}
        self.balance = np.zeros(64, dtype=np.float64)
        self.month_flows: dict[tuple[str, str, str], float] = defaultdict(float)

    def open(self, name: str, category: str) -> int:
        """Open an account (or return the existing one of that name)."""
        idx = self._index.get(name)
        if idx is not None:
            return idx
        idx = len(self.names)
        self.names.append(name)
        self.category.append(category)
        self._index[name] = idx
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

    def total(self) -> float:
        """Sum of all balances: zero up to rounding (the money invariant)."""
        return float(self.balance[: len(self.names)].sum())

    def get(self, idx: int) -> float:
        """Balance of one account."""
        return float(self.balance[idx])

    def close_month(self) -> dict[tuple[str, str, str], float]:
        """Return this month's flows and start a new month."""
        flows = dict(self.month_flows)
        self.month_flows = defaultdict(float)
        return flows
