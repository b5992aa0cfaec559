"""Who acts for a Party: django-guardian object permissions."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from guardian.shortcuts import assign_perm

from licensing.exceptions import PermissionDenied
from licensing.models.audit import Verb
from licensing.models.parties import Party
from licensing.services.audit import record_event


@transaction.atomic
def grant_party_access(*, party: Party, user: Any, by: Any) -> None:
    """An officer, or a user who already acts for the party, lets ``user`` act for it."""
    if not (by.has_perm("licensing.change_party") or by.has_perm("licensing.act_for_party", party)):
        raise PermissionDenied()
    assign_perm("licensing.act_for_party", user, party)
    record_event(party, verb=Verb.ACCESS_GRANTED, by=by, changes={"user": user.get_username()})
