"""The double-entry ledger: money is conserved, bad amounts are rejected, flows are tallied."""

from __future__ import annotations

import math

import numpy as np
import pytest

from model.ledger import Ledger


@pytest.fixture
def ledger() -> Ledger:
    lg = Ledger()
    lg.open("city", "city")
    lg.open("org:1", "organization")
    lg.open("landlords", "sink")
    return lg


def test_open_is_idempotent_and_grows(ledger):
    assert ledger.open("city", "city") == 0
    idx = [ledger.open(f"acct:{i}", "organization") for i in range(200)]
    assert idx == list(range(3, 203))
    ledger.transfer(0, idx[-1], 5.0, "x")
    assert ledger.get(idx[-1]) == 5.0 and ledger.total() == 0.0


def test_transfers_conserve_money(ledger, rng):
    names = [ledger.open(f"a{i}", "organization") for i in range(20)]
    expected = np.zeros(len(ledger.names))
    for _ in range(2000):
        src, dst = rng.choice(names, 2, replace=False)
        amount = float(rng.uniform(0, 1e6))
        ledger.transfer(int(src), int(dst), amount, "move")
        expected[src] -= amount
        expected[dst] += amount
    assert abs(ledger.total()) <= 1e-9 * np.abs(expected).sum()
    np.testing.assert_allclose(ledger.balance[: len(ledger.names)], expected, rtol=1e-12, atol=1e-6)


@pytest.mark.parametrize("amount", [-1.0, -1e-12, math.nan, math.inf, -math.inf])
def test_bad_amounts_rejected_and_nothing_moves(ledger, amount):
    with pytest.raises(ValueError, match="transfer of"):
        ledger.transfer(0, 1, amount, "bad")
    assert ledger.get(0) == 0.0 and ledger.get(1) == 0.0
    assert ledger.close_month() == {}


def test_zero_amount_moves_nothing(ledger):
    ledger.transfer(0, 1, 0.0, "nothing")
    assert ledger.get(1) == 0.0 and ledger.close_month() == {}


def test_flows_tallied_by_category_and_purpose(ledger):
    ledger.transfer(0, 1, 100.0, "contract")
    ledger.transfer(0, 1, 50.0, "contract")
    ledger.transfer(1, 2, 30.0, "rent")
    assert ledger.get(0) == -150.0 and ledger.get(1) == 120.0 and ledger.get(2) == 30.0
    flows = ledger.close_month()
    assert flows == {("city", "organization", "contract"): 150.0, ("organization", "sink", "rent"): 30.0}
    assert ledger.close_month() == {}, "close_month starts a new month"
    assert ledger.get(1) == 120.0, "closing the month keeps balances"


def _twin_ledgers():
    a, b = Ledger(), Ledger()
    for lg in (a, b):
        lg.open("donors", "donors")
        lg.open("sink", "sink")
        lg.open("fund:1", "committee_fund")
        for i in range(50):
            lg.open(f"org:{i}", "organization")
    return a, b


@pytest.mark.parametrize("size", [40, 200])  # moved one by one, over arrays
def test_transfer_many_is_exactly_transfers_in_order(rng, size):
    """Balances and flow sums equal, to the last bit, those of the same transfers one by one
    (amounts spread over many magnitudes, so any other summation order would show)."""
    one, many = _twin_ledgers()
    orgs = np.arange(3, 53)
    for _ in range(5):
        pick = rng.choice(orgs, size)  # repeated accounts too
        amounts = rng.lognormal(5, 4, size)
        amounts[rng.random(size) < 0.2] = 0.0
        for acct, x in zip(pick.tolist(), amounts.tolist()):
            one.transfer(0, acct, x, "donation")
        many.transfer_many(0, pick, amounts, "donation")
        mixed = np.append(pick[:10], 2)  # an array side of two categories
        for acct, x in zip(mixed.tolist(), amounts[:11].tolist()):
            one.transfer(acct, 1, x, "rent")
        many.transfer_many(mixed, 1, amounts[:11], "rent")
    assert one.balance.tolist() == many.balance.tolist()
    assert one.close_month() == many.close_month()


@pytest.mark.parametrize("size", [1, 10, 64, 65, 300])
def test_transfer_many_between_two_accounts_is_exactly_transfers_in_order(rng, size):
    """One payer and one payee (the short path), a few amounts (added in a Python loop) or
    many (a cumulative sum): balances and flows to the last bit as one transfer at a time."""
    one, many = _twin_ledgers()
    for _ in range(3):
        amounts = rng.lognormal(5, 4, size)
        amounts[rng.random(size) < 0.2] = 0.0
        for x in amounts.tolist():
            one.transfer(0, 3, x, "donation")
        many.transfer_many(0, 3, amounts, "donation")
    assert one.balance.tolist() == many.balance.tolist()
    assert one.close_month() == many.close_month()


@pytest.mark.parametrize("size", [2, 100])  # moved one by one, over arrays
def test_transfer_many_rejects_a_bad_amount_and_moves_nothing(size):
    lg, _ = _twin_ledgers()
    for bad in (-1.0, math.nan, math.inf):
        amounts = np.full(size, 5.0)
        amounts[-1] = bad
        with pytest.raises(ValueError, match="transfer of"):
            lg.transfer_many(0, np.arange(size) % 2 + 3, amounts, "bad")
    assert not lg.balance.any() and lg.close_month() == {}


def test_transfer_many_of_zeros_records_no_flow():
    lg, _ = _twin_ledgers()
    lg.transfer_many(0, np.array([3, 4]), np.zeros(2), "nothing")
    lg.transfer_many(0, np.array([], dtype=np.int64), np.zeros(0), "nothing")
    assert not lg.balance.any() and lg.close_month() == {}


@pytest.mark.parametrize("size", [2, 100])  # moved one by one, over arrays
def test_transfer_many_refuses_an_account_on_both_sides(size):
    lg, _ = _twin_ledgers()
    with pytest.raises(ValueError, match="both payer and payee"):
        lg.transfer_many(3, np.arange(size) % 2 + 3, np.ones(size), "self")
    with pytest.raises(ValueError, match="both payer and payee"):
        lg.transfer_many(np.arange(size) % 2 + 3, 4, np.ones(size), "self")
    assert not lg.balance.any()


def test_each_category_changes_by_its_flows_every_month(ledger):
    """Money in = money out + change in reserves, per category of accounts, checked at each close."""
    city, org, sink = 0, 1, 2
    ledger.transfer(city, org, 1_000.0, "contract")
    ledger.transfer(org, sink, 400.0, "rent")
    flows = ledger.close_month()
    assert ledger.category_balances()["organization"] == pytest.approx(600.0)
    assert flows[("organization", "sink", "rent")] == 400.0
    ledger.transfer(org, sink, 100.0, "rent")
    ledger.close_month()  # consistent: no error
    ledger.balance[org] += 50.0  # money appearing outside any transfer
    ledger.balance[city] -= 50.0  # (the total still sums to zero)
    with pytest.raises(AssertionError, match="(city|organization) accounts changed by -?50.00"):
        ledger.close_month()
