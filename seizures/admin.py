"""Seizures in the officers' admin (Art. 18, 21.1(e)): the list of cases with its filters, the
case page with its persons, items and the buttons to order a destruction or close it, the
export for another Party and the page that receives a Party's records. Items, their custody
chain and photos are on ``items_admin``. Every write goes through ``seizures.services``."""

from __future__ import annotations

from typing import Any

from django import http
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Count, Q, QuerySet
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from licensing.admin.actions import AdminAction, ServiceActionsAdmin
from licensing.admin.base import KeptAdmin, KeptInline
from licensing.admin.exchange import attachment
from licensing.exceptions import DomainError, PermissionDenied, TransitionNotAllowed
from licensing.services.personal_data import mask
from seizures import exchange
from seizures.forms import (
    CaseForm,
    ExportForm,
    ItemForm,
    OrderDestructionForm,
    PersonForm,
    ReceiveForm,
)
from seizures.items_admin import ItemKindFilter
from seizures.models import (
    CaseOrigin,
    ItemStatus,
    SeizedItem,
    SeizureCase,
    SeizurePerson,
    StorageLocation,
)
from seizures.services import cases, disposal


def _destruction_blockers(case: SeizureCase, user: Any) -> list[DomainError]:
    if not user.has_perm("equipment.order_destruction"):
        return [PermissionDenied()]
    if case.origin != CaseOrigin.OWN or not case.items.filter(state=ItemStatus.HELD).exists():
        return [TransitionNotAllowed(_("No item of this case is held in store."))]
    return []


CASE_ACTIONS = (
    AdminAction(
        "order_destruction",
        _("Order destruction"),
        blockers=_destruction_blockers,
        form=OrderDestructionForm,
        run=lambda c, u, d: disposal.order_destruction(
            case_id=c.pk,
            item_ids=[item.pk for item in d["items"]],
            by=u,
            reason=d["reason"],
            method=d["method"],
            planned_on=d["planned_on"],
        ),
        help_text=_(
            "Art. 18: a supervised destruction at the store that keeps the items; an inspector "
            "is assigned, and the certificate lists every item."
        ),
    ),
    AdminAction(
        "close",
        _("Close the case"),
        transition="close",
        run=lambda c, u, d: cases.close_case(case_id=c.pk, by=u),
        help_text=_("Every item has been released or destroyed."),
    ),
)


class PersonInline(KeptInline):
    """The persons involved: their identity document masked (Art. 5); a new one is added
    through the service, which indexes them as adverse screening keys."""

    model = SeizurePerson
    form = PersonForm
    extra = 1

    def get_readonly_fields(self, request: http.HttpRequest, obj: Any = None) -> Any:
        return ()

    def get_queryset(self, request: http.HttpRequest) -> QuerySet[SeizurePerson]:
        return super().get_queryset(request).none()  # the recorded ones: PersonListInline


class PersonListInline(KeptInline):
    model = SeizurePerson
    fields = ("full_name", "role", "nationality", "document")
    readonly_fields = fields
    verbose_name_plural = _("persons involved")

    def has_add_permission(self, request: http.HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: http.HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("identity document"))
    def document(self, obj: SeizurePerson) -> str:
        if not obj.id_document_number:
            return "-"
        return f"{obj.id_document_country} {mask(obj.id_document_number)}"


