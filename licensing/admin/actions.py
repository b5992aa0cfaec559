"""Decision buttons on the officers' change pages, routed through the services.

django-fsm-2's ``FSMAdminMixin`` draws a button per available transition and, when pressed, runs
the model method and saves the object itself. That would bypass the services (row lock, reason,
four eyes, audit event, e-mail), so this mixin keeps its URL and its per-transition form page but
replaces what runs: each button is an ``AdminAction`` whose ``run`` calls one service function,
and whose ``blockers`` are the same checks the service raises, so a disabled button shows the
reason the service would give."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import http
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_fsm.admin import FSMAdminMixin

from licensing.admin.forms import ActionForm
from licensing.admin.panels import panels_for
from licensing.exceptions import DomainError, PermissionDenied, TransitionNotAllowed
from licensing.transitions import blockers as transition_blockers

Blockers = Callable[[Any, Any], list[DomainError]]
Runner = Callable[[Any, Any, dict[str, Any]], Any]


@dataclass(frozen=True)
class AdminAction:
    """One decision step an officer can take from the change page."""

    name: str
    label: str | Promise
    run: Runner  # (obj, user, cleaned form data) -> calls one service
    transition: str | None = None  # the FSM transition it runs, for its checks
    # Whether the step exists for this record at all (a reply only to a request sent): when
    # not, the step is refused as a wrong state, before the transition's own checks.
    applies: Callable[[Any], bool] | None = None
    # Checks beyond the transition's own (or all of them, for steps that are not transitions).
    blockers: Blockers | None = None
    form: type[ActionForm] | None = None
    help_text: str | Promise = ""
    danger: bool = False
    # Reasons that mean "not for now" rather than "blocked": the button is not drawn.
    hide_when: tuple[type[DomainError], ...] = ()
    # Shown on the confirmation page: what the officer is about to confirm.
    summary: Callable[[Any], list[tuple[str | Promise, str]]] | None = None
    # What the officer is told afterwards, when "done" is not true yet (a queued job).
    done_message: str | Promise = ""

    def why_not(self, obj: Any, user: Any) -> list[DomainError]:
        if self.applies is not None and not self.applies(obj):
            return [TransitionNotAllowed()]
        found: list[DomainError] = []
        if self.transition is not None:
            found.extend(transition_blockers(obj, self.transition, user))
        if self.blockers is not None and not found:
            found.extend(self.blockers(obj, user))
        return found


@dataclass
class ActionButton:
    name: str
    label: str | Promise
    url: str
    enabled: bool
    danger: bool
    reasons: list[str] = field(default_factory=list)


def hidden(found: list[DomainError]) -> bool:
    """Wrong state or no permission: the button is not for this user now, so not drawn. Any
    other reason (fee unpaid, condition open, four eyes) is drawn disabled with the reason."""
    return bool(found) and type(found[0]) in (TransitionNotAllowed, PermissionDenied)


class ConfirmForm(ActionForm):
    """Steps that ask for nothing but a deliberate second click."""


class ServiceActionsAdmin(FSMAdminMixin):
    """Change pages with decision buttons; every button goes through a service."""

    change_form_template = "admin/licensing/change_form.html"
    fsm_fields = ["state"]
    fsm_transition_form_template = "admin/licensing/action_form.html"
    service_actions: tuple[AdminAction, ...] = ()

    # What FSMAdminMixin would run directly: refused, so the services stay the one door.

    def _apply_fsm_transition(self, **kwargs: Any) -> bool:
        raise DjangoPermissionDenied("Transitions run through the service actions only.")

    def changeform_view(
        self,
        request: http.HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> http.HttpResponse:
        if request.method == "POST" and self.fsm_post_param in request.POST:
            raise DjangoPermissionDenied("Transitions run through the service actions only.")
        return super().changeform_view(request, object_id, form_url, extra_context)

    def response_change(self, request: http.HttpRequest, obj: Any) -> http.HttpResponse:
        return admin.ModelAdmin.response_change(self, request, obj)

    def _get_fsm_extra_context(self, *, request: http.HttpRequest, obj: Any) -> Any:
        return ()  # the buttons are drawn from ``action_buttons`` instead

    def get_urls(self) -> list[URLPattern]:
        meta = self.model._meta
        return [
            path(
                "<path:object_id>/action/<str:action_name>/",
                self.admin_site.admin_view(self.action_view),
                name=f"{meta.app_label}_{meta.model_name}_action",
            ),
            # FSMAdminMixin's own transition URL, kept only to refuse it.
            *[p for p in super().get_urls() if not str(p.pattern).endswith("transition/")],
        ]

    def action_buttons(self, request: http.HttpRequest, obj: Any) -> list[ActionButton]:
        meta = self.model._meta
        buttons = []
        for action in self.service_actions:
            found = action.why_not(obj, request.user)
            if hidden(found) or (found and isinstance(found[0], action.hide_when)):
                continue
            buttons.append(
                ActionButton(
                    name=action.name,
                    label=action.label,
                    url=reverse(
                        f"admin:{meta.app_label}_{meta.model_name}_action",
                        args=[obj.pk, action.name],
                    ),
                    enabled=not found,
                    danger=action.danger,
                    reasons=[str(error) for error in found],
                )
            )
        return buttons

    def change_view(
        self,
        request: http.HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> http.HttpResponse:
        obj = self.get_object(request, object_id)
        context = dict(extra_context or {})
        if obj is not None:
            context["action_buttons"] = self.action_buttons(request, obj)
            context["extra_panels"] = panels_for(request, obj)
        # Past FSMAdminMixin, whose own buttons would run transitions without the services.
        return super(FSMAdminMixin, self).change_view(request, object_id, form_url, context)

    def action_view(
        self, request: http.HttpRequest, object_id: str, action_name: str
    ) -> http.HttpResponse:
        obj = self.get_object(request, object_id)
        if obj is None or not self.has_view_permission(request, obj):
            raise http.Http404
        action = next((a for a in self.service_actions if a.name == action_name), None)
        if action is None:
            raise http.Http404
        change_url = reverse(
            f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk]
        )
        found = action.why_not(obj, request.user)
        if found:
            for error in found:
                self.message_user(request, str(error), messages.ERROR)
            return redirect(change_url)
        form_class = action.form or ConfirmForm
        form = form_class(request.POST if request.method == "POST" else None, obj=obj)
        if request.method == "POST" and form.is_valid():
            try:
                action.run(obj, request.user, form.cleaned_data)
            except DomainError as error:
                # Another officer may have acted since the page was drawn: say what the
                # service said, and keep what was typed.
                form.add_error(None, str(error))
            else:
                self.message_user(
                    request,
                    str(action.done_message or _("%(action)s: done.") % {"action": action.label}),
                    messages.SUCCESS,
                )
                return redirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": obj,
            "action": action,
            "form": form,
            "summary": action.summary(obj) if action.summary else [],
            "change_url": change_url,
            "title": f"{action.label}: {obj}",
        }
        return TemplateResponse(request, self.fsm_transition_form_template, context)
