"""The overdue-return tasks (Art. 9.1, 9.2): the open ones first, each closed by an officer with
a note through ``returns.services.tasks.close_task`` (a filed return closes its task itself)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms, http
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import QuerySet
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from licensing.admin.actions import ActionButton, AdminAction
from licensing.admin.base import ReadOnlyAdmin, link_to
from licensing.admin.forms import ActionForm
from licensing.exceptions import DomainError
from returns.models import ReturnTask
from returns.services.tasks import CLOSE_PERMISSION, close_task


class CloseTaskForm(ActionForm):
    note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("Why the task is closed without a return, e.g. the licence has ended."),
    )

    def clean_note(self) -> str:
        note: str = self.cleaned_data["note"].strip()
        if not note:
            raise forms.ValidationError(_("A note is required."))
        return note


CLOSE = AdminAction(
    "close",
    _("Close the task"),
    form=CloseTaskForm,
    run=lambda t, u, d: close_task(task_id=t.pk, by=u, note=d["note"]),
    help_text=_("The note is kept with the task and in the audit trail."),
)


class OpenFilter(admin.SimpleListFilter):
    """Open tasks unless asked otherwise: the list is a work queue."""

    title = _("open or closed")
    parameter_name = "tasks"

    def lookups(self, request: http.HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("closed", _("closed")), ("all", _("all"))]

    def queryset(self, request: http.HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "closed":
            return queryset.filter(closed_at__isnull=False)
        if self.value() == "all":
            return queryset
        return queryset.filter(closed_at__isnull=True)

    def choices(self, changelist: Any) -> Iterator[Any]:
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": _("open"),
        }
        for value, label in self.lookup_choices:
            yield {
                "selected": self.value() == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }


@admin.register(ReturnTask)
class ReturnTaskAdmin(ReadOnlyAdmin):
    list_display = (
        "__str__",
        "licence_number",
        "licensee",
        "opened_on",
        "closed_at",
        "closed_by",
        "close_link",
    )
    list_filter = (OpenFilter,)
    list_select_related = ("period__licence", "period__party", "closed_by")
    search_fields = ("=period__licence__number", "period__party__legal_name")
    fields = (
        "period_link",
        "licence_link",
        "party_link",
        "opened_on",
        "closed_at",
        "closed_by",
        "note",
    )
    readonly_fields = fields

    def get_ordering(self, request: http.HttpRequest) -> list[str]:
        return ["period__due_on", "pk"]  # the longest overdue first

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<path:object_id>/close/",
                self.admin_site.admin_view(self.close_view),
                name="returns_returntask_close",
            ),
            *super().get_urls(),
        ]

    def may_close(self, request: http.HttpRequest, task: ReturnTask) -> bool:
        return task.closed_at is None and request.user.has_perm(CLOSE_PERMISSION)

    def change_view(
        self,
        request: http.HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> http.HttpResponse:
        task = self.get_object(request, object_id)
        context = dict(extra_context or {})
        if task is not None and self.may_close(request, task):
            context["action_buttons"] = [
                ActionButton(
                    name=CLOSE.name,
                    label=CLOSE.label,
                    url=reverse("admin:returns_returntask_close", args=[task.pk]),
                    enabled=True,
                    danger=False,
                )
            ]
        return super().change_view(request, object_id, form_url, context)

    def close_view(self, request: http.HttpRequest, object_id: str) -> http.HttpResponse:
        task = self.get_object(request, object_id)
        if task is None or not self.has_view_permission(request, task):
            raise http.Http404
        if not request.user.has_perm(CLOSE_PERMISSION):
            raise DjangoPermissionDenied
        change_url = reverse("admin:returns_returntask_change", args=[task.pk])
        if task.closed_at is not None:
            self.message_user(request, str(_("This task is closed already.")), messages.WARNING)
            return redirect(change_url)
        form = CloseTaskForm(request.POST if request.method == "POST" else None, obj=task)
        if request.method == "POST" and form.is_valid():
            try:
                CLOSE.run(task, request.user, form.cleaned_data)
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                self.message_user(request, str(_("The task is closed.")), messages.SUCCESS)
                return redirect("admin:returns_returntask_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": task,
            "action": CLOSE,
            "form": form,
            "summary": [(_("Period"), str(task.period)), (_("Licence"), task.period.licence)],
            "change_url": change_url,
            "title": f"{CLOSE.label}: {task}",
        }
        return TemplateResponse(request, "admin/licensing/action_form.html", context)

    @admin.display(description=_("licence number"), ordering="period__licence__number")
    def licence_number(self, obj: ReturnTask) -> str:
        return obj.period.licence.number

    @admin.display(description=_("licensee"), ordering="period__party__legal_name")
    def licensee(self, obj: ReturnTask) -> str:
        return obj.period.party.legal_name

    @admin.display(description="")
    def close_link(self, obj: ReturnTask) -> str:
        if obj.closed_at is not None:
            return ""
        url = reverse("admin:returns_returntask_close", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, CLOSE.label)

    @admin.display(description=_("period"))
    def period_link(self, obj: ReturnTask) -> str:
        return link_to(obj.period)

    @admin.display(description=_("licence"))
    def licence_link(self, obj: ReturnTask) -> str:
        return link_to(obj.period.licence)

    @admin.display(description=_("licensee"))
    def party_link(self, obj: ReturnTask) -> str:
        return link_to(obj.period.party)
