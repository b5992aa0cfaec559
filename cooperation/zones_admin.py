"""Free zones and transit (Art. 12) in the officers' admin: the register of free zones (senior
officers), the sites marked inside them (marked and ended through ``services.zones``), the
transit notices with their buttons (acknowledge, flag, confirm the exit) and the overdue
filter; and on a licence's page, the free-zone conditions that apply to it."""

from __future__ import annotations

from typing import Any

from django import forms, http
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cooperation.models import OPEN_TRANSIT, FreeZone, FreeZoneSite, TransitNotice
from cooperation.models.zones import open_zone_q
from cooperation.services import transit, zones
from cooperation.services.errors import (
    AlreadyInZone,
    LeftBeforeEntering,
    LeftBeforeMarked,
    LeftInFuture,
    MarkedBeforeDesignation,
    MarkedInFuture,
    SiteLeftInFuture,
)
from licensing.admin.actions import AdminAction, ServiceActionsAdmin
from licensing.admin.base import KeptAdmin
from licensing.admin.forms import ActionForm, ReasonForm
from licensing.admin.panels import register_panel
from licensing.controls import controls_for
from licensing.templatetags.numbers import quantity


@admin.register(FreeZone)
class FreeZoneAdmin(KeptAdmin):
    list_display = ("name", "code", "country", "designated_on", "closed_on")
    list_filter = ("country",)
    search_fields = ("name", "=code")
    fields = (
        "country",
        "name",
        "code",
        "addresses",
        "coordinates",
        "designated_on",
        "closed_on",
    )


