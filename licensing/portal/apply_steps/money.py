"""The step of the money: bank accounts (Art. 6.3(b)(vii))."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from licensing.portal import apply_forms as f
from licensing.portal.apply_steps.base import (
    ApplicationStep,
    Part,
    formset_part,
    save_owned,
)
from licensing.portal.filing import Filing
from licensing.services import draft_records, drafts


class Bank(ApplicationStep):
    slug = "bank"
    title = _("Bank accounts")
    hint = _("Art. 6.3(b)(vii): the accounts to be used in the licensed transactions.")

    def parts(self, filing: Filing, data: Any = None, files: Any = None) -> list[Part]:
        qs = draft_records.bank_accounts(filing.party, filing.application).order_by("pk")
        formset = f.BankAccountFormSet(data, queryset=qs, prefix="bank")
        # A bank account, not a user account (Hungarian "Számla", not "Fiók").
        return [formset_part(formset, pgettext_lazy("bank account", "Account"))]

    def save(self, filing: Filing, parts: list[Part], by: Any) -> Filing:
        return save_owned(drafts.save_bank_accounts, filing, parts, by)
