"""Licences through their life (Art. 6.3(a), (f); 6.4): suspension, reinstatement, revocation
(four eyes) and surrender from the licence page; issue, renewal and transfer come from an
approved application."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from licensing import selectors
from licensing.admin import imports
from licensing.admin.actions import AdminAction, ServiceActionsAdmin
from licensing.admin.base import KeptAdmin, ReadOnlyInline, link_to
from licensing.admin.batches import print_selected_licences
from licensing.admin.exchange import export_selected_records
from licensing.admin.forms import GroundedReasonForm, OptionalReasonForm
from licensing.admin.issued import (
    PRINT_LICENCE,
    REPRINT_LETTER,
    REPRINT_LICENCE,
    IssuedDocumentInline,
    PrintedDocumentsMixin,
)
from licensing.admin.shared import (
    MEET_CONDITION,
    REJECT_PROPOSAL,
    ConditionInline,
    ProposalInline,
    proposal_summary,
)
from licensing.models import Licence, LicenceState, LicenceTerm
from licensing.models.activities import activity_labels
from licensing.models.applications import ProposalMissing
from licensing.models.imports import may_import
from licensing.services import licences as services
from licensing.services.numbers import as_legacy_number, as_number
from licensing.services.rules import (
    revocation_proposal_blockers,
    staleness,
    suspension_confirmation_blockers,
    suspension_proposal_blockers,
)


def _holder_and_proposal(licence: Licence) -> list[tuple[Any, str]]:
    return [(_("Licence holder"), str(licence.holder)), *proposal_summary(licence)]


def _licence_summary(licence: Licence) -> list[tuple[Any, str]]:
    return [
        (_("Licence holder"), str(licence.holder)),
        (_("State"), licence.get_state_display()),
        (_("Expires on"), str(licence.expires_on)),
    ]


LICENCE_ACTIONS = (
    AdminAction(
        "suspend",
        _("Suspend"),
        transition="suspend",
        form=GroundedReasonForm,
        danger=True,
        summary=_licence_summary,
        run=lambda lic, u, d: services.suspend_licence(
            licence_id=lic.pk, by=u, ground=d["ground"], reason=d["reason"]
        ),
        help_text=_("Art. 6.3(a). The holder is told by e-mail, with the reason."),
    ),
    AdminAction(
        "reinstate",
        _("Reinstate"),
        transition="reinstate",
        form=OptionalReasonForm,
        summary=_licence_summary,
        run=lambda lic, u, d: services.reinstate_licence(
            licence_id=lic.pk, by=u, reason=d.get("reason", "")
        ),
    ),
    AdminAction(
        "propose_revocation",
        _("Propose revocation"),
        blockers=revocation_proposal_blockers,
        form=GroundedReasonForm,
        danger=True,
        summary=_licence_summary,
        run=lambda lic, u, d: services.propose_revocation(
            licence_id=lic.pk, by=u, ground=d["ground"], reason=d["reason"]
        ),
        help_text=_("A senior officer who is not you confirms the revocation."),
    ),
    AdminAction(
        "revoke",
        _("Confirm revocation"),
        transition="revoke",
        blockers=lambda lic, u: staleness(lic.pending_proposal()),
        danger=True,
        hide_when=(ProposalMissing,),
        summary=_holder_and_proposal,
        run=lambda lic, u, d: services.confirm_revocation(licence_id=lic.pk, by=u),
    ),
    AdminAction(
        "propose_suspension",
        _("Propose suspension"),
        blockers=suspension_proposal_blockers,
        form=GroundedReasonForm,
        danger=True,
        summary=_licence_summary,
        run=lambda lic, u, d: services.propose_suspension(
            licence_id=lic.pk, by=u, ground=d["ground"], reason=d["reason"]
        ),
        help_text=_("Another licence officer confirms the suspension (four eyes)."),
    ),
    AdminAction(
        "confirm_suspension",
        _("Confirm suspension"),
        blockers=suspension_confirmation_blockers,
        danger=True,
        hide_when=(ProposalMissing,),
        summary=_holder_and_proposal,
        run=lambda lic, u, d: services.confirm_suspension(licence_id=lic.pk, by=u),
    ),
    REJECT_PROPOSAL,
    MEET_CONDITION,
    AdminAction(
        "surrender",
        _("Record surrender"),
        transition="surrender",
        form=OptionalReasonForm,
        danger=True,
        summary=_licence_summary,
        run=lambda lic, u, d: services.surrender_licence(
            licence_id=lic.pk, by=u, reason=d.get("reason", "")
        ),
        help_text=_("The holder gives the licence up (on the holder's written request)."),
    ),
    PRINT_LICENCE,
    REPRINT_LICENCE,
    REPRINT_LETTER,
)


class ExpiryFilter(admin.SimpleListFilter):
    title = _("expires")
    parameter_name = "expires"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("30", _("within 30 days")),
            ("60", _("within 60 days")),
            ("90", _("within 90 days")),
            ("grace", _("expired, still renewable")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() in ("30", "60", "90"):
            today = timezone.localdate()
            end = today + dt.timedelta(days=int(self.value() or 0) + 1)
            return queryset.filter(selectors.expiring(today, end))
        if self.value() == "grace":
            # Art. 6.3(f): expired within the renewal grace period (Licence.is_renewable).
            since = timezone.localdate() - dt.timedelta(days=settings.LICENCE_RENEWAL_GRACE_DAYS)
            return queryset.filter(state=LicenceState.EXPIRED, expires_on__gte=since)
        return queryset


class TermInline(ReadOnlyInline):
    model = LicenceTerm
    fields = ("valid_from", "expires_on", "application")
    readonly_fields = fields


class LicenceConditionInline(ConditionInline):
    fk_name = "licence"


class LicenceProposalInline(ProposalInline):
    fk_name = "licence"


@admin.register(Licence)
class LicenceAdmin(PrintedDocumentsMixin, ServiceActionsAdmin, KeptAdmin):
    service_actions = LICENCE_ACTIONS
    actions = (print_selected_licences, export_selected_records)
    list_display = ("number", "holder", "state", "valid_from", "expires_on", "activity_list")
    list_filter = ("state", ExpiryFilter)
    list_select_related = ("holder",)
    search_fields = (
        "=number",
        "holder__legal_name",
        "holder__trade_name",
        "holder__registration_number",
        "holder__tax_registrations__number",
    )
    search_help_text = _("Licence number (exact), name, registration or tax number.")
    ordering = ("-issued_at", "-pk")
    readonly_fields = (
        "number",
        "holder_link",
        "state",
        "activity_list",
        "site_list",
        "valid_from",
        "expires_on",
        "predecessor_link",
        "application_link",
        "legacy_import_link",
        "issued_by",
        "issued_at",
    )
    fields = readonly_fields
    inlines = (TermInline, LicenceConditionInline, LicenceProposalInline, IssuedDocumentInline)

    def get_urls(self) -> list[URLPattern]:
        def view(func: Any) -> Any:
            return self.admin_site.admin_view(lambda request, **kw: func(self, request, **kw))

        return [
            # Art. 9.2: the legacy register import, before <path:object_id>/.
            path("import/", view(imports.upload_view), name="licensing_licence_import"),
            path(
                "import/<uuid:public_id>/",
                view(imports.detail_view),
                name="licensing_licence_import_detail",
            ),
            path(
                "import/<uuid:public_id>/confirm/",
                view(imports.confirm_view),
                name="licensing_licence_import_confirm",
            ),
            *super().get_urls(),
        ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A licence is issued only by approving an application (or comes with an import).
        return False

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        context = {**(extra_context or {}), "can_import_records": may_import(None, request.user)}
        return super().changelist_view(request, context)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Licence]:
        # The list joins the holder alone (list_select_related); the licence's page its links.
        return selectors.visible_licences(request.user)

    def read_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> Licence | None:
        queryset = self.get_queryset(request).select_related(
            "holder", "predecessor", "application", "issued_by", "legacy_import"
        )
        field: Any = self.opts.pk if from_field is None else self.opts.get_field(from_field)
        try:
            return queryset.get(**{field.name: field.to_python(object_id)})
        except (Licence.DoesNotExist, ValidationError, ValueError):
            return None

    def get_ordering(self, request: HttpRequest) -> Any:
        # The expiry queue is read soonest first, straight from the partial index.
        if request.GET.get(ExpiryFilter.parameter_name):
            return ("expires_on", "pk")
        return super().get_ordering(request)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        # A licence number (with a valid check character) is looked up by its unique index
        # alone, not by a scan of every holder's names.
        number = as_number(search_term)
        if number is not None:
            return queryset.filter(number=number), False
        # Art. 9.2: a legacy number, kept as imported, by the same unique index.
        legacy = as_legacy_number(search_term)
        if legacy is not None and queryset.filter(number=legacy).exists():
            return queryset.filter(number=legacy), False
        if not search_term.strip():
            return queryset, False
        # Names and registration numbers through the parties first, then the holder's index:
        # one scan of the parties instead of a join of every row with every name.
        return queryset.filter(holder__in=selectors.matching_party_ids(search_term)), False

    @admin.display(description=_("activities"))
    def activity_list(self, obj: Licence) -> str:
        return ", ".join(activity_labels(obj.activities))

    @admin.display(description=_("sites"))
    def site_list(self, obj: Licence) -> str:
        return "; ".join(str(site) for site in obj.sites.all()) or "-"

    @admin.display(description=_("holder"))
    def holder_link(self, obj: Licence) -> str:
        return link_to(obj.holder)

    @admin.display(description=_("predecessor"))
    def predecessor_link(self, obj: Licence) -> str:
        return link_to(obj.predecessor)

    @admin.display(description=_("issuing application"))
    def application_link(self, obj: Licence) -> str:
        return link_to(obj.application)

    @admin.display(description=_("imported with"))
    def legacy_import_link(self, obj: Licence) -> str:
        return link_to(obj.legacy_import)
