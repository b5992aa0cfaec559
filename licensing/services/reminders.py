"""Reminders the jobs send: before a licence's term ends (Art. 6.3(f)), and when an applicant
has not answered an information request.

Exactly once: the reminder is a row with a unique key, written in the same transaction as its
notification rows and before anything is sent; sending marks the notification sent under a
row lock (``services.notifications``). A second run of a job, a second beat or a redelivered
task finds the rows and sends nothing again; a lost message leaves a queued notification that
the sweeper sends."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Case, CharField, Exists, OuterRef, QuerySet, Value, When
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone

from licensing import selectors
from licensing.models.applications import (
    Application,
    ApplicationKind,
    ApplicationState,
    InformationRequest,
)
from licensing.models.licences import Licence, LicenceState
from licensing.models.notifications import Notification
from licensing.models.reminders import ExpiryReminder
from licensing.services.common import locked
from licensing.services.notifications import queue_notification

logger = logging.getLogger(__name__)


def reminder_days(activities: Iterable[str]) -> list[int]:
    """Art. 6.3(f): the thresholds of a licence with these activities, largest first. Several
    activities: the union of their thresholds, so that every activity's rule is kept."""
    configured = settings.EXPIRY_REMINDER_DAYS
    days: set[int] = set()
    for activity in activities or ["default"]:
        days.update(configured.get(activity, configured["default"]))
    return sorted(days, reverse=True)


def all_reminder_days() -> list[int]:
    """Every threshold any activity uses: the windows the nightly scan reads."""
    return sorted(
        {d for days in settings.EXPIRY_REMINDER_DAYS.values() for d in days}, reverse=True
    )


def current_threshold(days: list[int], days_left: int) -> int | None:
    """The threshold a licence with ``days_left`` has crossed most recently: the smallest one
    not below ``days_left``. None before the first one, and from the expiry day on."""
    if days_left < 1:
        return None
    crossed = [d for d in days if d >= days_left]
    return min(crossed) if crossed else None


def renewal_url(licence: Licence) -> str:
    """The portal's renewal of this licence: it starts a draft pre-filled with the licence's
    activities and sites and the holder's current data (``services.cases.start_renewal``)."""
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse(
        "portal:licence_renew", kwargs={"public_id": licence.public_id}
    )


def responsible_officer_email(licence: Licence) -> str:
    """The officer assigned to the latest approved issue or renewal of the licence, else the
    officer who issued it; a user who left or has no address is skipped for the
    ``EXPIRY_REMINDER_OFFICER_EMAIL`` fallback (empty: no officer's copy)."""
    latest = (
        Application.objects.filter(
            licence=licence, kind=ApplicationKind.RENEWAL, state=ApplicationState.APPROVED
        )
        .exclude(assigned_officer=None)
        .order_by("-decided_at", "-pk")
        .select_related("assigned_officer")
        .first()
    )
    candidates = [
        latest.assigned_officer if latest else None,
        licence.application.assigned_officer if licence.application else None,
        licence.issued_by,
    ]
    for user in candidates:
        if user is not None and user.is_active and user.is_staff and user.email:
            return str(user.email)
    return str(settings.EXPIRY_REMINDER_OFFICER_EMAIL)


@transaction.atomic
def send_expiry_reminder(*, licence_id: int, today: dt.date | None = None) -> ExpiryReminder | None:
    """The job, for one licence: writes the reminder of the threshold it has crossed, with its
    notification rows (holder, in the holder's language; the responsible officer), unless it
    exists. None when there is nothing to send: not active (an expired, suspended, revoked,
    transferred or surrendered licence gets none: a suspended holder may not trade, and its
    officer decides on the licence, not the calendar), no threshold crossed, already sent."""
    today = today or timezone.localdate()
    licence = locked(Licence, licence_id)  # two jobs on one licence: the second waits, then finds
    if licence.state != LicenceState.ACTIVE:
        return None
    days_left = (licence.expires_on - today).days
    threshold = current_threshold(reminder_days(licence.activities), days_left)
    if threshold is None:
        return None
    term = licence.expires_on
    if ExpiryReminder.objects.filter(
        licence=licence, term_expires_on=term, threshold=threshold
    ).exists():
        return None
    key = f"expiry_reminder:{licence.pk}:{term.isoformat()}:{threshold}"
    context = {
        "licence": licence.number,
        "expires_on": term.isoformat(),
        "days_left": days_left,
        "renewal_url": renewal_url(licence),
    }
    holder = queue_notification(
        key=f"{key}:holder", template="expiry_reminder", party=licence.holder, context=context
    )
    officer = None
    if address := responsible_officer_email(licence):
        officer = queue_notification(
            key=f"{key}:officer",
            template="expiry_reminder_officer",
            recipient=address,
            language=settings.LANGUAGE_CODE,
            context={
                **context,
                "party_name": str(licence.holder),
                "admin_url": settings.PORTAL_BASE_URL.rstrip("/")
                + reverse("admin:licensing_licence_change", args=[licence.pk]),
            },
        )
    return ExpiryReminder.objects.create(
        licence=licence,
        term_expires_on=term,
        threshold=threshold,
        holder_notification=holder,
        officer_notification=officer,
    )


def reminder_windows() -> list[tuple[int, int]]:
    """(threshold, lower): a licence with more than ``lower`` and at most ``threshold`` days
    left has crossed ``threshold`` most recently; the windows cover 1 to the largest threshold
    once, so each licence is read in one window only."""
    days = all_reminder_days()
    return [(t, days[i + 1] if i + 1 < len(days) else 0) for i, t in enumerate(days)]


