"""Reads for the filing pages: which filing a URL names, and the user's drafts. A filing is a
draft application, or (before its activities are chosen) a party without one; see the module
docstring of ``licensing.services.drafts``."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.http import Http404

from licensing.models import Application, ApplicationKind, ApplicationState, Party
from licensing.selectors import acting_parties


@dataclass
class Filing:
    party: Party
    application: Application | None

    @property
    def public_id(self) -> uuid.UUID:
        return (self.application or self.party).public_id

    @property
    def kind(self) -> str:
        return self.application.kind if self.application else ApplicationKind.NEW


def filing_for(user: Any, public_id: uuid.UUID) -> Filing:
    """The filing named by ``public_id`` (an application's or, before it exists, a party's),
    or 404 when the user does not act for it or it is no longer a draft."""
    parties = acting_parties(user)
    application = (
        Application.objects.select_related("party", "licence")
        .filter(public_id=public_id, party__in=parties)
        .first()
    )
    if application is not None:
        if application.state != ApplicationState.DRAFT:
            raise Http404()
        return Filing(application.party, application)
    party = parties.filter(public_id=public_id).first()
    if party is None:
        raise Http404()
    # A party's new-licence draft, if it has one, is the filing.
    draft = party.applications.filter(
        kind=ApplicationKind.NEW, state=ApplicationState.DRAFT
    ).first()
    return Filing(party, draft)


def drafts_of(user: Any) -> list[Filing]:
    """Draft applications of the user's parties, and parties first filed with no application
    yet (a filing stopped before its activities were chosen)."""
    parties = acting_parties(user)
    drafts = (
        Application.objects.filter(party__in=parties, state=ApplicationState.DRAFT)
        .select_related("party", "licence")
        .order_by("-updated_at")
    )
    # A licensed party is no filing of its own: its changes start with a draft application.
    early = parties.filter(applications__isnull=True, approved_at__isnull=True).order_by(
        "-updated_at"
    )
    return [Filing(a.party, a) for a in drafts] + [Filing(p, None) for p in early]


def submitted_application(user: Any, public_id: uuid.UUID) -> Application:
    application = (
        Application.objects.filter(public_id=public_id, party__in=acting_parties(user))
        .exclude(state=ApplicationState.DRAFT)
        .first()
    )
    if application is None:
        raise Http404()
    return application
