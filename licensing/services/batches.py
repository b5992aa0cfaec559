"""Batch printing of licences (Art. 6), the registrar's side: the registrar chooses licences (a
selection, or every licence of some sites), sees what would print, and starts the batch, stored
as one item per licence; its progress, the outcome of each licence and one PDF of every printed
licence for the printer. The Celery jobs that print the items are ``batch_printing``'s."""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, ngettext

from licensing import selectors
from licensing.exceptions import DomainError, PermissionDenied
from licensing.jobs import enqueue
from licensing.models.audit import Verb
from licensing.models.batches import (
    FINISHED_STATES,
    PrintBatch,
    PrintBatchItem,
    PrintBatchItemState,
    PrintBatchState,
    ReprintPolicy,
)
from licensing.models.issued import IssuedDocument, IssuedDocumentKind
from licensing.models.licences import LicenceState
from licensing.services.audit import record_event
from licensing.services.common import locked
from licensing.services.issuing import ReprintReasonRequired, may_print
from licensing.storage import open_stored

logger = logging.getLogger(__name__)

# A suspension is temporary (Art. 6.3(a)): the licence stays the holder's and its printed copy
# is checked online for its state today. Revoked, expired, transferred and surrendered licences
# are no longer valid, and a batch does not print them.
PRINTABLE_STATES = (LicenceState.ACTIVE, LicenceState.SUSPENDED)

# Stored in English on the item and translated when shown (``PrintBatchItem.message``).
SKIPPED_NOT_VALID = gettext_noop(
    "Not printed: the licence is no longer valid (a batch prints active and suspended licences)."
)
SKIPPED_PRINTED_BEFORE = gettext_noop(
    "Not printed: it was printed before, and this batch prints only licences never printed."
)
FAILED_TECHNICAL = gettext_noop(
    "Not printed: a technical error stopped the printing several times. Print this licence "
    "from its own page later, or tell the system administrator."
)


class NothingToPrint(DomainError):
    default_message = _("Select at least one licence to print.")


class BatchTooLarge(DomainError):
    def __init__(self, limit: int) -> None:
        super().__init__(
            ngettext(
                "More than %(limit)d licence is selected: one batch prints at most %(limit)d. "
                "Select fewer licences or sites, and start several batches.",
                "More than %(limit)d licences are selected: one batch prints at most %(limit)d. "
                "Select fewer licences or sites, and start several batches.",
                limit,
            )
            % {"limit": limit}
        )


class NothingPrinted(DomainError):
    default_message = _("No licence of this batch has been printed.")


def may_view_batches(user: Any) -> bool:
    return bool(user.is_active and user.is_staff and user.has_perm("licensing.view_printbatch"))


def max_licences() -> int:
    return int(settings.PRINT_BATCH_MAX_LICENCES)


@dataclass(frozen=True)
class BatchPreview:
    """What the registrar confirms before starting: how many licences, how many can be
    printed, and how many of those were printed before."""

    total: int
    not_valid: int
    printed_before: int

    @property
    def never_printed(self) -> int:
        return self.total - self.not_valid - self.printed_before


def _with_printed(licences: Any) -> Any:
    return licences.annotate(
        printed=Exists(
            IssuedDocument.objects.filter(
                licence_id=OuterRef("pk"), kind=IssuedDocumentKind.LICENCE
            )
        )
    )


def preview_batch(*, licence_ids: Iterable[int], by: Any) -> BatchPreview:
    rows = _with_printed(selectors.visible_licences(by).filter(pk__in=list(licence_ids)))
    total = not_valid = printed_before = 0
    for state, printed in rows.values_list("state", "printed"):
        total += 1
        if state not in PRINTABLE_STATES:
            not_valid += 1
        elif printed:
            printed_before += 1
    return BatchPreview(total=total, not_valid=not_valid, printed_before=printed_before)


def _initial(state: str, printed: bool, policy: ReprintPolicy) -> dict[str, Any]:
    if state not in PRINTABLE_STATES:
        return {"state": PrintBatchItemState.SKIPPED, "message": SKIPPED_NOT_VALID}
    if printed and policy == ReprintPolicy.NEW_ONLY:
        return {"state": PrintBatchItemState.SKIPPED, "message": SKIPPED_PRINTED_BEFORE}
    return {"state": PrintBatchItemState.PENDING}


