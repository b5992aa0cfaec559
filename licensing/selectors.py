"""Functions that read. Every list a user sees goes through these, so that an applicant sees
only the parties it acts for (django-guardian object permissions) and officers see all."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from guardian.shortcuts import get_objects_for_user

from licensing.models import (
    Application,
    ApplicationState,
    AuditEvent,
    Licence,
    LicenceState,
    Party,
    TaxRegistration,
)


def visible_parties(user: Any) -> QuerySet[Party]:
    if user.has_perm("licensing.view_party"):
        return Party.objects.all()
    return get_objects_for_user(
        user, "licensing.act_for_party", klass=Party, accept_global_perms=False
    )


def acting_parties(user: Any) -> QuerySet[Party]:
    """The parties this user acts for through the object permission, and no others: an
    officer's global view permission does not make the officer an applicant (the portal)."""
    if not user.is_authenticated:
        return Party.objects.none()
    return get_objects_for_user(
        user,
        "licensing.act_for_party",
        klass=Party,
        accept_global_perms=False,
        with_superuser=False,
    )


def parties_matching(term: str) -> QuerySet[Party]:
    """Parties by a part of their legal or trade name, or their whole registration or tax
    number: what an officer types in a search box."""
    term = term.strip()
    return Party.objects.filter(
        Q(legal_name__icontains=term)
        | Q(trade_name__icontains=term)
        | Q(registration_number__iexact=term)
        | Q(pk__in=TaxRegistration.objects.filter(number__iexact=term).values("party_id"))
    )


def matching_party_ids(term: str, limit: int = 1000) -> list[int] | QuerySet[Party, Any]:
    """The ids of ``parties_matching(term)``, fetched first when there are few: the planner
    cannot estimate a name pattern, and a guess of "half the parties" made it walk every
    licence in list order looking for the few that match."""
    matching = parties_matching(term)
    ids = list(matching.values_list("pk", flat=True)[: limit + 1])
    return ids if len(ids) <= limit else matching.values("pk")


def visible_applications(user: Any) -> QuerySet[Application]:
    if user.has_perm("licensing.view_application"):
        return Application.objects.all()
    return Application.objects.filter(party__in=visible_parties(user))


def visible_licences(user: Any) -> QuerySet[Licence]:
    if user.has_perm("licensing.view_licence"):
        return Licence.objects.all()
    return Licence.objects.filter(holder__in=visible_parties(user))


def officer_queue(user: Any) -> QuerySet[Application]:
    """Open applications: this officer's own first, then the unassigned, oldest first."""
    return (
        visible_applications(user)
        .filter(
            state__in=[
                ApplicationState.SUBMITTED,
                ApplicationState.IN_REVIEW,
                ApplicationState.INFORMATION_REQUESTED,
            ]
        )
        .filter(Q(assigned_officer=user) | Q(assigned_officer__isnull=True))
        .order_by("submitted_at")
    )


def overdue_information_requests(today: dt.date | None = None) -> QuerySet[Application]:
    today = today or timezone.localdate()
    return Application.objects.filter(
        state=ApplicationState.INFORMATION_REQUESTED,
        information_requests__answered_at__isnull=True,
        information_requests__due_on__lt=today,
    ).distinct()


def expiring(start: dt.date, end: dt.date) -> Q:
    """Active licences whose term ends in [start, end): the partial index answers it."""
    return Q(state=LicenceState.ACTIVE, expires_on__gte=start, expires_on__lt=end)


def licences_expiring(start: dt.date, end: dt.date) -> QuerySet[Licence]:
    return Licence.objects.filter(expiring(start, end))


def audit_trail(obj: Any) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.for_object(obj).select_related("actor")
