"""Seized items in the officers' admin: the list of stock with its filters, the item page with
its custody chain and photos, and the buttons to move it (the chain's next step) or release it
by court order."""

from __future__ import annotations

from typing import Any

from django import forms, http
from django.contrib import admin
from django.db.models import QuerySet
from django.http import FileResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from equipment.services.destruction import checked_photo
from equipment.services.errors import BadPhoto
from licensing.admin.actions import AdminAction, ServiceActionsAdmin
from licensing.admin.base import KeptAdmin, KeptInline, link_to
from licensing.exceptions import DomainError, PermissionDenied, TransitionNotAllowed
from licensing.storage import open_stored
from seizures.forms import MoveForm, ReleaseForm
from seizures.models import (
    IN_STORE,
    CaseOrigin,
    CustodyMove,
    ItemKind,
    SeizedItem,
    SeizurePhoto,
)
from seizures.services import cases, custody, disposal


def _move_blockers(item: SeizedItem, user: Any) -> list[DomainError]:
    if not user.has_perm(custody.MOVE):
        return [PermissionDenied()]
    if item.state not in IN_STORE or item.case.origin != CaseOrigin.OWN:
        return [TransitionNotAllowed()]
    return []


ITEM_ACTIONS = (
    AdminAction(
        "move",
        _("Record a move"),
        blockers=_move_blockers,
        form=MoveForm,
        run=lambda i, u, d: custody.move_item(
            item_id=i.pk,
            to_location_id=d["to_location"].pk,
            expected_from_id=d["expected_from"],
            by=u,
            handed_over_by=d["handed_over_by"],
            received_by=d["received_by"],
            note=d["note"],
        ),
        help_text=_("The next step of the custody chain: who handed the item over, who took it."),
    ),
    AdminAction(
        "release",
        _("Release by court order"),
        transition="release",
        form=ReleaseForm,
        run=lambda i, u, d: disposal.release_item(
            item_id=i.pk,
            by=u,
            order_reference=d["order_reference"],
            released_to=d["released_to"],
            released_on=d["released_on"],
            note=d["note"],
        ),
        danger=True,
    ),
)


