"""Printing the licence from its admin page: the registrar's buttons queue the printing job, and
the issued versions are listed read-only with a download link each."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms, http
from django.contrib import admin
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from licensing.admin.actions import AdminAction
from licensing.admin.base import ReadOnlyInline
from licensing.admin.forms import ActionForm
from licensing.exceptions import DomainError, PermissionDenied
from licensing.models import IssuedDocument, Licence
from licensing.portal.issued import pdf_attachment
from licensing.services.issuing import latest_document, may_print


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


def queue_printing(licence: Licence, user: Any, reason: str = "") -> None:
    """The job runs once the request's transaction has committed; the key makes a second
    delivery of the same message harmless."""
    from licensing.tasks import print_licence

    key = uuid.uuid4().hex
    licence_id, user_id = licence.pk, user.pk
    transaction.on_commit(
        lambda: print_licence.delay(licence_id, user_id, reason, idempotency_key=key)
    )


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
    model = IssuedDocument
    fk_name = "licence"
    extra = 0
    fields = (
        "version",
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
    ordering = ("-version",)
    verbose_name = _("printed version")
    verbose_name_plural = _("printed versions")

    @admin.display(description=_("PDF"))
    def download(self, obj: IssuedDocument) -> str:
        if obj.pk is None:
            return "-"
        url = reverse(
            "admin:licensing_licence_issued_document", args=[obj.licence_id, obj.public_id]
        )
        return format_html('<a href="{}">{}</a>', url, _("Download"))


def issued_document_response(request: http.HttpRequest, licence: Licence, public_id: Any) -> Any:
    """The stored PDF of one version, as an attachment; for staff who may view issued
    documents and see the licence."""
    if not request.user.has_perm("licensing.view_issueddocument"):
        raise http.Http404
    document = IssuedDocument.objects.filter(licence=licence, public_id=public_id).first()
    if document is None:
        raise http.Http404
    return pdf_attachment(document)
