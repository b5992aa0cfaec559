"""The officers' screens of the equipment register. Records are written by the services only:
every decision is a button (``AdminAction``) that calls one service."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from equipment.models import (
    CustodyNotice,
    DestructionMethod,
    DestructionOrder,
    Machine,
    MachineState,
    OfficerTask,
    Part,
)
from equipment.services import custody, destruction, machines
from licensing.admin.actions import AdminAction, ServiceActionsAdmin
from licensing.admin.base import KeptAdmin, ReadOnlyAdmin, ReadOnlyInline, link_to
from licensing.admin.forms import ReasonForm
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


@admin.register(Machine)
class MachineAdmin(ServiceActionsAdmin, KeptAdmin):
    service_actions = MACHINE_ACTIONS
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
    )
    readonly_fields = ("identifier", "holder", "licence", "site", "disposal_deadline", "state")
    inlines = (PartInline, NoticeInline)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # declared through the portal or the import, then registered here


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


@admin.register(DestructionOrder)
class DestructionOrderAdmin(ServiceActionsAdmin, ReadOnlyAdmin):
    service_actions = ORDER_ACTIONS
    list_display = ("__str__", "licence", "site", "planned_on", "inspector", "state")
    list_filter = ("state", "origin")
    list_select_related = ("licence", "site", "inspector")
    fields = (
        "origin",
        "licence",
        "site",
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
        # The licence's own download, behind the licence page's object-level check.
        url = reverse(
            "admin:licensing_licence_issued_document",
            args=[obj.licence_id, obj.certificate.public_id],
        )
        return format_html('<a href="{}">{}</a>', url, obj.certificate)

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
