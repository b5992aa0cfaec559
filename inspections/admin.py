"""Inspections in the officers' admin (Art. 6.3(e)): the list with its filters, a month
calendar, the review and reopen buttons, follow-ups of a finding, ad hoc inspections, the
findings, and the checklist templates with their versions."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from django import forms, http
from django.contrib import admin
from django.db.models import QuerySet
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inspections.models import (
    OPEN_STATES,
    ChecklistTemplate,
    Finding,
    Inspection,
    InspectionKind,
    Question,
)
from inspections.seizure_action import OPEN_SEIZURE
from inspections.services import inspections as services
from inspections.services.errors import NotAFindingOfThis, SiteNotOfLicence
from licensing.admin.actions import AdminAction, ServiceActionsAdmin
from licensing.admin.base import KeptAdmin, KeptInline, ReadOnlyInline, link_to
from licensing.admin.forms import ActionForm, ReasonForm
from licensing.exceptions import DomainError, PermissionDenied, TransitionNotAllowed


class FollowUpForm(ActionForm):
    finding = forms.ModelChoiceField(label=_("Finding"), queryset=Finding.objects.none())
    planned_on = forms.DateField(
        label=_("Planned date"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, data: object = None, *, obj: Any = None) -> None:
        super().__init__(data, obj=obj)
        self.fields["finding"].queryset = obj.findings.order_by("pk")  # type: ignore[attr-defined]


def _follow_up_blockers(inspection: Inspection, user: Any) -> list[DomainError]:
    if not user.has_perm("inspections.add_inspection"):
        return [PermissionDenied()]
    if not inspection.findings.exists():
        return [TransitionNotAllowed(_("This inspection has no finding."))]
    return []


INSPECTION_ACTIONS = (
    AdminAction(
        "review",
        _("Review"),
        transition="review",
        run=lambda i, u, d: services.review_inspection(inspection_id=i.pk, by=u),
        help_text=_("The inspection report is printed and sent to the holder's portal."),
    ),
    AdminAction(
        "reopen",
        _("Reopen"),
        transition="reopen",
        form=ReasonForm,
        run=lambda i, u, d: services.reopen_inspection(
            inspection_id=i.pk, by=u, reason=d["reason"]
        ),
        help_text=_("The inspector corrects the record and submits it again."),
    ),
    AdminAction(
        "follow_up",
        _("Plan a follow-up inspection"),
        blockers=_follow_up_blockers,
        form=FollowUpForm,
        run=lambda i, u, d: services.plan_follow_up(
            finding_id=d["finding"].pk, by=u, planned_on=d["planned_on"]
        ),
    ),
    OPEN_SEIZURE,
)


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request: http.HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("overdue"))]

    def queryset(self, request: http.HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(state__in=OPEN_STATES, planned_on__lt=timezone.localdate())
        return queryset


class FindingInline(ReadOnlyInline):
    model = Finding
    fields = ("severity", "kind", "description", "serial", "machine", "remedy_by", "case")
    readonly_fields = fields

    @admin.display(description=_("seizure case"))
    def case(self, obj: Finding) -> str:
        return link_to(obj.seizure_case) if obj.seizure_case_id else "-"


class PlanForm(forms.ModelForm):
    """An officer's ad hoc or follow-up inspection; the service checks the site and picks
    the inspector when none is named."""

    kind = forms.ChoiceField(
        label=_("kind"),
        choices=[
            (InspectionKind.AD_HOC, InspectionKind.AD_HOC.label),
            (InspectionKind.FOLLOW_UP, InspectionKind.FOLLOW_UP.label),
        ],
    )

    class Meta:
        model = Inspection
        fields = ("licence", "site", "kind", "planned_on", "inspector", "follow_up_of")

    def clean(self) -> dict[str, Any]:
        # What the service refuses, said at the field, so that the form is shown again.
        data = super().clean() or {}
        licence, site, finding = data.get("licence"), data.get("site"), data.get("follow_up_of")
        if licence is not None and site is not None and not licence.sites.filter(pk=site.pk):
            self.add_error("site", SiteNotOfLicence.default_message)
        if finding is not None and licence is not None and finding.inspection.licence != licence:
            self.add_error("follow_up_of", NotAFindingOfThis.default_message)
        return data


@admin.register(Inspection)
class InspectionAdmin(ServiceActionsAdmin, KeptAdmin):
    service_actions = INSPECTION_ACTIONS
    list_display = ("planned_on", "licence", "holder", "site", "kind", "inspector", "state")
    list_filter = ("state", OverdueFilter, "kind", "inspector", "outcome")
    list_select_related = ("licence__holder", "site", "inspector")
    search_fields = ("=licence__number", "licence__holder__legal_name")
    date_hierarchy = "planned_on"
    raw_id_fields = ("licence", "site", "follow_up_of")
    readonly_fields = (
        "licence_link",
        "site",
        "kind",
        "planned_on",
        "period",
        "inspector",
        "state",
        "template",
        "started_at",
        "submitted_at",
        "serials_seen",
        "licensed_capacity",
        "observed_capacity",
        "persons_present",
        "summary",
        "outcome",
        "reviewed_by",
        "reviewed_at",
        "report",
    )
    inlines = (FindingInline,)
    change_list_template = "admin/inspections/inspection/change_list.html"

    def get_form(
        self, request: http.HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = PlanForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request: http.HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return PlanForm.Meta.fields
        return self.readonly_fields

    def get_readonly_fields(self, request: http.HttpRequest, obj: Any = None) -> Any:
        return () if obj is None else self.readonly_fields

    def get_inlines(self, request: http.HttpRequest, obj: Any) -> Any:
        return self.inlines if obj is not None else ()

    def has_change_permission(self, request: http.HttpRequest, obj: Any = None) -> bool:
        return False if obj is not None else super().has_change_permission(request, obj)

    def save_model(self, request: http.HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = form.cleaned_data
        try:
            created = services.plan_inspection(
                licence_id=data["licence"].pk,
                site_id=data["site"].pk,
                by=request.user,
                kind=data["kind"],
                planned_on=data["planned_on"],
                inspector=data.get("inspector"),
                follow_up_of_id=data["follow_up_of"].pk if data.get("follow_up_of") else None,
            )
        except DomainError as error:
            raise forms.ValidationError(str(error)) from error
        obj.pk = created.pk
        obj.__dict__.update({k: v for k, v in created.__dict__.items() if k != "_state"})
        obj._state.adding = False

    def get_queryset(self, request: http.HttpRequest) -> QuerySet[Inspection]:
        return services.inspections_for(request.user)

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "calendar/",
                self.admin_site.admin_view(self.calendar_view),
                name="inspections_inspection_calendar",
            ),
            *super().get_urls(),
        ]

    def calendar_view(self, request: http.HttpRequest) -> http.HttpResponse:
        """A month as a table, server-rendered: each day's inspections."""
        if not self.has_view_permission(request):
            raise http.Http404
        today = timezone.localdate()
        try:
            month = dt.date.fromisoformat(f"{request.GET.get('month', '')}-01")
        except ValueError:
            month = today.replace(day=1)
        weeks = calendar.Calendar().monthdatescalendar(month.year, month.month)
        planned = self.get_queryset(request).filter(
            planned_on__gte=weeks[0][0], planned_on__lte=weeks[-1][-1]
        )
        by_day: dict[dt.date, list[Inspection]] = {}
        for inspection in planned.order_by("planned_on", "pk"):
            by_day.setdefault(inspection.planned_on, []).append(inspection)
        previous = (month - dt.timedelta(days=1)).replace(day=1)
        following = (month + dt.timedelta(days=32)).replace(day=1)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Inspection calendar"),
            "month": month,
            "today": today,
            "weeks": [[(day, by_day.get(day, [])) for day in week] for week in weeks],
            "previous": f"{previous:%Y-%m}",
            "following": f"{following:%Y-%m}",
        }
        return TemplateResponse(request, "admin/inspections/inspection/calendar.html", context)

    @admin.display(description=_("holder"))
    def holder(self, obj: Inspection) -> str:
        return str(obj.licence.holder)

    @admin.display(description=_("licence"))
    def licence_link(self, obj: Inspection) -> str:
        return link_to(obj.licence)


