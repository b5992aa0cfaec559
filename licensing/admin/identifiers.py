"""The tracking-and-tracing identifier codes in the admin (Reg. (EU) 2018/574 Chapter III):
read-only lists of the operator and facility codes, the registry's message log with its
filters and the export of selected messages as CSV or JSON in the registry's field names
(senior officers and registrars), and the read-only "codes" field that the party's and the
site's pages show. Codes change only through ``licensing/services/identifiers.py``."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from licensing.admin.base import ReadOnlyAdmin, link_to
from licensing.admin.exchange import attachment
from licensing.exchange.export import ExportFormat
from licensing.exchange.registry_export import export_registry_messages, may_export_messages
from licensing.models import FacilityCode, OperatorCode, RegistryMessage


def codes_table(rows: Iterable[tuple[Any, ...]]) -> SafeString:
    """Codes with their state: (code, state label, issued, deactivated, reason) rows."""
    rows = list(rows)
    if not rows:
        return format_html("<span>{}</span>", _("No identifier code issued."))
    body = format_html_join(
        "",
        '<tr><td class="tt-code">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>',
        (
            (code.code, code.state_label, f"{code.issued_at:%Y-%m-%d}", detail)
            for code, detail in rows
        ),
    )
    return format_html(
        '<table class="tt-codes"><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>{}</table>',
        _("code"),
        _("state"),
        _("issued"),
        _("deactivated"),
        body,
    )


def deactivation(code: Any) -> str:
    if code.active:
        return ""
    return f"{code.deactivated_at:%Y-%m-%d}: {code.deactivation_reason}"


class CodesAdminMixin:
    """For ``ModelAdmin``s that show a record's codes: ``readonly_fields`` includes
    ``identifier_codes`` and ``identifier_code_rows(obj)`` reads them in one query."""

    def identifier_code_rows(self, obj: Any) -> Iterable[Any]:
        raise NotImplementedError

    @admin.display(description=_("tracking-and-tracing identifier codes"))
    def identifier_codes(self, obj: Any) -> SafeString | str:
        if obj is None or obj.pk is None:
            return "-"
        return codes_table((code, deactivation(code)) for code in self.identifier_code_rows(obj))


STATE_FIELDS = ("active", "issued_at", "deactivated_at", "deactivation_reason")


class CodeAdmin(ReadOnlyAdmin):
    list_filter = ("active",)
    date_hierarchy = "issued_at"


@admin.register(OperatorCode)
class OperatorCodeAdmin(CodeAdmin):
    """Art. 15: economic operator identifier codes (EO_ID)."""

    list_display = ("code", "party", "active", "issued_at", "deactivated_at")
    list_select_related = ("party",)
    search_fields = ("code", "party__legal_name", "party__trade_name")
    fields = ("code", "party_link", *STATE_FIELDS)
    readonly_fields = fields

    @admin.display(description=_("party"))
    def party_link(self, obj: OperatorCode) -> str:
        return link_to(obj.party)


@admin.register(FacilityCode)
class FacilityCodeAdmin(CodeAdmin):
    """Art. 17: facility identifier codes (F_ID), each under an operator code."""

    list_display = ("code", "site", "operator", "active", "issued_at", "deactivated_at")
    list_select_related = ("site", "operator")
    search_fields = ("code", "operator__code", "site__name", "site__municipality")
    fields = ("code", "site_link", "operator", *STATE_FIELDS)
    readonly_fields = fields

    @admin.display(description=_("site"))
    def site_link(self, obj: FacilityCode) -> str:
        return link_to(obj.site)


def _export(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Any], fmt: str
) -> HttpResponse:
    if not may_export_messages(request.user):
        raise PermissionDenied
    exported = export_registry_messages(messages=queryset, fmt=fmt, by=request.user)
    return attachment(
        exported.content, content_type=exported.content_type, filename=exported.filename
    )


@admin.action(
    description=_("Export selected messages as CSV (registry fields)"),
    permissions=["export_registry_messages"],
)
def export_messages_csv(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Any]
) -> HttpResponse:
    return _export(modeladmin, request, queryset, ExportFormat.CSV)


@admin.action(
    description=_("Export selected messages as JSON (registry fields)"),
    permissions=["export_registry_messages"],
)
def export_messages_json(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Any]
) -> HttpResponse:
    return _export(modeladmin, request, queryset, ExportFormat.JSON)


@admin.register(RegistryMessage)
class RegistryMessageAdmin(ReadOnlyAdmin):
    """Reg. 2018/574 Art. 15(3), 17(3), 19(3): the registry's log, only ever appended to."""

    list_display = ("created_at", "message_type", "subject_code", "operator_code")
    list_filter = ("message_type",)
    date_hierarchy = "created_at"
    search_fields = ("=subject_code", "=operator_code")
    search_help_text = _("An identifier code (EO_ID, F_ID or M_ID), exactly.")
    actions = (export_messages_csv, export_messages_json)
    fields = ("message_type", "subject_code", "operator_code", "created_at", "fields_pretty")
    readonly_fields = fields

    def has_export_registry_messages_permission(self, request: HttpRequest) -> bool:
        return may_export_messages(request.user)

    @admin.display(description=_("fields"))
    def fields_pretty(self, obj: RegistryMessage) -> SafeString:
        return format_html("<pre>{}</pre>", json.dumps(obj.payload, indent=2, ensure_ascii=False))