def due_for_reminder(
    today: dt.date, threshold: int, lower: int, after: selectors.ExpiryKey | None = None
) -> QuerySet[Licence]:
    """Active licences with ``lower`` < days left <= ``threshold`` and no reminder for
    ``threshold`` in this term, after the key ``after`` in ``(expires_on, id)`` order: a range
    of the partial index on active licences' expiry. A threshold the job missed (the system was
    down, the licence was imported late) is still found; only the latest crossed is sent.

    The reminders are bounded to the same range: their unique index is in the same order
    (term_expires_on, licence_id), so PostgreSQL merges the two ranges, each read once, rather
    than look up every licence of the window in the reminders one by one."""
    start = today + dt.timedelta(days=lower + 1)
    end = today + dt.timedelta(days=threshold + 1)
    sent = ExpiryReminder.objects.filter(
        selectors.after_key(after, date="term_expires_on", pk="licence_id"),
        term_expires_on__gte=start,
        term_expires_on__lt=end,
        licence=OuterRef("pk"),
        term_expires_on=OuterRef("expires_on"),
        threshold=threshold,
    )
    return Licence.objects.filter(
        selectors.expiring(start, end), selectors.after_key(after), ~Exists(sent)
    )


def send_due_expiry_reminders(
    *, today: dt.date | None = None, batch_size: int = selectors.EXPIRY_BATCH
) -> int:
    """The job: every reminder due today, licence by licence in short transactions. Each
    window is read in keyset batches on ``(expires_on, id)``, ranges of the partial index on
    active licences' expiry, so a run reads the licences in the windows and no others.
    Returns how many reminders it wrote."""
    today = today or timezone.localdate()
    written = 0
    for threshold, lower in reminder_windows():
        read = 0
        due = partial(due_for_reminder, today, threshold, lower)
        for ids in selectors.expiry_batches(due, batch_size):
            read += len(ids)
            for pk in ids:
                written += send_expiry_reminder(licence_id=pk, today=today) is not None
            logger.info(
                "expiry reminders, %d days: %d licences read, %d reminders written so far",
                threshold,
                read,
                written,
            )
    return written


def chaser_key(request: InformationRequest, days: int) -> str:
    return f"information_chaser:{request.pk}:{days}"


@transaction.atomic
def chase_information_request(*, request_id: int, today: dt.date | None = None) -> bool:
    """One unanswered request: a chaser to the applicant for the latest threshold it has
    passed, unless that chaser exists (its notification key is the record of it). A request
    found late is chased once, not once per threshold it missed."""
    today = today or timezone.localdate()
    request = InformationRequest.objects.get(pk=request_id)
    application = locked(Application, request.application_id)
    request.refresh_from_db()  # answered while this waited for the lock
    if (
        request.answered_at is not None
        or application.state != ApplicationState.INFORMATION_REQUESTED
    ):
        return False
    age = (today - timezone.localdate(request.created_at)).days
    crossed = [d for d in settings.INFORMATION_CHASER_DAYS if d <= age]
    if not crossed:
        return False
    key = chaser_key(request, max(crossed))
    if Notification.objects.filter(key=key).exists():
        return False
    queue_notification(
        key=key,
        template="information_chaser",
        party=application.party,
        context={
            "reference": application.reference,
            "question": request.question,
            "requested_on": timezone.localdate(request.created_at).isoformat(),
            "due_on": request.due_on.isoformat(),
            "portal_url": settings.PORTAL_BASE_URL.rstrip("/")
            + reverse("portal:application_detail", kwargs={"public_id": application.public_id}),
        },
    )
    return True


def due_for_chaser(
    today: dt.date, after: selectors.Key | None = None
) -> QuerySet[InformationRequest]:
    """Unanswered requests of applications still waiting for the answer, sent at least the
    first threshold's days ago, after the key ``after`` in ``(created_at, id)`` order (a range
    of the partial index on open requests), whose chaser for the latest threshold they have
    passed is not queued yet: a request chased already is not read again at every run."""
    days = sorted(settings.INFORMATION_CHASER_DAYS, reverse=True)

    def sent_before(age: int) -> dt.datetime:
        """Requests created before this were sent at least ``age`` days before ``today``."""
        return timezone.make_aware(
            dt.datetime.combine(today - dt.timedelta(days=age - 1), dt.time.min)
        )

    latest = Case(
        *(When(created_at__lt=sent_before(d), then=Value(str(d))) for d in days),
        output_field=CharField(),
    )
    key = Concat(  # ``chaser_key`` of the latest threshold passed, in SQL
        Value("information_chaser:"),
        Cast("pk", CharField()),
        Value(":"),
        latest,
        output_field=CharField(),
    )
    return (
        InformationRequest.objects.filter(
            selectors.after_key(after, date="created_at"),
            answered_at__isnull=True,
            created_at__lt=sent_before(days[-1]),
            application__state=ApplicationState.INFORMATION_REQUESTED,
        )
        .alias(chaser=key)
        .filter(~Exists(Notification.objects.filter(key=OuterRef("chaser"))))
    )


def chase_information_requests(*, today: dt.date | None = None, batch_size: int = 500) -> int:
    """The job: a chaser for every unanswered request of an application still waiting for the
    answer that has passed a threshold and has not had its chaser. Returns how many chasers
    it queued."""
    today = today or timezone.localdate()
    queued = 0
    due = partial(due_for_chaser, today)
    for ids in selectors.keyset_batches(due, batch_size, date="created_at"):
        for pk in ids:
            queued += chase_information_request(request_id=pk, today=today)
        logger.info("information chasers: %d queued so far (up to request %d)", queued, ids[-1])
    return queued
