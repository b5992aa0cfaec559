"""The officers' screens of the periodic returns (Art. 9.1, 9.2): the queue of periods (due,
overdue, filed, flagged), each return's page with its lines, suppliers and customers, payments,
the due-diligence panels and the volumes chart, and the export for the exchange of information
(Art. 21.1(a)). Returns are written by licensees through the portal only: everything here is
read only, but for closing an overdue-return task (``returns.admin_tasks``)."""

from __future__ import annotations

from typing import Any

from django import forms, http
from django.contrib import admin
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Case, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from licensing.admin.base import ReadOnlyAdmin, ReadOnlyInline, link_to
from licensing.admin.exchange import attachment
from returns import admin_tasks  # noqa: F401 (registers the tasks' admin)
from returns.chart import volumes_chart
from returns.export import current_returns, export_returns, may_export_returns
from returns.models import (
    QUANTITIES,
    PeriodStatus,
    Return,
    ReturnCounterpart,
    ReturnLine,
    ReturnPayment,
    ReturnPeriod,
    ReturnTask,
)

CHANGE_FORM = "admin/returns/change_form.html"


class StatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request: http.HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            (PeriodStatus.DUE, _("due")),
            (PeriodStatus.OVERDUE, _("overdue")),
            (PeriodStatus.FILED, _("filed")),
            ("flagged", _("flagged by the checks")),
        ]

    def queryset(self, request: http.HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        today = timezone.localdate()
        unfiled = queryset.filter(filed_at__isnull=True)
        match self.value():
            case PeriodStatus.DUE:
                return unfiled.filter(ends_on__lt=today, due_on__gte=today)
            case PeriodStatus.OVERDUE:
                return unfiled.filter(due_on__lt=today)
            case PeriodStatus.FILED:
                return queryset.filter(filed_at__isnull=False)
            case "flagged":
                return queryset.filter(current_flags__gt=0)
        return queryset


def _latest(field: str) -> Subquery:
    """A field of the period's current (latest) version, for a queryset of periods."""
    return Subquery(
        Return.objects.filter(period_id=OuterRef("pk")).order_by("-version").values(field)[:1]
    )


class ExportReturnsForm(forms.Form):
    purpose = forms.CharField(
        label=_("Requesting authority or purpose"),
        max_length=500,
        help_text=_("Art. 21.1(a). Kept in the audit trail with the export."),
    )


def export_response(
    modeladmin: admin.ModelAdmin, request: http.HttpRequest, returns: QuerySet[Return], name: str
) -> http.HttpResponse:
    """The page that asks for the purpose, then the CSV as an attachment."""
    if not may_export_returns(request.user):
        raise DjangoPermissionDenied
    form = ExportReturnsForm(request.POST if "_export" in request.POST else None)
    if form.is_valid():
        exported = export_returns(
            returns=returns, by=request.user, purpose=form.cleaned_data["purpose"]
        )
        return attachment(
            exported.content, content_type=exported.content_type, filename=exported.filename
        )
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Export returns for the exchange of information"),
        "opts": modeladmin.model._meta,
        "form": form,
        "count": returns.count(),
        "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
        "select_across": request.POST.get("select_across", "0"),
        "action_name": name,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/returns/export.html", context)


@admin.action(
    description=_("Export the current returns of the selected periods (CSV)"),
    permissions=["export_returns"],
)
def export_period_returns(
    modeladmin: admin.ModelAdmin, request: http.HttpRequest, queryset: QuerySet[Any]
) -> http.HttpResponse:
    return export_response(modeladmin, request, current_returns(queryset), "export_period_returns")


@admin.action(description=_("Export the selected returns (CSV)"), permissions=["export_returns"])
def export_selected_returns(
    modeladmin: admin.ModelAdmin, request: http.HttpRequest, queryset: QuerySet[Any]
) -> http.HttpResponse:
    return export_response(modeladmin, request, queryset, "export_selected_returns")


class ReturnsPageMixin:
    """The change page with the volumes chart of the licensee under the record."""

    def has_export_returns_permission(self, request: http.HttpRequest) -> bool:
        return may_export_returns(request.user)

    def chart_for(self, obj: Any) -> Any:
        raise NotImplementedError

    def change_view(
        self,
        request: http.HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> http.HttpResponse:
        obj = self.get_object(request, object_id)  # type: ignore[attr-defined]
        context = dict(extra_context or {})
        if obj is not None:
            context["volumes_chart"] = self.chart_for(obj)
        return super().change_view(request, object_id, form_url, context)  # type: ignore[misc]


@admin.register(ReturnPeriod)
class ReturnPeriodAdmin(ReturnsPageMixin, ReadOnlyAdmin):
    """The returns queue: overdue first, then due, filed, not yet due."""

    change_form_template = CHANGE_FORM

    list_display = (
        "licence_number",
        "licensee",
        "__str__",
        "due_on",
        "status",
        "latest_version",
        "flags",
    )
    list_filter = (StatusFilter, "frequency")
    list_select_related = ("licence", "party")
    search_fields = ("=licence__number", "party__legal_name")
    actions = (export_period_returns,)
    fields = (
        "licence_link",
        "party_link",
        "frequency",
        "starts_on",
        "ends_on",
        "due_on",
        "status",
        "filed_at",
        "versions",
        "task_link",
    )
    readonly_fields = fields

    def get_queryset(self, request: http.HttpRequest) -> QuerySet[Any]:
        today = timezone.localdate()
        unfiled = Q(filed_at__isnull=True)
        rank = Case(
            When(unfiled & Q(due_on__lt=today), then=Value(0)),
            When(unfiled & Q(ends_on__lt=today), then=Value(1)),
            When(filed_at__isnull=False, then=Value(2)),
            default=Value(3),
            output_field=IntegerField(),
        )
        # Annotated before the ordering that names the rank (ModelAdmin.get_queryset orders).
        queryset = ReturnPeriod.objects.annotate(
            queue_rank=rank,
            latest_version=_latest("version"),
            current_flags=_latest("flag_count"),
        )
        return queryset.order_by(*self.get_ordering(request))

    def get_ordering(self, request: http.HttpRequest) -> list[str]:
        return ["queue_rank", "due_on"]

    def chart_for(self, obj: ReturnPeriod) -> Any:
        return volumes_chart(obj.party, upto=obj.starts_on)

    @admin.display(description=_("licence number"), ordering="licence__number")
    def licence_number(self, obj: ReturnPeriod) -> str:
        return obj.licence.number

    @admin.display(description=_("licensee"), ordering="party__legal_name")
    def licensee(self, obj: ReturnPeriod) -> str:
        return obj.party.legal_name

    @admin.display(description=_("status"), ordering="queue_rank")
    def status(self, obj: ReturnPeriod) -> str:
        return format_html('<span data-status="{}">{}</span>', obj.status(), obj.status_label())

    @admin.display(description=_("latest version"), ordering="latest_version")
    def latest_version(self, obj: Any) -> Any:
        return obj.latest_version or "-"

    @admin.display(description=_("flags"), ordering="current_flags")
    def flags(self, obj: Any) -> Any:
        if obj.current_flags is None:
            return "-"
        return obj.current_flags

    @admin.display(description=_("licence"))
    def licence_link(self, obj: ReturnPeriod) -> str:
        return link_to(obj.licence)

    @admin.display(description=_("licensee"))
    def party_link(self, obj: ReturnPeriod) -> str:
        return link_to(obj.party)

    @admin.display(description=_("versions"))
    def versions(self, obj: ReturnPeriod) -> str:
        filed = obj.returns.order_by("-version").only("pk", "version", "filed_at", "flag_count")
        if not filed:
            return "-"
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li><a href="{}">{}</a> · {} · {}: {}</li>',
                (
                    (
                        reverse("admin:returns_return_change", args=[r.pk]),
                        _("version %(version)s") % {"version": r.version},
                        timezone.localtime(r.filed_at).strftime("%Y-%m-%d %H:%M"),
                        _("flags"),
                        r.flag_count,
                    )
                    for r in filed
                ),
            ),
        )

    @admin.display(description=_("overdue task"))
    def task_link(self, obj: ReturnPeriod) -> str:
        try:
            return link_to(obj.task)
        except ReturnTask.DoesNotExist:
            return "-"


