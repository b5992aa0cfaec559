"""What every officers' admin page shares: records are never deleted (Art. 9.5(a)), every edit is
saved through a service that writes the audit trail, lists are filtered by object permission,
and long lists do not count a million rows twice."""

from __future__ import annotations

from typing import Any

from django import forms, http
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection, models
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html

from licensing.admin.paging import paged_trail
from licensing.admin.panels import panels_for
from licensing.services.records import save_record
from licensing.trail import audit_trail


class EstimatedCountPaginator(Paginator):
    """On PostgreSQL an unfiltered list takes its length from the planner's estimate instead of
    ``COUNT(*)`` over every row; a filtered list (a work queue, a search) is counted exactly."""

    ESTIMATE_ABOVE = 100_000

    @cached_property
    def count(self) -> int:
        query = getattr(self.object_list, "query", None)
        model = getattr(self.object_list, "model", None)
        if connection.vendor == "postgresql" and query is not None and not query.where and model:
            table = model._meta.db_table
            with connection.cursor() as cursor:
                cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [table])
                row = cursor.fetchone()
            if row and row[0] > self.ESTIMATE_ABOVE:
                return int(row[0])
        return super().count


def form_changes(form: forms.BaseForm) -> dict[str, Any]:
    """The changed fields of a saved form, as ``{name: {"from": old, "to": new}}``."""
    return {
        name: {"from": form.initial.get(name), "to": form.cleaned_data.get(name)}
        for name in form.changed_data
    }


class KeptAdmin(admin.ModelAdmin):
    """Never deletes; saves through ``save_record`` so that each edit is in the audit trail."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_per_page = 50

    change_form_template = "admin/licensing/change_form.html"

    class Media:
        css = {"all": ("licensing/admin.css",)}

    def change_view(
        self,
        request: http.HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> http.HttpResponse:
        """Every record's page ends with its audit trail, read only."""
        obj = self.get_object(request, object_id)
        context = dict(extra_context or {})
        if obj is not None:
            # With the events of the records the apps above the core keep about this one (an
            # application's due-diligence review), as far as this officer may see them.
            # A page of it, the latest events first (licensing/admin/paging.py).
            context["audit_trail"] = paged_trail(request, audit_trail(obj, viewer=request.user))
            # Panels of the apps above the core (licensing.admin.panels), on every record's page.
            context.setdefault("extra_panels", panels_for(request, obj))
        return super().change_view(request, object_id, form_url, context)

    def get_object(
        self, request: http.HttpRequest, object_id: str, from_field: str | None = None
    ) -> Any:
        """Read once a request: the page asks for it for its buttons, trail and panels, and
        Django again for the form."""
        kept = request.__dict__.setdefault("_kept_objects", {})
        key = (self.model, object_id, from_field)
        if key not in kept:
            kept[key] = self.read_object(request, object_id, from_field)
        return kept[key]

    def read_object(
        self, request: http.HttpRequest, object_id: str, from_field: str | None = None
    ) -> Any:
        return super().get_object(request, object_id, from_field)

    def has_delete_permission(self, request: http.HttpRequest, obj: Any = None) -> bool:
        return False  # Art. 9.5(a): records are kept; the system never deletes them

    def get_actions(self, request: http.HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_export_records_permission(self, request: http.HttpRequest) -> bool:
        """For actions declared with ``permissions=["export_records"]`` (Art. 21.1(a))."""
        return bool(request.user.has_perm("licensing.export_records"))

    def has_print_document_permission(self, request: http.HttpRequest) -> bool:
        """For actions declared with ``permissions=["print_document"]`` (batch printing)."""
        return bool(request.user.has_perm("licensing.print_document"))

    def changelist_view(
        self, request: http.HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> http.HttpResponse:
        # A posted action that this admin has but does not offer to this user (export without
        # export_records, delete anywhere) is refused outright, not passed over as "no action
        # selected".
        name = request.POST.get("action") if request.method == "POST" else None
        if name and name in self.declared_actions() and name not in self.get_actions(request):
            raise PermissionDenied
        return super().changelist_view(request, extra_context)

    def declared_actions(self) -> set[str]:
        """The names of the site's actions and this admin's own, offered or not."""
        own = {a if isinstance(a, str) else a.__name__ for a in self.actions or ()}
        return own | {name for name, _action in self.admin_site.actions}

    def save_model(self, request: http.HttpRequest, obj: Any, form: Any, change: bool) -> None:
        save_record(obj=obj, by=request.user, changes=form_changes(form))

    def save_formset(
        self, request: http.HttpRequest, form: Any, formset: Any, change: bool
    ) -> None:
        # What formset.save() would record, for the admin's own change message.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.forms:
            if not inline_form.has_changed() or inline_form in formset.deleted_forms:
                continue
            adding = inline_form.instance._state.adding
            obj = inline_form.save(commit=False)
            if adding:
                formset.new_objects.append(obj)
            else:
                formset.changed_objects.append((obj, inline_form.changed_data))
            save_record(
                obj=obj, by=request.user, changes=form_changes(inline_form), subject=form.instance
            )
            inline_form.save_m2m()


class KeptInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False


class EndableInlineForm(forms.ModelForm):
    def validate_unique(self) -> None:
        """Also the unique constraints that hold for current rows only (one current tax number
        per country), which Django leaves to the database: shown on the form, not as a 500."""
        super().validate_unique()
        form: Any = self  # the same steps as ModelForm.validate_unique (private, not in stubs)
        model = type(self.instance)
        exclude = form._get_validation_exclusions() - {"ended_at", "proposed_in"}
        conditional: list[Any] = [
            c
            for c in model._meta.constraints
            if isinstance(c, models.UniqueConstraint) and c.condition is not None
        ]
        for constraint in conditional:
            try:
                constraint.validate(model, self.instance, exclude=exclude)
            except ValidationError as exc:
                form._update_errors(exc)


class EndableInline(KeptInline):
    """Records an applicant can remove, which ends them (Art. 9.5(a)): officers still see the
    ended ones, after the current ones, with the time each ended, read only."""

    form = EndableInlineForm

    def get_queryset(self, request: http.HttpRequest) -> models.QuerySet[Any]:
        return super().get_queryset(request).current_first()  # type: ignore[attr-defined]

    def get_fields(self, request: http.HttpRequest, obj: Any = None) -> Any:
        return [*super().get_fields(request, obj), "ended_at"]

    def get_readonly_fields(self, request: http.HttpRequest, obj: Any = None) -> list[str]:
        return [*super().get_readonly_fields(request, obj), "ended_at"]


class ReadOnlyInline(KeptInline):
    def has_add_permission(self, request: http.HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: http.HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(KeptAdmin):
    """Records written only by the services (invoices, proposals, notifications)."""

    def has_add_permission(self, request: http.HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: http.HttpRequest, obj: Any = None) -> bool:
        return False


def link_to(obj: models.Model | None) -> str:
    """An admin link to a record, for read-only fields."""
    if obj is None:
        return "-"
    meta = obj._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, obj)
