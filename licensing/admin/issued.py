"""Printing the licence from its admin page, and reprinting decision letters from the
application's and the licence's pages: the registrar's buttons queue the printing job, and the
issued versions are listed read-only with a download link each."""

from __future__ import annotations

import uuid
from typing import Any, cast

from django import forms, http
from django.contrib import admin
from django.db.models import F, Max, Window
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from licensing.admin.actions import AdminAction
from licensing.admin.base import ReadOnlyInline
from licensing.admin.forms import ActionForm
from licensing.exceptions import DomainError, PermissionDenied
from licensing.jobs import enqueue
from licensing.models import Application, IssuedDocument, Licence
from licensing.portal.issued import pdf_attachment
from licensing.services.issuing import latest_document, may_print
from licensing.services.letters import NoLetterYet, current_letters, queue_letter_reprint


class NotPrintedYet(DomainError):
    default_message = _("This licence has not been printed yet.")


class AlreadyPrinted(DomainError):
    default_message = _("This licence has been printed already: reprint it instead.")


class ReprintForm(ActionForm):
    reason = forms.CharField(
        label=_("Reason for the reprint"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Recorded on the new version and in the audit trail."),
    )

    def clean_reason(self) -> str:
        reason: str = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("A reason is required."))
        return reason


def _print_blockers(*, reprint: bool) -> Any:
    def check(licence: Licence, user: Any) -> list[DomainError]:
        if not may_print(user):
            return [PermissionDenied()]
        printed = latest_document(licence) is not None
        if reprint and not printed:
            return [NotPrintedYet()]
        if not reprint and printed:
            return [AlreadyPrinted()]
        return []

    return check


class QueueUnavailable(DomainError):
    default_message = _(
        "The licence could not be queued for printing: the job queue cannot be reached at the "
        "moment. Nothing was printed; please try again in a few minutes."
    )


def queue_printing(licence: Licence, user: Any, reason: str = "") -> None:
    """Sent at once (the request writes no row for the job to wait for); the key makes a
    second delivery of the same message harmless. A print has no row of its own until it is
    done, so no sweep would find one that was never sent: the registrar is told instead."""
    from licensing.tasks import print_licence

    key = uuid.uuid4().hex
    if not enqueue(print_licence, licence.pk, user.pk, reason, idempotency_key=key):
        raise QueueUnavailable()


def _summary(licence: Licence) -> list[tuple[Any, str]]:
    latest = latest_document(licence)
    return [
        (_("Licence holder"), str(licence.holder)),
        (_("State"), licence.get_state_display()),
        (_("Latest printed version"), str(latest.version) if latest else "-"),
    ]


QUEUED = _("The licence is queued for printing. Reload this page in a moment to download it.")

PRINT_LICENCE = AdminAction(
    "print_licence",
    _("Print licence"),
    blockers=_print_blockers(reprint=False),
    hide_when=(AlreadyPrinted,),
    summary=_summary,
    run=lambda lic, u, d: queue_printing(lic, u),
    done_message=QUEUED,
    help_text=_("The licence is printed in the holder's language and stored as version 1."),
)
REPRINT_LICENCE = AdminAction(
    "reprint_licence",
    _("Reprint licence"),
    blockers=_print_blockers(reprint=True),
    hide_when=(NotPrintedYet,),
    form=ReprintForm,
    summary=_summary,
    run=lambda lic, u, d: queue_printing(lic, u, d["reason"]),
    done_message=QUEUED,
    help_text=_(
        "A new version is stored and marked as a reprint; the public check shows earlier "
        "versions as superseded."
    ),
)


class IssuedDocumentInline(ReadOnlyInline):
    """The printed versions of the licence and of the letters about it."""

    model = IssuedDocument
    fk_name = "licence"
    extra = 0
    fields = (
        "kind",
        "version",
        "status",
        "signature",
        "code",
        "language",
        "issued_by",
        "issued_at",
        "is_reprint",
        "reprint_reason",
        "sha256",
        "download",
    )
    readonly_fields = fields
    ordering = ("kind", "-issued_at", "-version")
    verbose_name = _("printed version")
    verbose_name_plural = _("printed versions")

    def get_queryset(self, request: http.HttpRequest) -> Any:
        # Each row's series (a licence's printed versions, or one decision's letter) is within
        # the page's licence or application: its latest version, without a query per row.
        series = [F("kind"), F("event_id"), F("licence_id"), F("application_id")]
        return (
            super()
            .get_queryset(request)
            .annotate(latest_version=Window(Max("version"), partition_by=series))
        )

    @admin.display(description=_("status"))
    def status(self, obj: IssuedDocument) -> str:
        latest = getattr(obj, "latest_version", None)
        if latest is None or obj.version >= latest:
            return str(_("current"))
        return str(_("superseded by version %(version)s") % {"version": latest})

    @admin.display(description=_("signature"))
    def signature(self, obj: IssuedDocument) -> str:
        """Who signed this version, when, and at which PAdES level (docs/signing.md)."""
        if not obj.signature_level:
            return str(_("not signed (printed before documents were signed)"))
        return format_html(
            "{}<br>{}<br>{}",
            obj.get_signature_level_display(),
            obj.signed_by,
            date_format(timezone.localtime(obj.signed_at), "DATETIME_FORMAT")
            if obj.signed_at
            else "",
        )

    @admin.display(description=_("PDF"))
    def download(self, obj: IssuedDocument) -> str:
        if obj.pk is None:
            return "-"
        subject_id = getattr(obj, f"{self.fk_name}_id")
        url = reverse(
            f"admin:licensing_{self.fk_name}_issued_document", args=[subject_id, obj.public_id]
        )
        return format_html('<a href="{}">{}</a>', url, _("Download"))