class LineInline(ReadOnlyInline):
    model = ReturnLine
    fields = ("product_type", "measure", *QUANTITIES, "balance")
    readonly_fields = fields

    @admin.display(description=_("balance"))
    def balance(self, obj: ReturnLine) -> Any:
        return obj.balance()


class CounterpartInline(ReadOnlyInline):
    model = ReturnCounterpart
    fields = (
        "role",
        "name",
        "country",
        "registration_number",
        "tax_number",
        "licence_number",
        "product_type",
        "measure",
        "quantity",
        "traded_on",
    )
    readonly_fields = fields


class PaymentInline(ReadOnlyInline):
    model = ReturnPayment
    fields = ("method", "bank_name", "bank_country", "amount", "currency")
    readonly_fields = fields


@admin.register(Return)
class ReturnAdmin(ReturnsPageMixin, ReadOnlyAdmin):
    """A return's page: its versions are separate records, the latest is the one that counts.
    The checks are due diligence's panel (``licensing.admin.panels``), drawn above the form."""

    change_form_template = CHANGE_FORM

    list_display = ("__str__", "licence_number", "licensee", "version", "filed_at", "flag_count")
    list_filter = ("filed_through", "period__frequency")
    list_select_related = ("period__licence", "period__party")
    search_fields = ("=period__licence__number", "period__party__legal_name")
    actions = (export_selected_returns,)
    fields = (
        "period_link",
        "licence_link",
        "party_link",
        "version",
        "current",
        "filed_by",
        "filed_at",
        "filed_through",
        "reason",
        "flag_count",
        "checked_at",
    )
    readonly_fields = fields
    inlines = (LineInline, CounterpartInline, PaymentInline)

    def get_queryset(self, request: http.HttpRequest) -> QuerySet[Any]:
        return (
            super()
            .get_queryset(request)
            .select_related("period__licence", "period__party", "filed_by")
        )

    def chart_for(self, obj: Return) -> Any:
        return volumes_chart(obj.period.party, upto=obj.period.starts_on)

    @admin.display(description=_("licence number"), ordering="period__licence__number")
    def licence_number(self, obj: Return) -> str:
        return obj.period.licence.number

    @admin.display(description=_("licensee"), ordering="period__party__legal_name")
    def licensee(self, obj: Return) -> str:
        return obj.period.party.legal_name

    @admin.display(description=_("period"))
    def period_link(self, obj: Return) -> str:
        return link_to(obj.period)

    @admin.display(description=_("licence"))
    def licence_link(self, obj: Return) -> str:
        return link_to(obj.period.licence)

    @admin.display(description=_("licensee"))
    def party_link(self, obj: Return) -> str:
        return link_to(obj.period.party)

    @admin.display(description=_("current version"), boolean=True)
    def current(self, obj: Return) -> bool:
        return obj.is_current
