"""The money of a filing: the bank accounts to be used in the licensed transactions
(Art. 6.3(b)(vii))."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction

from licensing.models.applications import Application
from licensing.models.parties import BankAccount, Party
from licensing.services.drafts.common import save_owned_step


@transaction.atomic
def save_bank_accounts(
    *,
    party: Party,
    application: Application | None,
    rows: list[BankAccount],
    by: Any,
    removed: Sequence[BankAccount] = (),
) -> None:
    """Art. 6.3(b)(vii): the accounts, all of them or none; a removed one is ended."""
    save_owned_step(
        step="bank", party=party, application=application, rows=rows, removed=removed, by=by
    )


__all__ = ["save_bank_accounts"]