class ItemKindFilter(admin.SimpleListFilter):
    """Cases by the kinds of item seized."""

    title = _("item kind")
    parameter_name = "item_kind"

    def lookups(self, request: http.HttpRequest, model_admin: Any) -> Any:
        return ItemKind.choices

    def queryset(self, request: http.HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() in ItemKind.values:
            return queryset.filter(
                pk__in=SeizedItem.objects.filter(kind=self.value()).values("case_id")
            )
        return queryset


class InStoreFilter(admin.SimpleListFilter):
    title = _("with the authority")
    parameter_name = "in_store"

    def lookups(self, request: http.HttpRequest, model_admin: Any) -> Any:
        return [("1", _("in store (held or ordered for destruction)"))]

    def queryset(self, request: http.HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "1":
            return queryset.filter(state__in=IN_STORE, case__origin=CaseOrigin.OWN)
        return queryset


class CustodyChainInline(KeptInline):
    model = CustodyMove
    fields = (
        "sequence",
        "from_location",
        "to_location",
        "moved_at",
        "handed_over_by",
        "received_by",
        "note",
        "recorded_by",
    )
    readonly_fields = fields

    def has_add_permission(self, request: http.HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: http.HttpRequest, obj: Any = None) -> bool:
        return False


class PhotoForm(forms.ModelForm):
    class Meta:
        model = SeizurePhoto
        fields = ("file",)
        widgets = {"file": forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"})}

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        try:
            checked_photo(upload)
        except BadPhoto as error:
            raise forms.ValidationError(str(error)) from None
        upload.seek(0)
        return upload


class PhotoInline(KeptInline):
    """Photos: new ones through ``cases.add_photo`` (content checked); the stored ones open
    through this page's own view, behind its object-level check."""

    model = SeizurePhoto
    form = PhotoForm
    fields = ("file",)
    verbose_name_plural = _("add photos")

    def get_queryset(self, request: http.HttpRequest) -> QuerySet[SeizurePhoto]:
        return super().get_queryset(request).none()


@admin.register(SeizedItem)
class SeizedItemAdmin(ServiceActionsAdmin, KeptAdmin):
    service_actions = ITEM_ACTIONS
    fsm_fields = ["state"]
    list_display = ("label_", "kind", "what_", "quantity_", "state", "location", "case_link")
    list_filter = (InStoreFilter, "state", "kind", "location", "cloned")
    list_select_related = ("case", "location")
    search_fields = ("=case__reference", "serial_number", "brand", "description")
    fields = (
        "case_link",
        "number",
        "kind",
        "description",
        "make",
        "model",
        "serial_number",
        "register_link",
        "cloned",
        "product_type",
        "tobacco_form",
        "brand",
        "markings",
        "quantity",
        "unit",
        "value",
        "currency",
        "manufactured_in",
        "manufactured_on",
        "state",
        "location",
        "released_on",
        "release_order_reference",
        "released_to",
        "order_link",
        "photos_",
    )
    readonly_fields = fields
    inlines = (CustodyChainInline, PhotoInline)

    def has_add_permission(self, request: http.HttpRequest) -> bool:
        return False  # items are added on their case's page

    def has_change_permission(self, request: http.HttpRequest, obj: Any = None) -> bool:
        # Nothing of the item is edited here; the permission lets an officer add photos.
        if obj is not None and obj.case.origin != CaseOrigin.OWN:
            return False
        return bool(request.user.has_perm(cases.RECORD))

    def get_queryset(self, request: http.HttpRequest) -> QuerySet[Any]:
        return (
            super()
            .get_queryset(request)
            .select_related("case", "location", "register_machine", "destruction_order")
        )

    def save_model(self, request: http.HttpRequest, obj: Any, form: Any, change: bool) -> None:
        pass  # every field is read only

    def save_formset(
        self, request: http.HttpRequest, form: Any, formset: Any, change: bool
    ) -> None:
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.forms:
            upload = inline_form.cleaned_data.get("file") if inline_form.has_changed() else None
            if upload:
                photo = cases.add_photo(item_id=form.instance.pk, upload=upload, by=request.user)
                formset.new_objects.append(photo)

    @admin.display(description=_("item"), ordering="number")
    def label_(self, obj: SeizedItem) -> str:
        return obj.label

    @admin.display(description=_("description"))
    def what_(self, obj: SeizedItem) -> str:
        return obj.what

    @admin.display(description=_("quantity"))
    def quantity_(self, obj: SeizedItem) -> str:
        return f"{obj.quantity.normalize():f} {obj.get_unit_display()}"

    @admin.display(description=_("case"))
    def case_link(self, obj: SeizedItem) -> str:
        return link_to(obj.case)

    @admin.display(description=_("register entry"))
    def register_link(self, obj: SeizedItem) -> str:
        return link_to(obj.register_machine)

    @admin.display(description=_("destruction order"))
    def order_link(self, obj: SeizedItem) -> str:
        return link_to(obj.destruction_order)

    @admin.display(description=_("photos"))
    def photos_(self, obj: SeizedItem) -> str:
        links = [
            format_html(
                '<a href="{}">{}</a>',
                reverse("admin:seizures_seizeditem_photo", args=[obj.pk, photo.public_id]),
                _("photo %(n)s") % {"n": n},
            )
            for n, photo in enumerate(obj.photos.order_by("pk"), start=1)
        ]
        return format_html(", ".join(["{}"] * len(links)), *links) if links else "-"

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<path:object_id>/photo/<uuid:public_id>/",
                self.admin_site.admin_view(self.photo_view),
                name="seizures_seizeditem_photo",
            ),
            *super().get_urls(),
        ]

    def photo_view(
        self, request: http.HttpRequest, object_id: str, public_id: Any
    ) -> http.HttpResponseBase:
        item = self.get_object(request, object_id)
        if item is None or not self.has_view_permission(request, item):
            raise http.Http404
        photo = item.photos.filter(public_id=public_id).first()
        if photo is None:
            raise http.Http404
        response = FileResponse(open_stored(photo.file), content_type=photo.content_type)
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "no-store"
        response["Content-Security-Policy"] = "default-src 'none'"
        return response
