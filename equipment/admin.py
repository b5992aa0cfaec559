"""The officers' screens of the equipment register. Records are written by the services only:
every decision is a button (``AdminAction``) that calls one service."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from equipment.models import (
    CustodyNotice,
    DestructionLine,
    DestructionMethod,
    DestructionOrder,
    Machine,
    MachineCode,
    MachineState,
    OfficerTask,
    Part,
)
from equipment.services import custody, destruction, imports, machines
from licensing.admin.actions import AdminAction, ServiceActionsAdmin
from licensing.admin.base import KeptAdmin, ReadOnlyAdmin, ReadOnlyInline, link_to
from licensing.admin.forms import ReasonForm
from licensing.admin.identifiers import CodesAdminMixin
from licensing.admin.issued import own_document_response
from licensing.exceptions import DomainError, PermissionDenied, TransitionNotAllowed


class OrderDestructionForm(ReasonForm):
    method = forms.ChoiceField(label=_("Method"), choices=DestructionMethod.choices)
    planned_on = forms.DateField(
        label=_("Planned date"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_planned_on(self) -> dt.date:
        planned: dt.date = self.cleaned_data["planned_on"]
        if planned < timezone.localdate():
            raise forms.ValidationError(_("Choose a date from today on."))
        return planned


def _may(codename: str, state: str | None = None) -> Any:
    def check(obj: Any, user: Any) -> list[DomainError]:
        if state is not None and obj.state != state:
            return [TransitionNotAllowed()]
        return [] if user.has_perm(codename) else [PermissionDenied()]

    return check


MACHINE_ACTIONS = (
    AdminAction(
        "register",
        _("Register"),
        transition="register",
        run=lambda m, u, d: machines.register_machine(machine_id=m.pk, by=u),
    ),
    AdminAction(
        "seize",
        _("Record seizure"),
        transition="seize",
        form=ReasonForm,
        danger=True,
        run=lambda m, u, d: machines.seize_machine(machine_id=m.pk, by=u, reason=d["reason"]),
        help_text=_("Art. 18. The reason is kept in the audit trail."),
    ),
    AdminAction(
        "order_destruction",
        _("Order destruction"),
        blockers=_may("equipment.order_destruction", MachineState.SEIZED),
        form=OrderDestructionForm,
        danger=True,
        run=lambda m, u, d: destruction.order_destruction(
            machine_ids=[m.pk],
            by=u,
            reason=d["reason"],
            method=d["method"],
            planned_on=d["planned_on"],
        ),
        help_text=_("Art. 18: a seized machine is destroyed under supervision."),
    ),
)


class PartInline(ReadOnlyInline):
    model = Part
    fields = ("identifier", "description", "serial_number", "destroyed_on")
    readonly_fields = fields


class NoticeInline(ReadOnlyInline):
    model = CustodyNotice
    fk_name = "machine"
    fields = (
        "kind",
        "licence",
        "counterparty_licence",
        "foreign_supplier",
        "to_site",
        "planned_on",
        "state",
    )
    readonly_fields = fields


class MachineImportForm(forms.Form):
    file = forms.FileField(
        label=_("Register file"),
        help_text=_("CSV (UTF-8, separated by commas or semicolons) or XLSX (the first sheet)."),
    )


@admin.register(Machine)
class MachineAdmin(CodesAdminMixin, ServiceActionsAdmin, KeptAdmin):
    service_actions = MACHINE_ACTIONS
    change_list_template = "admin/equipment/machine/change_list.html"
    list_display = ("identifier", "make", "model", "serial_number", "holder", "site", "state")
    list_filter = ("state", "kind")
    list_select_related = ("holder", "site")
    search_fields = ("=identifier", "serial_number", "make", "holder__legal_name")
    fields = (
        "identifier",
        "make",
        "model",
        "serial_number",
        "kind",
        "hs_code",
        "year",
        "rated_capacity",
        "holder",
        "licence",
        "site",
        "disposal_deadline",
        "state",
        "identifier_codes",  # Reg. (EU) 2018/574 Art. 19: its machine codes (M_ID)
    )
    # The identity of a machine (make and serial number) is what the register is unique on:
    # it is declared, imported or corrected by a new declaration, never edited here. Officers
    # complete the rest (kind, HS code) of a machine an application declared.
    readonly_fields = (
        "identifier",
        "make",
        "serial_number",
        "holder",
        "licence",
        "site",
        "disposal_deadline",
        "state",
        "identifier_codes",
    )
    inlines = (PartInline, NoticeInline)

    def identifier_code_rows(self, obj: Machine) -> Any:
        return MachineCode.objects.filter(machine=obj).order_by("-issued_at", "-pk")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # declared through the portal or the import, then registered here

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="equipment_machine_import",
            ),
            *super().get_urls(),
        ]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        context = {
            **(extra_context or {}),
            "can_import_machines": request.user.has_perm(imports.PERMISSION),
        }
        return super().changelist_view(request, context)

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """The machine register import: "Check the file" is the dry run; "Import" checks
        again and writes all rows or none (``services.imports``)."""
        if not request.user.has_perm(imports.PERMISSION):
            raise DjangoPermissionDenied
        form = MachineImportForm(request.POST or None, request.FILES or None)
        result = None
        if request.method == "POST" and form.is_valid():
            dry_run = "_import" not in request.POST
            result = imports.import_machines(
                upload=form.cleaned_data["file"], by=request.user, dry_run=dry_run
            )
            if result.ok and not dry_run:
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d machine imported.",
                        "%(count)d machines imported.",
                        len(result.machines),
                    )
                    % {"count": len(result.machines)},
                    messages.SUCCESS,
                )
                return redirect("admin:equipment_machine_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import a machine register"),
            "form": form,
            "errors": result.errors if result else [],
            "checked": len(result.rows) if result else None,
            "required_columns": imports.REQUIRED_COLUMNS,
            "optional_columns": imports.OPTIONAL_COLUMNS,
        }
        return TemplateResponse(request, "admin/equipment/machine/import.html", context)


NOTICE_ACTIONS = (
    AdminAction(
        "confirm",
        _("Confirm"),
        transition="confirm",
        run=lambda n, u, d: custody.confirm_notice(notice_id=n.pk, by=u),
    ),
    AdminAction(
        "reject",
        _("Reject"),
        transition="reject",
        form=ReasonForm,
        danger=True,
        run=lambda n, u, d: custody.reject_notice(notice_id=n.pk, by=u, reason=d["reason"]),
    ),
)


@admin.register(CustodyNotice)
class CustodyNoticeAdmin(ServiceActionsAdmin, ReadOnlyAdmin):
    service_actions = NOTICE_ACTIONS
    list_display = ("__str__", "kind", "licence", "counterparty_licence", "planned_on", "state")
    list_filter = ("state", "kind")
    list_select_related = ("machine", "licence", "counterparty_licence")
    fields = (
        "kind",
        "machine",
        "party",
        "licence",
        "counterparty_licence",
        "foreign_supplier",
        "foreign_country",
        "to_site",
        "planned_on",
        "state",
        "counterpart",
        "decided_by",
        "decided_at",
        "reason",
    )
    readonly_fields = fields


ORDER_ACTIONS = (
    AdminAction(
        "countersign",
        _("Countersign"),
        transition="certify",
        run=lambda o, u, d: destruction.countersign_destruction(order_id=o.pk, by=u),
        help_text=_(
            "The machines become destroyed and the destruction certificate is issued to the holder."
        ),
    ),
    AdminAction(
        "cancel",
        _("Cancel"),
        transition="cancel",
        form=ReasonForm,
        danger=True,
        run=lambda o, u, d: destruction.cancel_order(order_id=o.pk, by=u, reason=d["reason"]),
    ),
)


class DestructionLineInline(ReadOnlyInline):
    model = DestructionLine
    fields = ("reference", "kind", "description", "serial_number", "quantity", "unit")
    readonly_fields = fields


@admin.register(DestructionOrder)
class DestructionOrderAdmin(ServiceActionsAdmin, ReadOnlyAdmin):
    service_actions = ORDER_ACTIONS
    list_display = ("__str__", "licence", "where", "planned_on", "inspector", "state")
    list_filter = ("state", "origin")
    list_select_related = ("licence", "site", "inspector")
    inlines = (DestructionLineInline,)
    fields = (
        "origin",
        "licence",
        "site",
        "place",
        "machines",
        "parts",
        "method",
        "planned_on",
        "reason",
        "requested_by",
        "inspector",
        "witnessed_at",
        "witnessed_method",
        "witnesses",
        "serials_seen",
        "findings",
        "photo_count",
        "countersigned_by",
        "countersigned_at",
        "certificate_link",
        "state",
    )
    readonly_fields = fields

    @admin.display(description=_("photos"))
    def photo_count(self, obj: DestructionOrder) -> int:
        return obj.photos.count()

    @admin.display(description=_("destruction certificate"))
    def certificate_link(self, obj: DestructionOrder) -> str:
        if obj.certificate is None:
            return "-"
        if obj.licence_id is None:
            url = reverse("admin:equipment_destructionorder_certificate", args=[obj.pk])
        else:
            # The licence's own download, behind the licence page's object-level check.
            url = reverse(
                "admin:licensing_licence_issued_document",
                args=[obj.licence_id, obj.certificate.public_id],
            )
        return format_html('<a href="{}">{}</a>', url, obj.certificate)

    @admin.display(description=_("place"))
    def where(self, obj: DestructionOrder) -> str:
        return obj.where

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<path:object_id>/certificate/",
                self.admin_site.admin_view(self.certificate_view),
                name="equipment_destructionorder_certificate",
            ),
            *super().get_urls(),
        ]

    def certificate_view(self, request: HttpRequest, object_id: str) -> Any:
        """The certificate of seized stock (no licence to hang it on), behind this page's own
        object-level check."""
        return own_document_response(self, request, object_id, lambda o: o.certificate)

    def get_queryset(self, request: HttpRequest) -> Any:
        queryset = super().get_queryset(request)
        user: Any = request.user
        # Object level: an inspector without the officers' view sees only their own orders.
        if not user.has_perm("equipment.order_destruction") and not user.has_perm(
            "equipment.view_officertask"
        ):
            queryset = queryset.filter(inspector=user)
        return queryset


@admin.register(Part)
class PartAdmin(ReadOnlyAdmin):
    list_display = ("identifier", "description", "serial_number", "holder", "machine")
    search_fields = ("=identifier", "serial_number")


@admin.register(OfficerTask)
class OfficerTaskAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "licence_link", "order", "for_group", "due_on", "closed_at")
    list_filter = ("kind", "for_group", ("closed_at", admin.EmptyFieldListFilter))
    list_select_related = ("licence", "order")

    @admin.display(description=_("licence"))
    def licence_link(self, obj: OfficerTask) -> str:
        return link_to(obj.licence)