@admin.register(Finding)
class FindingAdmin(KeptAdmin):
    """The findings per licence: filter by severity, search by licence number."""

    list_display = ("inspection", "licence", "severity", "kind", "description", "remedy_by")
    list_filter = ("severity", "kind")
    list_select_related = ("inspection__licence",)
    search_fields = ("=inspection__licence__number", "inspection__licence__holder__legal_name")
    readonly_fields = (
        "inspection",
        "kind",
        "severity",
        "description",
        "serial",
        "machine",
        "remedy_by",
    )

    def has_add_permission(self, request: http.HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: http.HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("licence"))
    def licence(self, obj: Finding) -> str:
        return obj.inspection.licence.number


class QuestionInline(KeptInline):
    model = Question
    fields = ("position", "text", "article", "answer_type", "mandatory")

    def has_change_permission(self, request: http.HttpRequest, obj: Any = None) -> bool:
        # A version that an inspection answered never changes: add a new version instead.
        return obj is None or not obj.in_use

    def has_add_permission(self, request: http.HttpRequest, obj: Any = None) -> bool:
        return obj is None or not obj.in_use


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(KeptAdmin):
    list_display = ("title", "group", "version")
    list_filter = ("group",)
    inlines = (QuestionInline,)

    def has_change_permission(self, request: http.HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.in_use:
            return False
        return super().has_change_permission(request, obj)
