"""Assistance cases (Art. 21, 28) in the officers' admin: the list with its filters (state,
direction, due), the page that records a case, and the buttons that assign, take up, prepare
and send the answer (four eyes when it holds personal data), record a reply or decline with
the ground. Every write goes through ``cooperation.services``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import http
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.db.models import QuerySet
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from cooperation.forms import AssignForm, CaseForm, DeclineForm, PrepareAnswerForm, ReplyForm
from cooperation.models import AssistanceCase, CaseState, Direction, Section
from cooperation.models.cases import HANDLE, OPEN_STATES
from cooperation.services import answers, cases
from licensing.admin.actions import AdminAction, ServiceActionsAdmin
from licensing.admin.base import KeptAdmin
from licensing.admin.issued import own_document_response
from licensing.exceptions import DomainError, PermissionDenied, TransitionNotAllowed


def _prepare_blockers(case: AssistanceCase, user: Any) -> list[DomainError]:
    if case.state != CaseState.IN_PROGRESS or case.direction == Direction.OUTBOUND:
        return [TransitionNotAllowed()]
    if not user.has_perm(HANDLE):
        return [PermissionDenied()]
    return []


def _sent_by_us(case: AssistanceCase) -> bool:
    return case.direction == Direction.OUTBOUND


def _sections_text(case: AssistanceCase) -> str:
    labels = dict(Section.choices)
    return ", ".join(str(labels.get(s, s)) for s in case.sections or ()) or "-"


def _answer_summary(case: AssistanceCase) -> list[tuple[Any, str]]:
    # The second officer confirms whose records leave, not only where to.
    return [
        (_("To"), str(case.authority)),
        (_("About"), cases.subject_text(case)),
        (_("Party concerned"), str(case.party) if case.party_id is not None else "-"),
        (_("Register as of"), case.reads_as_of.isoformat()),
        (_("The answer holds"), _sections_text(case)),
        (_("Holds personal data"), str(_("yes") if case.personal_data else _("no"))),
        (
            _("Prepared by"),
            case.prepared_by.get_username() if case.prepared_by is not None else "-",
        ),
    ]


CASE_ACTIONS = (
    AdminAction(
        "assign",
        _("Assign"),
        transition="assign",
        form=AssignForm,
        run=lambda c, u, d: cases.assign_case(case_id=c.pk, to=d["officer"], by=u),
    ),
    AdminAction(
        "start",
        _("Start work"),
        transition="start",
        run=lambda c, u, d: cases.start_case(case_id=c.pk, by=u),
    ),
    AdminAction(
        "prepare",
        _("Prepare the answer"),
        blockers=_prepare_blockers,
        form=PrepareAnswerForm,
        run=lambda c, u, d: answers.prepare_answer(
            case_id=c.pk, by=u, sections=list(d["sections"]), text=d["text"]
        ),
        help_text=_(
            "Choose what the answer holds, read from the register as it stood on the day "
            "asked. Personal data go only to an authority allowed to receive them, and only "
            "once a second officer has confirmed the answer (Art. 5, 22.2)."
        ),
    ),
    AdminAction(
        "send",
        _("Send the answer"),
        transition="answer",
        applies=lambda c: not _sent_by_us(c),
        summary=_answer_summary,
        run=lambda c, u, d: answers.send_answer(case_id=c.pk, by=u),
        help_text=_(
            "The answer is issued as a signed document with the purpose limitation of "
            "Art. 21.2, and each record in it is written to the register of disclosures."
        ),
    ),
    AdminAction(
        "reply",
        _("Record the reply"),
        transition="answer",
        applies=_sent_by_us,
        form=ReplyForm,
        run=lambda c, u, d: cases.record_reply(case_id=c.pk, by=u, reply=d["reply"]),
    ),
    AdminAction(
        "decline",
        _("Decline"),
        transition="decline",
        form=DeclineForm,
        danger=True,
        run=lambda c, u, d: cases.decline_case(
            case_id=c.pk, by=u, ground=d["ground"], reason=d["reason"]
        ),
    ),
)


class DueFilter(admin.SimpleListFilter):
    title = _("due")
    parameter_name = "due"

    def lookups(self, request: http.HttpRequest, model_admin: Any) -> Any:
        return (
            ("overdue", _("overdue")),
            ("soon", _("due within %(days)d days") % {"days": settings.ASSISTANCE_REMIND_DAYS}),
        )

    def queryset(self, request: http.HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        today = timezone.localdate()
        still_open = queryset.filter(state__in=OPEN_STATES)
        if self.value() == "overdue":
            return still_open.filter(due_on__lt=today)
        if self.value() == "soon":
            soon = today + dt.timedelta(days=settings.ASSISTANCE_REMIND_DAYS)
            return still_open.filter(due_on__gte=today, due_on__lte=soon)
        return queryset


@admin.register(AssistanceCase)
class AssistanceCaseAdmin(ServiceActionsAdmin, KeptAdmin):
    service_actions = CASE_ACTIONS
    form = CaseForm
    list_display = (
        "reference",
        "direction",
        "authority",
        "subject_kind",
        "received_on",
        "due",
        "state",
        "assigned_to",
    )
    list_filter = ("state", "direction", DueFilter, "confidentiality", "authority__country")
    list_select_related = ("authority", "assigned_to")
    search_fields = ("=reference", "their_reference", "party__legal_name", "=licence__number")
    raw_id_fields = ("licence", "party", "machine", "seizure")
    date_hierarchy = "received_on"

    def get_fieldsets(self, request: http.HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return [(None, {"fields": CaseForm.Meta.fields})]
        return [
            (
                _("Request"),
                {
                    "fields": (
                        "reference",
                        "state",
                        "direction",
                        "authority",
                        "their_reference",
                        "received_on",
                        "due_on",
                        "question",
                        "justification",
                        "confidentiality",
                        "as_of",
                        "recorded_by",
                        "assigned_to",
                    )
                },
            ),
            (
                _("About"),
                {
                    "fields": (
                        "subject_kind",
                        "licence",
                        "party",
                        "machine",
                        "seizure",
                        "consignment",
                    )
                },
            ),
            (
                _("Answer"),
                {
                    "fields": (
                        "answer_holds",
                        "answer_text",
                        "personal_data",
                        "prepared_by",
                        "prepared_at",
                        "answered_by",
                        "answered_at",
                        "document",
                        "decline_ground",
                        "reminded_on",
                        "escalated_on",
                    )
                },
            ),
        ]

    def get_readonly_fields(self, request: http.HttpRequest, obj: Any = None) -> Any:
        # A recorded case is read only: it changes through its buttons.
        return () if obj is None else flatten_fieldsets(self.get_fieldsets(request, obj))

    def has_change_permission(self, request: http.HttpRequest, obj: Any = None) -> bool:
        # A recorded case changes only through its buttons.
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request: http.HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            cases.record_case(case=obj, by=request.user)

    @admin.display(description=_("due on"), ordering="due_on")
    def due(self, obj: AssistanceCase) -> str:
        if obj.due_on is None:
            return "-"
        day = date_format(obj.due_on)  # as the list's other dates
        if obj.is_open and obj.due_on < timezone.localdate():
            return format_html('<strong class="overdue">{} ({})</strong>', day, _("late"))
        return day

    @admin.display(description=_("the answer holds"))
    def answer_holds(self, obj: AssistanceCase) -> str:
        return _sections_text(obj)

    @admin.display(description=_("answer document"))
    def document(self, obj: AssistanceCase) -> str:
        document = obj.answer_document
        if document is None:
            return "-"
        url = reverse("admin:cooperation_assistancecase_answer", args=[obj.pk])
        return format_html(
            '<a href="{}">{}</a> ({})', url, document.code, document.signature_level or "-"
        )

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<path:object_id>/answer/",
                self.admin_site.admin_view(self.answer_view),
                name="cooperation_assistancecase_answer",
            ),
            *super().get_urls(),
        ]

    def answer_view(self, request: http.HttpRequest, object_id: str) -> Any:
        """The signed answer as it was sent."""
        return own_document_response(self, request, object_id, lambda c: c.answer_document)
