"""What every draft step shares: the guard, validation, ending a row and the step's event."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from licensing.exceptions import PermissionDenied, TransitionNotAllowed
from licensing.models.applications import Application, ApplicationState
from licensing.models.audit import Verb
from licensing.models.parties import Party
from licensing.services.audit import record_event
from licensing.services.common import locked
from licensing.services.proposals import direct, propose_end, propose_row


class ApplicationNeeded(TransitionNotAllowed):
    # Art. 6.3(g): a licensed party's information changes only through an application that
    # the authority decides.
    default_message = _(
        "Choose the activities first: changes to a licensed applicant's information are "
        "proposed in an application."
    )


def guard(*, party: Party, application: Application | None, by: Any) -> Application | None:
    """The object permission on the party, and a draft that is still a draft (locked). A party
    the authority has approved is changed only within a draft."""
    if not by.has_perm("licensing.act_for_party", party):
        raise PermissionDenied()
    if application is None:
        if not direct(party):
            raise ApplicationNeeded()
        return None
    current = locked(Application, application.pk)
    if current.party_id != party.pk:
        raise PermissionDenied()
    if current.state != ApplicationState.DRAFT:
        raise TransitionNotAllowed(_("Only a draft can be changed."))
    return current


def full_clean(obj: models.Model, exclude: Iterable[str] = ()) -> None:
    obj.full_clean(exclude=list(exclude))


def step_event(subject: models.Model, *, by: Any, step: str, **changes: Any) -> None:
    record_event(subject, verb=Verb.EDITED, by=by, changes={"step": step, **changes})


def event_subject(party: Party, application: Application | None) -> models.Model:
    """Whose trail tells of a party step: the draft's, where the step proposes changes of a
    licensed party; the party's own, where it writes a party not yet approved."""
    if application is None or direct(party):
        return party
    return application


def end_now(row: Any) -> None:
    """Art. 9.5(a): a removed record is ended and kept."""
    row.ended_at = timezone.now()


def save_owned_rows(
    *,
    party: Party,
    application: Application | None,
    rows: list[Any],
    removed: Sequence[Any],
    end: Any = end_now,
) -> tuple[int, int]:
    """Rows that belong to the party (tax numbers, bank accounts, persons): each saved, or
    proposed, for this party, all of them or none. The ``removed`` ones are ended first, so
    that a tax number for the country of a removed one may be given in the same step. Returns
    how many were saved and ended."""
    for row in [*rows, *removed]:
        if not row._state.adding and row.party_id != party.pk:
            raise PermissionDenied()
    ended = 0
    for row in removed:
        if row.pk and getattr(row, "ended_at", None) is None:
            propose_end(row, party=party, application=application, end=end)
            ended += 1
    saved = 0
    for row in rows:
        row.party = party
        if propose_row(row, party=party, application=application, clean=full_clean) is not None:
            saved += 1
    return saved, ended


def save_owned_step(
    *,
    step: str,
    party: Party,
    application: Application | None,
    rows: list[Any],
    removed: Sequence[Any],
    by: Any,
) -> None:
    """A step of rows the party owns (tax numbers, bank accounts): guarded, saved or proposed,
    the removed ones ended, and one event naming the step and the counts (never the values)."""
    current = guard(party=party, application=application, by=by)
    saved, ended = save_owned_rows(party=party, application=current, rows=rows, removed=removed)
    if saved or ended:
        step_event(event_subject(party, current), by=by, step=step, records=saved, removed=ended)