@transaction.atomic
def start_batch(
    *,
    licence_ids: Iterable[int],
    by: Any,
    policy: ReprintPolicy | str = ReprintPolicy.NEW_ONLY,
    reason: str = "",
    site_ids: Iterable[int] = (),
) -> PrintBatch:
    """Store a batch with one item per licence and queue its job once committed. Registrars
    and senior officers (``print_document``). Licences that are no longer valid, and with the
    policy "never printed only" those printed before, are skipped at once, each with its reason.
    Reprints need a reason, printed on no document but kept on each new version and in the
    audit trail, as for a single reprint."""
    if not may_print(by):
        raise PermissionDenied()
    policy = ReprintPolicy(policy)
    reason = reason.strip() if policy == ReprintPolicy.REPRINT else ""
    if policy == ReprintPolicy.REPRINT and not reason:
        raise ReprintReasonRequired()
    wanted = set(licence_ids)
    if not wanted:
        raise NothingToPrint()
    limit = max_licences()
    if len(wanted) > limit:
        raise BatchTooLarge(limit)
    rows = list(
        _with_printed(selectors.visible_licences(by).filter(pk__in=wanted))
        .order_by("number")
        .values_list("pk", "state", "printed")
    )
    if not rows:
        raise NothingToPrint()
    batch = PrintBatch.objects.create(
        requested_by=by, policy=policy, reason=reason, total=len(rows)
    )
    sites = sorted(set(site_ids))
    if sites:
        batch.sites.set(sites)
    PrintBatchItem.objects.bulk_create(
        [
            PrintBatchItem(
                batch=batch, licence_id=pk, position=position, **_initial(state, printed, policy)
            )
            for position, (pk, state, printed) in enumerate(rows, start=1)
        ],
        batch_size=500,
    )
    batch = recount_batch(batch.pk)
    record_event(
        batch,
        verb=Verb.PRINT_BATCH_STARTED,
        by=by,
        reason=reason,
        changes={
            "policy": policy.value,
            "licences": batch.total,
            "to_print": batch.remaining,
            "skipped": batch.skipped_count,
            "sites": sites,
        },
    )
    if not batch.is_finished:
        from licensing.tasks import run_print_batch

        batch_id = batch.pk
        transaction.on_commit(lambda: enqueue(run_print_batch, batch_id))
    return batch


def recount_batch(batch_id: int) -> PrintBatch:
    """Count the items again and finish the batch when none is pending. Under the batch's row
    lock, so that two jobs finishing items at once write their counts one after the other."""
    batch = locked(PrintBatch, batch_id)
    counts = dict(
        PrintBatchItem.objects.filter(batch_id=batch_id)
        .order_by()
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    batch.printed_count = counts.get(PrintBatchItemState.PRINTED, 0)
    batch.skipped_count = counts.get(PrintBatchItemState.SKIPPED, 0)
    batch.failed_count = counts.get(PrintBatchItemState.FAILED, 0)
    fields = ["printed_count", "skipped_count", "failed_count", "updated_at"]
    if not counts.get(PrintBatchItemState.PENDING) and not batch.is_finished:
        batch.state = (
            PrintBatchState.FINISHED_WITH_FAILURES
            if batch.failed_count
            else PrintBatchState.FINISHED
        )
        batch.finished_at = timezone.now()
        fields += ["state", "finished_at"]
    batch.save(update_fields=fields)
    return batch


def stalled_batch_ids(now: dt.datetime | None = None) -> list[int]:
    """Unfinished batches that have not moved for ``PRINT_BATCH_RESUME_AFTER_SECONDS``: their
    job was lost. A range of the partial index ``print_batch_unfinished``, which holds the
    unfinished only."""
    resume_after = dt.timedelta(seconds=settings.PRINT_BATCH_RESUME_AFTER_SECONDS)
    since = (now or timezone.now()) - resume_after
    return list(
        PrintBatch.objects.exclude(state__in=FINISHED_STATES)
        .filter(updated_at__lt=since)
        .order_by("updated_at", "pk")
        .values_list("pk", flat=True)
    )


def batch_status(batch: PrintBatch) -> dict[str, Any]:
    """The progress as the batch page's script reads it."""
    return {
        "state": batch.state,
        "state_label": batch.get_state_display(),
        "finished": batch.is_finished,
        "total": batch.total,
        "printed": batch.printed_count,
        "skipped": batch.skipped_count,
        "failed": batch.failed_count,
        "done": batch.done_count,
        "remaining": batch.remaining,
        "percent": batch.percent,
    }


def may_download(user: Any) -> bool:
    return may_view_batches(user) and bool(user.has_perm("licensing.view_issueddocument"))


def printed_documents(batch: PrintBatch) -> Any:
    return (
        IssuedDocument.objects.filter(
            pk__in=batch.items.filter(state=PrintBatchItemState.PRINTED).values("document_id")
        )
        .select_related("licence")
        .order_by("licence__number")
    )


def _drop_signatures(writer: Any) -> None:
    """Each document's electronic signature covers its own file only: in the printer's file
    it would read as broken. The signature values and the form go; each stamp's appearance
    stays on its page, so the paper still shows it (issue 20, docs/signing.md)."""
    for page in writer.pages:
        for annotation in page.get("/Annots") or []:
            widget = annotation.get_object()
            if widget.get("/FT") == "/Sig":
                widget.pop("/V", None)
    writer.root_object.pop("/AcroForm", None)


@transaction.atomic
def merged_pdf(*, batch_id: int, by: Any) -> IO[bytes]:
    """Every document the batch printed, in the batch's order (licence number), as one PDF for
    the printer: written to a temporary file that the caller streams and closes. Staff who see
    batches and issued documents (registrars, senior officers, auditors); one ``print batch
    downloaded`` event names how many documents went out."""
    if not may_download(by):
        raise PermissionDenied()
    from pypdf import PdfWriter  # only here: web start-up does not need it

    batch = PrintBatch.objects.get(pk=batch_id)
    documents = list(printed_documents(batch))
    if not documents:
        raise NothingPrinted()
    writer = PdfWriter()
    for document in documents:
        with open_stored(document.file) as handle:
            writer.append(handle)
    _drop_signatures(writer)
    output = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it)
    writer.write(output)
    writer.close()
    output.seek(0)
    record_event(
        batch,
        verb=Verb.PRINT_BATCH_DOWNLOADED,
        by=by,
        changes={"documents": len(documents), "codes": [d.code for d in documents]},
    )
    return output
