"""Ledger postings of stock movements, at the items' standard cost: units arriving or counted
(inventory against goods received, adjustments or opening balances), units shipped (cost of
goods sold against inventory), and a standard cost changed on units on hand (a revaluation).
Each posts in the transaction of the movement, so the inventory account always equals the
value of the stock on hand."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

from ordoflow.application.ports import UnitOfWork
from ordoflow.domain.ledger import Account, JournalEntry, credit, debit
from ordoflow.domain.masterdata import Item
from ordoflow.domain.values import CurrencyCode, Sku


def stock_moved(
    uow: UnitOfWork,
    document: tuple[str, str],
    at: datetime,
    units: Mapping[Sku, int],
    counter: Account,
    *,
    account: Account = Account.INVENTORY,
) -> None:
    """Post units in (positive) or out (negative) of `account` (inventory) against `counter`,
    at standard cost, one entry per currency of the items' costs."""
    items = uow.records.get_many(Item, [(sku,) for sku in units])
    values: dict[CurrencyCode, Decimal] = {}
    for sku, qty in units.items():
        item = items.get((sku,))
        if item is not None and qty:
            values[item.currency] = values.get(item.currency, Decimal(0)) + item.standard_cost * qty
    for currency, value in sorted(values.items()):
        doc_id = document[1] if len(values) == 1 else f"{document[1]}/{currency}"
        memo = f"{document[0].replace('_', ' ')} {document[1]}"
        lines = [debit(account, value), credit(counter, value)]
        entry = JournalEntry.of((document[0], doc_id), currency, at, memo, lines)
        if entry is not None:
            uow.ledger.post(entry)


def stock_counted(uow: UnitOfWork, at: datetime, sku: Sku, site: str, change: int) -> None:
    """Stock set by hand or by an import: the difference against opening balances."""
    document = ("stock_count", f"{sku}@{site}/{secrets.token_hex(4)}")
    stock_moved(uow, document, at, {sku: change}, Account.OPENING_BALANCE)


def revalued(uow: UnitOfWork, at: datetime, before: Item, after: Item, on_hand: int) -> None:
    """A standard cost changed: the units on hand are worth the difference more (or less)."""
    change = (after.standard_cost - before.standard_cost) * on_hand
    entry = JournalEntry.of(("revaluation", f"{after.sku}/{secrets.token_hex(4)}"),
                            after.currency, at, f"standard cost of {after.sku} changed",
                            [debit(Account.INVENTORY, change),
                             credit(Account.INVENTORY_ADJUSTMENT, change)])  # fmt: skip
    if entry is not None:
        uow.ledger.post(entry)


__all__ = ["revalued", "stock_counted", "stock_moved"]
