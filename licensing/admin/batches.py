"""Batch printing in the admin: the actions that start a batch (selected licences, or every
licence of the selected sites), the confirmation page that asks what to do with licences
printed before, and the batch's page with its progress, its items and the merged PDF.

Starting a batch is for holders of ``print_document`` (registrars, senior officers): the
actions are not offered to anyone else and ``services.batches.start_batch`` checks again.
Reading batches is for holders of ``view_printbatch`` (the same roles, and the auditor)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from licensing.admin.base import ReadOnlyAdmin
from licensing.exceptions import DomainError
from licensing.models import Licence, PrintBatch, ReprintPolicy
from licensing.services import batches as services
from licensing.services.issuing import may_print
from licensing.storage import StorageUnavailable


class PrintBatchForm(forms.Form):
    policy = forms.ChoiceField(
        label=_("Licences printed before"),
        choices=ReprintPolicy.choices,
        initial=ReprintPolicy.NEW_ONLY,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason for the reprints"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Recorded on each new version and in the audit trail."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        reason = (data.get("reason") or "").strip()
        if data.get("policy") == ReprintPolicy.REPRINT and not reason:
            self.add_error("reason", _("A reason is required to reprint licences."))
        data["reason"] = reason
        return data


def _confirm_batch(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    *,
    licence_ids: list[int],
    site_ids: list[int],
    action_name: str,
) -> HttpResponse | None:
    """The confirmation page, then the batch. ``licence_ids`` holds at most one id more than
    the limit, which is how an oversized choice is recognised without listing every licence."""
    if not may_print(request.user):
        raise DjangoPermissionDenied
    limit = services.max_licences()
    if len(licence_ids) > limit:
        modeladmin.message_user(request, str(services.BatchTooLarge(limit)), messages.ERROR)
        return None
    preview = services.preview_batch(licence_ids=licence_ids, by=request.user)
    if not preview.total:
        modeladmin.message_user(request, str(services.NothingToPrint()), messages.WARNING)
        return None
    form = PrintBatchForm(request.POST if "_start" in request.POST else None)
    if form.is_valid():
        try:
            batch = services.start_batch(
                licence_ids=licence_ids,
                by=request.user,
                policy=form.cleaned_data["policy"],
                reason=form.cleaned_data["reason"],
                site_ids=site_ids,
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            modeladmin.message_user(
                request,
                str(_("The batch is queued for printing. This page shows its progress.")),
                messages.SUCCESS,
            )
            return redirect("admin:licensing_printbatch_change", batch.pk)
    opts = modeladmin.model._meta
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Print licences"),
        "opts": opts,
        "form": form,
        "preview": preview,
        "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
        "select_across": request.POST.get("select_across", "0"),
        "action_name": action_name,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/licensing/print_batch_confirm.html", context)


@admin.action(description=_("Print selected licences"), permissions=["print_document"])
def print_selected_licences(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Any]
) -> HttpResponse | None:
    ids = list(queryset.order_by().values_list("pk", flat=True)[: services.max_licences() + 1])
    return _confirm_batch(
        modeladmin,
        request,
        licence_ids=ids,
        site_ids=[],
        action_name="print_selected_licences",
    )


@admin.action(
    description=_("Print every licence of the selected sites"), permissions=["print_document"]
)
def print_licences_of_sites(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Any]
) -> HttpResponse | None:
    site_ids = list(queryset.order_by().values_list("pk", flat=True))
    licences = Licence.objects.filter(sites__in=site_ids).order_by().values_list("pk", flat=True)
    ids = list(licences.distinct()[: services.max_licences() + 1])
    return _confirm_batch(
        modeladmin,
        request,
        licence_ids=ids,
        site_ids=site_ids,
        action_name="print_licences_of_sites",
    )


@admin.register(PrintBatch)
class PrintBatchAdmin(ReadOnlyAdmin):
    """Batches are started from the licence and site lists and never edited here."""

    change_form_template = "admin/licensing/printbatch/change_form.html"
    list_display = (
        "__str__",
        "requested_by",
        "state",
        "total",
        "printed_count",
        "skipped_count",
        "failed_count",
        "finished_at",
    )
    list_select_related = ("requested_by",)
    list_filter = ("state",)
    ordering = ("-created_at", "-pk")
    fields = (
        "requested_by",
        "created_at",
        "policy",
        "reason",
        "state",
        "started_at",
        "finished_at",
    )
    readonly_fields = fields

    class Media:
        js = ("licensing/batch_progress.js",)

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<path:object_id>/status/",
                never_cache(self.status_view),
                name="licensing_printbatch_status",
            ),
            path(
                "<path:object_id>/pdf/",
                self.admin_site.admin_view(self.pdf_view),
                name="licensing_printbatch_pdf",
            ),
            *super().get_urls(),
        ]

    def _batch(self, request: HttpRequest, object_id: str) -> PrintBatch:
        batch = cast(PrintBatch | None, self.get_object(request, object_id))
        if batch is None:
            raise Http404
        if not self.has_view_permission(request, batch):
            raise DjangoPermissionDenied
        return batch

    def status_view(self, request: HttpRequest, object_id: str) -> JsonResponse:
        """Polled by the batch page's script: JSON, and a 403 rather than the log-in page for
        anyone who is not staff with the view permission."""
        if not services.may_view_batches(request.user):
            return JsonResponse({"error": "forbidden"}, status=403)
        batch = self._batch(request, object_id)
        return JsonResponse(services.batch_status(batch))

    def pdf_view(self, request: HttpRequest, object_id: str) -> FileResponse:
        batch = self._batch(request, object_id)
        try:
            merged = services.merged_pdf(batch_id=batch.pk, by=request.user)
        except services.NothingPrinted as error:
            raise Http404 from error
        except StorageUnavailable:
            raise  # 503 with the message (licensing.middleware)
        except DomainError as error:
            raise DjangoPermissionDenied from error
        stamp = timezone.localtime(batch.created_at).strftime("%Y%m%d-%H%M")
        response = FileResponse(
            merged,
            as_attachment=True,
            filename=f"print-batch-{stamp}-{batch.pk}.pdf",
            content_type="application/pdf",
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        batch = cast(PrintBatch | None, self.get_object(request, object_id))
        context = dict(extra_context or {})
        if batch is not None:
            items = batch.items.select_related("licence__holder", "document").order_by("position")
            context.update(
                batch=batch,
                items=items,
                status_url=reverse("admin:licensing_printbatch_status", args=[batch.pk]),
                pdf_url=reverse("admin:licensing_printbatch_pdf", args=[batch.pk])
                if batch.printed_count and services.may_download(request.user)
                else "",
                may_download_each=request.user.has_perm("licensing.view_issueddocument"),
            )
        return super().change_view(request, object_id, form_url, context)
