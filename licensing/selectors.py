"""Functions that read. Every list a user sees goes through these, so that an applicant sees
only the parties it acts for (django-guardian object permissions) and officers see all."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import F, Q, QuerySet
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan
from django.utils import timezone

from licensing.models import (
    Application,
    ApplicationState,
    Licence,
    LicenceState,
    Party,
    PartyGroupObjectPermission,
    PartyUserObjectPermission,
    TaxRegistration,
)
from licensing.models.applications import OPEN_STATES


def _granted_parties(user: Any) -> QuerySet[Party]:
    """The parties granted to this user, or to one of its groups, by the object permission
    ``licensing.act_for_party``: one UNION of the two grant tables. guardian's
    get_objects_for_user ORs two subqueries instead, and the planner then read every party, and
    through the portal's lists every licence (0.3 to 1 s a page at 1M licences)."""
    if not user.is_authenticated:
        return Party.objects.none()
    grant = {
        "permission__codename": "act_for_party",
        "permission__content_type": ContentType.objects.get_for_model(Party),
    }
    by_user = PartyUserObjectPermission.objects.filter(user=user, **grant)
    by_group = PartyGroupObjectPermission.objects.filter(group__user=user, **grant)
    return Party.objects.filter(
        pk__in=by_user.values("content_object_id")
        .order_by()
        .union(by_group.values("content_object_id").order_by())
    )


def visible_parties(user: Any) -> QuerySet[Party]:
    if user.has_perm("licensing.view_party"):
        return Party.objects.all()
    return _granted_parties(user)


def acting_parties(user: Any) -> QuerySet[Party]:
    """The parties this user acts for through the object permission, and no others: an
    officer's global view permission does not make the officer an applicant (the portal)."""
    return _granted_parties(user)


def _by_name_or_registration(term: str) -> Q:
    return (
        Q(legal_name__icontains=term)
        | Q(trade_name__icontains=term)
        | Q(registration_number__iexact=term)
    )


def parties_matching(term: str) -> QuerySet[Party]:
    """Parties by a part of their legal or trade name, or their whole registration or tax
    number: what an officer types in a search box."""
    term = term.strip()
    # Unordered: in the parties' default order (legal_name) the planner walked the name index
    # over every party looking for matches; the trigram indexes of migration 0030 find them.
    return Party.objects.filter(
        _by_name_or_registration(term)
        | Q(pk__in=TaxRegistration.objects.filter(number__iexact=term).values("party_id"))
    ).order_by()


def matching_party_ids(term: str, limit: int = 1000) -> list[int] | QuerySet[Party, Any]:
    """The ids of ``parties_matching(term)``, fetched first when there are few: the planner
    cannot estimate a name pattern, and a guess of "half the parties" made it walk every
    licence in list order looking for the few that match. One query, a UNION: the names and
    registration number through their indexes, the tax numbers through theirs (OR'd with the
    tax numbers' subquery, the planner read every party instead)."""
    term = term.strip()
    by_tax = TaxRegistration.objects.filter(number__iexact=term).order_by()
    ids = list(
        Party.objects.filter(_by_name_or_registration(term))
        .order_by()
        .values_list("pk", flat=True)
        .union(by_tax.values_list("party_id", flat=True))[: limit + 1]
    )
    return ids if len(ids) <= limit else parties_matching(term).values("pk")


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


# Licences a query of the expiry jobs reads (their keys, about 5 MB in Python). Each licence is
# then written in its own transaction, so a batch only sets how many queries a run takes: each
# costs its building in Django (1 ms of CPU with the reminders' subquery), its planning and a
# round trip, which one bare scan of the same range does not. A reminder window holds 40,000
# licences at 1M: one query each.
EXPIRY_BATCH = 50000

# Where a keyset batch of a job starts: the (date, id) of the last row read.
Key = tuple[Any, int]
ExpiryKey = tuple[dt.date, int]


def after_key(last: Key | None, *, date: str = "expires_on", pk: str = "pk") -> Q:
    """Rows after ``last`` in (date, id) order; every row when ``last`` is None. A row
    comparison, which PostgreSQL takes as the lower bound of an index on the two columns (an
    OR of the two would be read as a filter)."""
    if last is None:
        return Q()
    return Q(TupleGreaterThan(Tuple(F(date), F(pk)), last))


def keyset_batches(
    rows: Callable[[Key | None], QuerySet[Any]],
    batch_size: int,
    *,
    date: str = "expires_on",
) -> Iterator[list[int]]:
    """Ids of ``rows`` in keyset batches on ``(date, id)``, the order of the index the job
    reads through. ``rows`` gives the rows after a key (``after_key``): each batch goes on from
    the last row of the one before, so it reads its own rows of the index and no more,
    whatever happened to the rows before it meanwhile."""
    last: Key | None = None
    while True:
        batch = rows(last).order_by(date, "pk").values_list(date, "pk")[:batch_size]
        # Read in one fetch, not in Django's chunks of 100 rows: 1,200 fetches for a night's
        # 117,000 licences were a fifth of the job's reads.
        compiler = batch.query.get_compiler(using=batch.db)
        keys = list(compiler.results_iter(tuple_expected=True, chunk_size=batch_size))
        if keys:
            yield [pk for _, pk in keys]
        if len(keys) < batch_size:  # the range is read to its end: no query to find it empty
            return
        last = keys[-1]


def expiry_batches(
    rows: Callable[[ExpiryKey | None], QuerySet[Licence]], batch_size: int = EXPIRY_BATCH
) -> Iterator[list[int]]:
    """Ids of active licences in a range of expiry dates, in keyset batches on
    ``(expires_on, id)``, the order of the partial index ``licence_active_expiry``."""
    return keyset_batches(rows, batch_size)


# Public verification and register (Art. 6): anyone may check a licence. What leaves these
# functions is a plain record with public facts only, so that no template or JSON encoder can
# reach the holder's personal data (Art. 5) through a model instance.


def overdue_q(today: dt.date) -> Q:
    """Open longer than the decision target, or the applicant's answer is past due."""
    late = timezone.now() - dt.timedelta(days=settings.DECISION_TARGET_DAYS)
    return Q(state__in=OPEN_STATES, submitted_at__lt=late) | Q(
        state=ApplicationState.INFORMATION_REQUESTED,
        information_requests__answered_at__isnull=True,
        information_requests__due_on__lt=today,
    )
