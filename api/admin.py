"""Partner authorities in the officers' admin: senior officers register one (its client secret
shown once), change what it is granted, issue a new secret, revoke it; auditors read. Every
call a partner made is listed, read only. Every write goes through ``api.services.partners``."""

from __future__ import annotations

from typing import Any

from django import http
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _

from api.forms import PartnerForm, RevokeForm
from api.models import ApiCall, PartnerClient
from api.services import partners
from licensing.admin.actions import ActionButton
from licensing.admin.base import KeptAdmin
from licensing.exceptions import DomainError


@admin.register(PartnerClient)
class PartnerClientAdmin(KeptAdmin):
    form = PartnerForm
    list_display = ("authority", "scopes_", "expires_on", "access")
    list_filter = ("authority__country",)
    search_fields = ("authority__name",)
    list_select_related = ("authority",)

    def change_view(
        self,
        request: http.HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> http.HttpResponse:
        obj = self.get_object(request, object_id)
        context = dict(extra_context or {})
        if obj is not None and obj.revoked_at is None and request.user.has_perm(partners.MANAGE):
            context["action_buttons"] = [
                ActionButton(
                    "new_secret",
                    _("Issue a new secret"),
                    reverse("admin:api_partnerclient_new_secret", args=[obj.pk]),
                    enabled=True,
                    danger=False,
                ),
                ActionButton(
                    "revoke",
                    _("Revoke access"),
                    reverse("admin:api_partnerclient_revoke", args=[obj.pk]),
                    enabled=True,
                    danger=True,
                ),
            ]
        return super().change_view(request, object_id, form_url, context)

    def get_readonly_fields(self, request: http.HttpRequest, obj: Any = None) -> Any:
        fixed = ("client_id", "created_by", "revoked_at", "revoked_by", "revocation_reason")
        if obj is None:
            return ()
        if obj.revoked_at is not None or not self.has_change_permission(request, obj):
            return (*PartnerForm.Meta.fields, *fixed)
        return ("authority", "contact_email", *fixed)

    def get_fields(self, request: http.HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return PartnerForm.Meta.fields
        return (
            *PartnerForm.Meta.fields,
            "client_id",
            "created_by",
            "revoked_at",
            "revoked_by",
            "revocation_reason",
        )

    def has_add_permission(self, request: http.HttpRequest) -> bool:
        return request.user.has_perm(partners.MANAGE)

    def has_change_permission(self, request: http.HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm(partners.MANAGE)

    @admin.display(description=_("scopes"))
    def scopes_(self, obj: PartnerClient) -> str:
        return ", ".join(obj.scopes) or "-"

    @admin.display(description=_("access"))
    def access(self, obj: PartnerClient) -> str:
        if obj.revoked_at is not None:
            return str(_("revoked"))
        return str(_("active") if obj.is_usable() else _("expired"))

    @admin.display(description=_("client id"))
    def client_id(self, obj: PartnerClient) -> str:
        return obj.application.client_id

    def save_model(self, request: http.HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = form.cleaned_data
        try:
            if change:
                partners.change_grant(
                    client_id=obj.pk,
                    scopes=data["scopes"],
                    expires_on=data["expires_on"],
                    rate=data["rate"],
                    by=request.user,
                )
                return
            client, secret = partners.register_partner(
                authority=data["authority"],
                contact_email=data["contact_email"],
                scopes=data["scopes"],
                expires_on=data["expires_on"],
                rate=data["rate"],
                by=request.user,
            )
        except DomainError as error:
            raise DjangoPermissionDenied(str(error.message)) from error
        obj.pk = client.pk
        self._show_secret(request, client, secret)

    def _show_secret(self, request: http.HttpRequest, client: PartnerClient, secret: str) -> None:
        self.message_user(
            request,
            _(
                "Give these to %(name)s by a secure channel. The secret is shown only now; it "
                "is kept hashed. Client id: %(id)s  Client secret: %(secret)s"
            )
            % {"name": client.name, "id": client.application.client_id, "secret": secret},
            messages.WARNING,
        )

    def log_addition(self, request: Any, obj: Any, message: Any) -> Any:
        return None  # the service wrote the audit event

    def log_change(self, request: Any, obj: Any, message: Any) -> Any:
        return None

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:pk>/revoke/",
                self.admin_site.admin_view(self.revoke_view),
                name="api_partnerclient_revoke",
            ),
            path(
                "<int:pk>/new-secret/",
                self.admin_site.admin_view(self.new_secret_view),
                name="api_partnerclient_new_secret",
            ),
            *super().get_urls(),
        ]

    def _partner(self, request: http.HttpRequest, pk: int) -> PartnerClient:
        if not request.user.has_perm(partners.MANAGE):
            raise DjangoPermissionDenied
        client = PartnerClient.objects.filter(pk=pk).first()
        if client is None:
            raise http.Http404
        return client

    def revoke_view(self, request: http.HttpRequest, pk: int) -> http.HttpResponse:
        client = self._partner(request, pk)
        form = RevokeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                partners.revoke_partner(
                    client_id=client.pk, by=request.user, reason=form.cleaned_data["reason"]
                )
            except DomainError as error:
                self.message_user(request, str(error.message), messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("The access of %(name)s is revoked.") % {"name": client.name},
                    messages.SUCCESS,
                )
            return redirect("admin:api_partnerclient_change", client.pk)
        return self._confirm(request, client, form, _("Revoke the access of %(name)s"))

    def new_secret_view(self, request: http.HttpRequest, pk: int) -> http.HttpResponse:
        client = self._partner(request, pk)
        if request.method == "POST":
            try:
                secret = partners.new_secret(client_id=client.pk, by=request.user)
            except DomainError as error:
                self.message_user(request, str(error.message), messages.ERROR)
            else:
                self._show_secret(request, client, secret)
            return redirect("admin:api_partnerclient_change", client.pk)
        return self._confirm(request, client, None, _("Issue a new secret to %(name)s"))

    def _confirm(
        self, request: http.HttpRequest, client: PartnerClient, form: Any, title: Any
    ) -> http.HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": title % {"name": client.name},
            "opts": self.model._meta,
            "original": client,
            "form": form,
        }
        return TemplateResponse(request, "admin/api/partnerclient/confirm.html", context)


@admin.register(ApiCall)
class ApiCallAdmin(admin.ModelAdmin):
    """Read only for everyone: the record of what was disclosed to whom (Art. 21)."""

    list_display = ("at", "client", "method", "endpoint", "status", "records")
    list_filter = ("client", "method", "status")
    list_select_related = ("client__authority",)
    date_hierarchy = "at"
    show_full_result_count = False
    list_per_page = 100

    def has_add_permission(self, request: http.HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: http.HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: http.HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: http.HttpRequest) -> dict[str, Any]:
        return {}

    @admin.display(description=_("records returned"))
    def records(self, obj: ApiCall) -> str:
        ids = [str(i) for i in obj.object_ids or []]
        return ", ".join(ids[:5]) + (" …" if len(ids) > 5 else "") if ids else "-"