class ItemListInline(KeptInline):
    model = SeizedItem
    fields = ("link", "kind", "what_", "quantity_", "register", "state", "location")
    readonly_fields = fields
    verbose_name_plural = _("items seized")

    def has_add_permission(self, request: http.HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: http.HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: http.HttpRequest) -> QuerySet[SeizedItem]:
        return super().get_queryset(request).select_related("case", "location", "register_machine")

    @admin.display(description=_("item"))
    def link(self, obj: SeizedItem) -> str:
        url = reverse("admin:seizures_seizeditem_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.label)

    @admin.display(description=_("description"))
    def what_(self, obj: SeizedItem) -> str:
        return obj.what

    @admin.display(description=_("quantity"))
    def quantity_(self, obj: SeizedItem) -> str:
        return f"{obj.quantity.normalize():f} {obj.get_unit_display()}"

    @admin.display(description=_("register entry"))
    def register(self, obj: SeizedItem) -> str:
        if obj.register_machine is None:
            return "-"
        text = obj.register_machine.identifier
        if obj.cloned:
            text = _("%(machine)s (cloned serial: another machine)") % {"machine": text}
        return str(text)


class ItemInline(KeptInline):
    """New items: each through ``cases.add_item`` (numbered, compared with the register, taken
    into custody at the chosen store)."""

    model = SeizedItem
    form = ItemForm
    extra = 1
    verbose_name_plural = _("add items")

    def get_queryset(self, request: http.HttpRequest) -> QuerySet[SeizedItem]:
        return super().get_queryset(request).none()


class OriginFilter(admin.SimpleListFilter):
    title = _("origin")
    parameter_name = "origin"

    def lookups(self, request: http.HttpRequest, model_admin: Any) -> Any:
        return CaseOrigin.choices

    def queryset(self, request: http.HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(origin=self.value()) if self.value() else queryset


@admin.register(SeizureCase)
class SeizureCaseAdmin(ServiceActionsAdmin, KeptAdmin):
    service_actions = CASE_ACTIONS
    form = CaseForm
    list_display = ("reference", "seized_on", "agency", "party_", "item_count", "origin", "state")
    list_filter = ("state", OriginFilter, ItemKindFilter, "agency", "reporting_country")
    list_select_related = ("party",)
    date_hierarchy = "seized_on"
    search_fields = (
        "=reference",
        "agency_reference",
        "party_name",
        "party__legal_name",
        "=external_reference",
    )
    raw_id_fields = ("party",)
    actions = ("export_cases",)
    change_list_template = "admin/seizures/seizurecase/change_list.html"

    def get_inlines(self, request: http.HttpRequest, obj: Any) -> Any:
        if obj is None:
            return (PersonInline, ItemInline)
        listed: list[type[admin.options.InlineModelAdmin]] = [ItemListInline]
        if request.user.has_perm("seizures.view_seizureperson"):
            listed.insert(0, PersonListInline)
        if obj.state == "open" and obj.origin == CaseOrigin.OWN:
            listed += [PersonInline, ItemInline]
        return listed

    def get_readonly_fields(self, request: http.HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ()
        return (
            "reference",
            "origin",
            "reporting_country",
            "external_reference",
            "party_kind",
            "party",
            "recorded_by",
            "state",
        )

    def get_fields(self, request: http.HttpRequest, obj: Any = None) -> Any:
        fields = list(CaseForm.Meta.fields)
        if obj is None:
            return fields
        fields = [f for f in fields if f not in ("party_kind", "party")]
        return [
            "reference",
            "state",
            "origin",
            "reporting_country",
            "external_reference",
            "party_kind",
            "party",
            *fields,
            "recorded_by",
        ]

    def has_change_permission(self, request: http.HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.origin != CaseOrigin.OWN:
            return False  # a partner's record is kept as received
        return super().has_change_permission(request, obj)

    def save_model(self, request: http.HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
        else:
            cases.record_case(case=obj, by=request.user)

    def save_formset(
        self, request: http.HttpRequest, form: Any, formset: Any, change: bool
    ) -> None:
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.forms:
            if not inline_form.has_changed():
                continue
            obj = inline_form.save(commit=False)
            if isinstance(obj, SeizurePerson):
                cases.add_person(case_id=form.instance.pk, person=obj, by=request.user)
            elif isinstance(obj, SeizedItem):
                data = inline_form.cleaned_data
                cases.add_item(
                    case_id=form.instance.pk,
                    item=obj,
                    by=request.user,
                    location=data.get("store"),
                    received_by=data.get("received_by") or "",
                )
            formset.new_objects.append(obj)

    @admin.display(description=_("seized from"))
    def party_(self, obj: SeizureCase) -> str:
        return obj.party_label

    @admin.display(description=_("items"), ordering="item_count")
    def item_count(self, obj: SeizureCase) -> int:
        return int(getattr(obj, "item_count", 0))

    def get_queryset(self, request: http.HttpRequest) -> QuerySet[SeizureCase]:
        return super().get_queryset(request).annotate(item_count=Count("items"))

    # The exchange (Art. 21.1(e)).

    @admin.action(
        description=_("Export for another Party (Art. 21.1(e))"), permissions=["export_seizures"]
    )
    def export_cases(
        self, request: http.HttpRequest, queryset: QuerySet[SeizureCase]
    ) -> http.HttpResponse:
        form = ExportForm(request.POST if "_export" in request.POST else None)
        if form.is_valid():
            exported = exchange.export_cases(
                queryset=queryset,
                by=request.user,
                fmt=form.cleaned_data["format"],
                purpose=form.cleaned_data["purpose"],
                persons=form.cleaned_data["persons"],
            )
            return attachment(
                exported.content, content_type=exported.content_type, filename=exported.filename
            )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Export seizures for another Party"),
            "opts": self.model._meta,
            "form": form,
            "count": queryset.count(),
            "withheld": queryset.count() - exchange.exportable(queryset).count(),
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "select_across": request.POST.get("select_across", "0"),
            "action_name": "export_cases",
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/seizures/export.html", context)

    def has_export_seizures_permission(self, request: http.HttpRequest) -> bool:
        return bool(request.user.has_perm(exchange.EXPORT))

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "receive/",
                self.admin_site.admin_view(self.receive_view),
                name="seizures_seizurecase_receive",
            ),
            *super().get_urls(),
        ]

    def receive_view(self, request: http.HttpRequest) -> http.HttpResponse:
        """Another Party's records, all or nothing, with every problem listed."""
        user: Any = request.user
        if not (user.has_perm(exchange.EXPORT) and user.has_perm(cases.RECORD)):
            raise DjangoPermissionDenied
        form = ReceiveForm(request.POST or None, request.FILES or None)
        errors: list[str] = []
        if request.method == "POST" and form.is_valid():
            try:
                received = exchange.accept_records(
                    payload=form.cleaned_data["file"].read(), by=user
                )
            except exchange.RecordsRejected as rejected:
                errors = rejected.errors
            else:
                self.message_user(
                    request,
                    _("%(count)s records received.") % {"count": len(received)},
                    messages.SUCCESS,
                )
                return redirect("admin:seizures_seizurecase_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Receive seizure records from another Party"),
            "opts": self.model._meta,
            "form": form,
            "errors": errors,
        }
        return TemplateResponse(request, "admin/seizures/receive.html", context)


@admin.register(StorageLocation)
class StorageLocationAdmin(KeptAdmin):
    list_display = ("name", "address", "region", "country", "active", "stock")
    list_filter = ("active", "region")
    search_fields = ("name", "address")

    def get_queryset(self, request: http.HttpRequest) -> QuerySet[StorageLocation]:
        in_store = Q(items__status__in=[ItemStatus.HELD, ItemStatus.DESTRUCTION_ORDERED])
        return super().get_queryset(request).annotate(stock=Count("items", filter=in_store))

    @admin.display(description=_("items in store"))
    def stock(self, obj: StorageLocation) -> str:
        count = int(getattr(obj, "stock", 0))
        url = reverse("admin:seizures_seizeditem_changelist")
        return format_html(
            '<a href="{}?location__id__exact={}&in_store=1">{}</a>', url, obj.pk, count
        )