class ApplicationLetterInline(IssuedDocumentInline):
    """Art. 6: the refusal letter, which belongs to the application."""

    fk_name = "application"


def own_document_response(
    model_admin: admin.ModelAdmin[Any],
    request: http.HttpRequest,
    object_id: str,
    document_of: Any,
) -> Any:
    """The stored PDF of a record with no licence to hang it on (the certificate of seized
    stock destroyed, the answer to another Party), ``document_of(record)``, behind the record's
    page's own object-level check and the permission to read issued documents."""
    record = model_admin.get_object(request, object_id)
    document = document_of(record) if record is not None else None
    if (
        document is None
        or not model_admin.has_view_permission(request, record)
        or not request.user.has_perm("licensing.view_issueddocument")
    ):
        raise http.Http404
    return pdf_attachment(document)


def issued_document_response(
    request: http.HttpRequest, subject: Licence | Application, public_id: Any
) -> Any:
    """The stored PDF of one version, as an attachment; for staff who may view issued
    documents and see the licence or application it belongs to (the caller checks that)."""
    if not request.user.has_perm("licensing.view_issueddocument"):
        raise http.Http404
    documents = IssuedDocument.objects.filter(public_id=public_id)
    if isinstance(subject, Application):
        document = documents.filter(application=subject).first()
    else:
        document = documents.filter(licence=subject).first()
    if document is None:
        raise http.Http404
    return pdf_attachment(document)


class PrintedDocumentsMixin:
    """The download URL of the printed versions listed on a licence's or application's page,
    behind the same object-level check as the page: a record the user may not view is a 404."""

    admin_site: admin.AdminSite

    def get_urls(self) -> list[URLPattern]:
        name = self.model._meta.model_name  # type: ignore[attr-defined]
        return [
            path(
                "<path:object_id>/printed/<uuid:public_id>/",
                self.admin_site.admin_view(self.issued_document_view),
                name=f"licensing_{name}_issued_document",
            ),
            *super().get_urls(),  # type: ignore[misc]
        ]

    def issued_document_view(
        self, request: http.HttpRequest, object_id: str, public_id: Any
    ) -> http.HttpResponse:
        subject = self.get_object(request, object_id)  # type: ignore[attr-defined]
        if subject is None or not self.has_view_permission(request, subject):  # type: ignore[attr-defined]
            raise http.Http404
        response: http.HttpResponse = issued_document_response(request, subject, public_id)
        return response


# Decision letters (Art. 6, 6.3(a)): the first one is printed by the decision itself; from the
# page, the registrar reprints one with a reason.


def _letter_label(document: IssuedDocument) -> str:
    decided = document.event.at if document.event else document.issued_at
    return str(
        _("%(kind)s of %(date)s (version %(version)s)")
        % {
            "kind": document.get_kind_display(),
            "date": date_format(timezone.localtime(decided), "DATE_FORMAT"),
            "version": document.version,
        }
    )


class LetterReprintForm(ReprintForm):
    letter = forms.ChoiceField(label=_("Letter"))
    field_order = ("letter", "reason")

    def __init__(self, data: object = None, *, obj: object = None) -> None:
        super().__init__(data, obj=obj)
        letters = current_letters(obj) if isinstance(obj, Application | Licence) else []
        field = cast(forms.ChoiceField, self.fields["letter"])
        field.choices = [(str(document.event_id), _letter_label(document)) for document in letters]
        if letters:
            self.fields["letter"].initial = str(letters[0].event_id)

    def clean_letter(self) -> int:
        return int(self.cleaned_data["letter"])


def _letter_blockers(subject: Licence | Application, user: Any) -> list[DomainError]:
    if not may_print(user):
        return [PermissionDenied()]
    if not current_letters(subject):
        return [NoLetterYet()]
    return []


def _letter_summary(subject: Licence | Application) -> list[tuple[Any, str]]:
    party = subject.party if isinstance(subject, Application) else subject.holder
    return [
        (_("Addressee"), str(party)),
        *[(_("Letter"), _letter_label(document)) for document in current_letters(subject)],
    ]


REPRINT_LETTER = AdminAction(
    "reprint_letter",
    _("Reprint decision letter"),
    blockers=_letter_blockers,
    hide_when=(NoLetterYet,),
    form=LetterReprintForm,
    summary=_letter_summary,
    run=lambda subject, u, d: queue_letter_reprint(event_id=d["letter"], by=u, reason=d["reason"]),
    done_message=_(
        "The letter is queued for printing. Reload this page in a moment to download it."
    ),
    help_text=_(
        "A new version of the letter is stored and marked as a reprint; it keeps the date of "
        "the letter, and the public check shows earlier versions as superseded."
    ),
)
