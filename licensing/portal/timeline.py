"""An application's history as the applicant sees it, from the audit trail.

Officers are never named: their steps are "the authority's". The applicant's own users are
named ("you" for the reader). Internal steps (decision proposals and their rejection, the
assignment of an officer) are left out, and officers' notes are shown only where the
applicant was told them anyway (the question asked, the reason for a refusal).

Preparing a draft saves it at every step, each save an edit in the audit trail: the applicant's
own edits before submission are shown as one "Application prepared" entry per run of edits by
the same user, at the time of the last."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from licensing.models import Application, PartyUserObjectPermission, Verb
from licensing.trail import audit_trail

HIDDEN = frozenset({Verb.DECISION_PROPOSED, Verb.PROPOSAL_REJECTED, Verb.ASSIGNED})

# Reasons the applicant sees: its own words, and what the authority wrote to it.
SHOWN_REASONS = frozenset(
    {Verb.INFORMATION_REQUESTED, Verb.INFORMATION_PROVIDED, Verb.REFUSED, Verb.WITHDRAWN}
)

LABELS: dict[str, Any] = {
    Verb.CREATED: _("Application started"),
    Verb.EDITED: _("Application details updated"),
    Verb.SUBMITTED: _("Application submitted"),
    Verb.INVOICE_ISSUED: _("Fee invoice issued"),
    Verb.PAYMENT_RECORDED: _("Payment recorded"),
    Verb.REVIEW_STARTED: _("Review started"),
    Verb.INFORMATION_REQUESTED: _("Information requested"),
    Verb.INFORMATION_PROVIDED: _("Information provided"),
    Verb.CONDITION_MET: _("Condition met"),
    Verb.APPROVED: _("Application approved"),
    Verb.REFUSED: _("Application refused"),
    Verb.WITHDRAWN: _("Application withdrawn"),
    # The only documents printed about an application are its refusal letters (Art. 6).
    Verb.DOCUMENT_ISSUED: _("Decision letter issued"),
    Verb.DOCUMENT_REPRINTED: _("Decision letter reprinted"),
}

# The applicant's own edits of its draft, however many saves they took.
PREPARED = _("Application prepared")


@dataclass(frozen=True)
class Entry:
    at: dt.datetime
    label: Any
    actor: Any
    reason: str


def _party_user_ids(application: Application) -> set[int]:
    return set(
        PartyUserObjectPermission.objects.filter(
            content_object=application.party,
            permission__codename="act_for_party",
            user__is_staff=False,
        ).values_list("user_id", flat=True)
    )


def _actor(event: Any, reader: Any, party_users: set[int]) -> Any:
    actor = event.actor
    if actor is None or actor.is_staff or actor.pk not in party_users:
        return _("the authority")
    if actor.pk == reader.pk:
        # The object of "by ...": Norwegian "av deg", not the subject form "du".
        return pgettext_lazy("who did it, after 'by'", "you")
    return actor.get_full_name() or actor.get_username()


def timeline(application: Application, reader: Any) -> list[Entry]:
    party_users = _party_user_ids(application)
    entries: list[Entry] = []
    submitted = False
    preparing: int | None = None  # the user whose draft edits the last entry stands for
    for event in audit_trail(application):
        if event.verb in HIDDEN:
            continue
        submitted = submitted or event.verb == Verb.SUBMITTED
        if event.verb == Verb.EDITED and not submitted and event.actor_id in party_users:
            entry = Entry(
                at=event.at,
                label=PREPARED,
                actor=_actor(event, reader, party_users),
                reason="",
            )
            if preparing == event.actor_id:
                entries[-1] = entry  # the same run of edits: its time is the last one's
            else:
                entries.append(entry)
            preparing = event.actor_id
            continue
        preparing = None
        entries.append(
            Entry(
                at=event.at,
                label=LABELS.get(event.verb, event.get_verb_display()),
                actor=_actor(event, reader, party_users),
                reason=event.reason if event.verb in SHOWN_REASONS else "",
            )
        )
    return entries