class MarkForm(forms.ModelForm):
    class Meta:
        model = FreeZoneSite
        fields = ("site", "zone", "since", "until")
        widgets = {
            "since": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "zone" in self.fields:
            field: Any = self.fields["zone"]
            field.queryset = FreeZone.objects.filter(open_zone_q())

    def clean(self) -> dict[str, Any]:
        """The service's checks, beside the fields."""
        data = super().clean() or {}
        site, since, until = data.get("site"), data.get("since"), data.get("until")
        today = timezone.localdate()
        if since is not None and since > today:
            self.add_error("since", str(MarkedInFuture.default_message))
        if until is not None and until > today:
            self.add_error("until", str(SiteLeftInFuture.default_message))
        zone = data.get("zone")
        if since and zone is not None and zone.designated_on and since < zone.designated_on:
            self.add_error("since", str(MarkedBeforeDesignation.default_message))
        if self.instance.pk is None and site is not None:
            if FreeZoneSite.objects.filter(site=site, until__isnull=True).exists():
                self.add_error("site", str(AlreadyInZone.default_message))
        elif until is not None and until < (since or self.instance.since):
            self.add_error("until", str(LeftBeforeMarked.default_message))
        return data


@admin.register(FreeZoneSite)
class FreeZoneSiteAdmin(KeptAdmin):
    """A site is marked (add) and later its leaving the zone is recorded (``until``); both
    through the service, which audits them on the site."""

    form = MarkForm
    list_display = ("site", "zone", "since", "until", "marked_by")
    list_filter = ("zone", ("until", admin.EmptyFieldListFilter))
    list_select_related = ("site", "zone", "marked_by")
    search_fields = ("site__name", "site__party__legal_name", "=zone__code")
    raw_id_fields = ("site",)

    def get_fields(self, request: http.HttpRequest, obj: Any = None) -> Any:
        return ("site", "zone", "since") if obj is None else ("site", "zone", "since", "until")

    def get_readonly_fields(self, request: http.HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ()
        return ("site", "zone", "since", "marked_by") + (("until",) if obj.until else ())

    def save_model(self, request: http.HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            if obj.until is not None:  # saved without a day: nothing changes
                zones.unmark_site(mark_id=obj.pk, by=request.user, until=obj.until)
        else:
            marked = zones.mark_site(
                site_id=obj.site_id, zone=obj.zone, by=request.user, since=obj.since
            )
            obj.pk = marked.pk


class ExitForm(ActionForm):
    left_on = forms.DateField(
        label=_("The goods left on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    at_point = forms.CharField(label=_("Exit point"), max_length=200, required=False)

    def clean_left_on(self) -> Any:
        """The service's checks, beside the field."""
        left_on = self.cleaned_data["left_on"]
        if left_on > timezone.localdate():
            raise forms.ValidationError(str(LeftInFuture.default_message))
        if isinstance(self.obj, TransitNotice) and left_on < self.obj.enters_on:
            raise forms.ValidationError(str(LeftBeforeEntering.default_message))
        return left_on


class OverdueFilter(admin.SimpleListFilter):
    title = _("goods still here")
    parameter_name = "overdue"

    def lookups(self, request: http.HttpRequest, model_admin: Any) -> Any:
        return (("yes", _("past their last day")),)

    def queryset(self, request: http.HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(state__in=OPEN_TRANSIT, leaves_by__lt=timezone.localdate())
        return queryset


TRANSIT_ACTIONS = (
    AdminAction(
        "acknowledge",
        _("Acknowledge"),
        transition="acknowledge",
        run=lambda n, u, d: transit.acknowledge(notice_id=n.pk, by=u),
    ),
    AdminAction(
        "flag",
        _("Flag"),
        transition="flag",
        form=ReasonForm,
        danger=True,
        run=lambda n, u, d: transit.flag(notice_id=n.pk, by=u, reason=d["reason"]),
        help_text=_("A suspicion to follow up: the seals, the route, the quantities."),
    ),
    AdminAction(
        "leave",
        _("Confirm the goods left"),
        transition="leave",
        form=ExitForm,
        run=lambda n, u, d: transit.confirm_exit(
            notice_id=n.pk, by=u, left_on=d["left_on"], at_point=d["at_point"]
        ),
    ),
)


@admin.register(TransitNotice)
class TransitNoticeAdmin(ServiceActionsAdmin, KeptAdmin):
    service_actions = TRANSIT_ACTIONS
    list_display = (
        "reference",
        "party",
        "kind",
        "goods",
        "consignment",
        "enters_on",
        "leaves_by",
        "state",
        "chased_on",
    )
    list_filter = ("state", OverdueFilter, "kind", "goods", "transport", "from_free_zone")
    list_select_related = ("party",)
    search_fields = ("=reference", "consignment", "party__legal_name", "vehicle")
    date_hierarchy = "enters_on"

    def has_add_permission(self, request: http.HttpRequest) -> bool:
        return False  # filed by the holder in the portal

    def has_change_permission(self, request: http.HttpRequest, obj: Any = None) -> bool:
        return False  # changed only through the buttons

    def get_fields(self, request: http.HttpRequest, obj: Any = None) -> Any:
        # Every field, read only; the quantity with its unit, grouped in the reader's language.
        fields = [f.name for f in TransitNotice._meta.fields if f.name not in ("id", "public_id")]
        return [("how_much" if name == "quantity" else name) for name in fields if name != "unit"]

    def get_readonly_fields(self, request: http.HttpRequest, obj: Any = None) -> Any:
        return self.get_fields(request, obj)

    @admin.display(description=_("quantity"))
    def how_much(self, obj: TransitNotice) -> str:
        return f"{quantity(obj.quantity)} {obj.get_unit_display()}"


def licence_panel(request: HttpRequest, licence: Any) -> SafeString | str:
    """The free-zone conditions (Art. 12.1, 12.2) that apply to this licence now."""
    if not request.user.has_perm("cooperation.view_freezonesite"):
        return ""
    controls = controls_for([licence.pk]).get(licence.pk)
    if controls is None:
        return ""
    return format_html(
        '<fieldset class="module aligned" id="free-zone"><h2>{}</h2><ul>{}</ul></fieldset>',
        gettext("Free-zone conditions"),
        format_html_join("", "<li>{}</li>", ((str(c),) for c in controls.conditions)),
    )


register_panel("licensing.licence", licence_panel)
