"""The money of a filing: the bank accounts to be used in the licensed transactions
(Art. 6.3(b)(vii))."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction

from licensing.models.applications import Application
from licensing.models.parties import BankAccount, Party
from licensing.services.drafts.common import event_subject, guard, save_owned_rows, step_event


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
    current = guard(party=party, application=application, by=by)
    saved, ended = save_owned_rows(party=party, application=current, rows=rows, removed=removed)
    if saved or ended:
        step_event(event_subject(party, current), by=by, step="bank", records=saved, removed=ended)


__all__ = ["save_bank_accounts"]
