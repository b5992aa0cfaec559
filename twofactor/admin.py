"""Resetting a lost second factor, in the admin: a senior officer or a superuser asks (with a
reason); for a senior officer's or a superuser's factor a second, different one decides. The
list is the record of every reset, kept for ever. Views call twofactor.resets."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from licensing.exceptions import DomainError
from twofactor import resets
from twofactor.forms import DecisionForm, ResetForm
from twofactor.models import FactorReset

# django-otp's own device admins would let a superuser read a TOTP secret or add a device for
# someone else, outside the audit trail: the services and the reset pages are the one door.
for device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(device_model):
        admin.site.unregister(device_model)


class NewResetForm(ResetForm):
    target = forms.ModelChoiceField(
        label=_("User"),
        queryset=get_user_model().objects.none(),
        help_text=_("Every authenticator and recovery code of this user is deleted."),
    )
    field_order = ["target", "reason"]

    def __init__(self, *args: Any, by: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        users = get_user_model().objects.filter(is_active=True).exclude(pk=by.pk)
        self.fields["target"].queryset = users.order_by("username")  # type: ignore[attr-defined]


@admin.register(FactorReset)
class FactorResetAdmin(admin.ModelAdmin):
    list_display = ["target", "state", "requested_by", "requested_at", "decided_by", "decide"]
    list_filter = ["state"]
    list_select_related = ["target", "requested_by", "decided_by"]
    readonly_fields = [f.name for f in FactorReset._meta.fields]
    change_list_template = "admin/twofactor/factorreset/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the record of a reset is kept

    @admin.display(description=_("decision"))
    def decide(self, obj: FactorReset) -> str:
        if obj.state != FactorReset.State.REQUESTED:
            return ""
        url = reverse("admin:twofactor_factorreset_decide", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Decide"))

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path("reset/", view(self.reset_view), name="twofactor_factorreset_reset"),
            path("<int:pk>/decide/", view(self.decide_view), name="twofactor_factorreset_decide"),
            *super().get_urls(),
        ]

    def _page(self, request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
        return TemplateResponse(
            request,
            "admin/twofactor/factorreset/form.html",
            {**self.admin_site.each_context(request), "opts": self.model._meta, **context},
        )

    def reset_view(self, request: HttpRequest) -> HttpResponse:
        """ASVS V6.4.4: a lost factor is reset by someone else, who gives a reason."""
        if not resets.may_reset(request.user):
            raise PermissionDenied
        initial = {"target": request.GET.get("user")}
        form = NewResetForm(request.POST or None, by=request.user, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                reset = resets.reset_factors(
                    target=form.cleaned_data["target"],
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                if reset.state == FactorReset.State.REQUESTED:
                    message = _(
                        "A second senior officer must approve this reset before %(user)s can "
                        "set up a new factor."
                    )
                else:
                    message = _("%(user)s sets up a new second factor at the next log-in.")
                self.message_user(request, message % {"user": reset.target}, messages.SUCCESS)
                return redirect("admin:twofactor_factorreset_changelist")
        return self._page(request, {"form": form, "title": _("Reset a second factor")})

    def decide_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Four eyes: a second senior officer, not the requester and not the target."""
        if not resets.may_reset(request.user):
            raise PermissionDenied
        reset = get_object_or_404(FactorReset, pk=pk)
        form = DecisionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            note = form.cleaned_data["note"]
            try:
                if "_refuse" in request.POST:
                    resets.refuse_reset(reset_id=reset.pk, by=request.user, note=note)
                    done = _("The reset is refused; the factors stay.")
                else:
                    resets.approve_reset(reset_id=reset.pk, by=request.user, note=note)
                    done = _("The factors are reset.")
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                self.message_user(request, done, messages.SUCCESS)
                return redirect("admin:twofactor_factorreset_changelist")
        return self._page(
            request,
            {
                "form": form,
                "reset": reset,
                "deciding": True,
                "title": _("Decide on the reset of %(user)s's second factor")
                % {"user": reset.target},
            },
        )
