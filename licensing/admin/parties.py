"""Applicants and licensees with what Art. 6.3(b) asks of them. Personal data (Art. 5): the
persons, bank accounts and criminal-record declarations are inlines that only roles holding
their view permission see (officers and auditors, not inspectors or registrars)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from licensing import selectors
from licensing.admin.base import EndableInline, EndableInlineForm, KeptAdmin, KeptInline
from licensing.admin.batches import print_licences_of_sites
from licensing.admin.exchange import export_selected_records
from licensing.admin.identifiers import CodesAdminMixin
from licensing.admin.masking import MaskedAdminMixin, masking_form
from licensing.admin.paging import PagedInline
from licensing.admin.personal_data import PersonalDataAdminMixin
from licensing.admin.shared import DocumentInline
from licensing.admin.widgets import FastFormsMixin
from licensing.models import (
    BankAccount,
    CorporateAffiliation,
    CriminalRecordDeclaration,
    FacilityCode,
    OperatorCode,
    Party,
    Person,
    Product,
    ProductionCapacity,
    Site,
    TaxRegistration,
)


class TaxRegistrationInline(PagedInline, EndableInline):
    model = TaxRegistration
    fields = ("country", "number")


class AffiliationInline(PagedInline, EndableInline):
    model = CorporateAffiliation
    fk_name = "party"
    fields = ("affiliate", "relationship")
    autocomplete_fields = ("affiliate",)


class PersonInline(PagedInline, MaskedAdminMixin, KeptInline):
    model = Person
    # Art. 5: the identity document number masked; Show reveals it (licensing/admin/masking.py).
    masked = ("identity_document_number",)
    reveal_kind = "person"
    form = masking_form(forms.ModelForm, kind="person", fields=masked)
    fields = (
        "role",
        "full_name",
        "date_of_birth",
        "nationality",
        "identity_document_type",
        "identity_document_number",
        "identity_document_country",
        "identity_document_expires_on",
        "active_from",
        "active_until",
    )


class BankAccountInline(PagedInline, MaskedAdminMixin, EndableInline):
    model = BankAccount
    masked = ("iban", "account_number")
    reveal_kind = "bank"
    form = masking_form(EndableInlineForm, kind="bank", fields=masked)
    fields = ("iban", "account_number", "bic", "bank_name", "bank_country", "holder_name")


class DeclarationInline(PagedInline, MaskedAdminMixin, KeptInline):
    model = CriminalRecordDeclaration
    masked = ("details", "review_note")
    reveal_kind = "declaration"
    form = masking_form(forms.ModelForm, kind="declaration", fields=masked)
    fields = ("person", "has_convictions", "details", "declared_on", "review_note")

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "person" and field is not None:
            party_id = (
                request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            )
            # Only the persons of the party being edited (none on the add page); a declaration
            # made in a draft may name a person the draft proposes (licensing.models.versions).
            field.queryset = Person.with_proposals.filter(party_id=party_id or 0)
            # Read once for the page, not once for each declaration's select.
            field.choices = list(iter(field.choices))
        return field

    def get_queryset(self, request: HttpRequest) -> QuerySet[CriminalRecordDeclaration]:
        # Each row is named by its person (``__str__``).
        return super().get_queryset(request).select_related("person", "party")


class SiteInline(PagedInline, KeptInline):
    model = Site
    fields = ("kind", "name", "street_address", "postal_code", "municipality", "country")
    show_change_link = True


class ProductInline(PagedInline, KeptInline):
    model = Product
    fields = ("product_type", "name", "brand", "trade_mark", "description")


class PartyDocumentInline(PagedInline, DocumentInline):
    fk_name = "party"


@admin.register(Party)
class PartyAdmin(
    CodesAdminMixin, FastFormsMixin, PersonalDataAdminMixin, MaskedAdminMixin, KeptAdmin
):
    """The reveal pages and the auditor's "Personal data reads" hang off this admin
    (licensing/admin/personal_data.py)."""

    masked = ("identity_document_number",)
    reveal_kind = "party"
    form = masking_form(forms.ModelForm, kind="party", fields=masked)
    list_display = ("legal_name", "trade_name", "kind", "registration_number", "country")
    list_filter = ("kind",)
    actions = (export_selected_records,)
    search_fields = (
        "legal_name",
        "trade_name",
        "registration_number",
        "tax_registrations__number",
        "email",
    )
    search_help_text = _("Name, trade name, registration or tax number, e-mail.")
    fieldsets = (
        (None, {"fields": ("kind", "legal_name", "trade_name", "country", "preferred_language")}),
        (
            _("Legal person (Art. 6.3(b)(ii))"),
            {
                "fields": (
                    "registration_number",
                    "date_of_incorporation",
                    "place_of_incorporation",
                    "headquarters_address",
                    "principal_place_of_business",
                )
            },
        ),
        (
            _("Natural person (Art. 6.3(b)(i))"),
            {
                "fields": (
                    "date_of_birth",
                    "nationality",
                    "identity_document_type",
                    "identity_document_number",
                    "identity_document_country",
                    "identity_document_expires_on",
                )
            },
        ),
        (_("Contact"), {"fields": ("address", "email", "phone")}),
    )
    readonly_fields = ("identifier_codes",)
    inlines = (
        TaxRegistrationInline,
        AffiliationInline,
        PersonInline,
        DeclarationInline,
        BankAccountInline,
        SiteInline,
        ProductInline,
        PartyDocumentInline,
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Party]:
        return selectors.visible_parties(request.user)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is None:
            return fieldsets
        # Reg. (EU) 2018/574 Art. 15: its economic operator codes (EO_ID), issued with its
        # first licence; the sites' pages show their facility codes.
        return [*fieldsets, (_("Tracking and tracing"), {"fields": ("identifier_codes",)})]

    def identifier_code_rows(self, obj: Party) -> list[OperatorCode]:
        return list(OperatorCode.objects.filter(party=obj).order_by("-issued_at", "-pk"))


class CapacityInline(KeptInline):
    model = ProductionCapacity
    fields = ("product_type", "units_per_year")


@admin.register(Site)
class SiteAdmin(CodesAdminMixin, KeptAdmin):
    """Art. 6.3(b)(iii): precise location and production capacity. The registrar prints every
    licence of a site from here: a site is what the registrar looks for (by its name, town or
    holder), and a licence names its sites, so "the licences of these sites" is one action."""

    actions = (print_licences_of_sites,)
    list_display = ("name", "party", "kind", "municipality", "country")
    list_select_related = ("party",)
    list_filter = ("kind",)
    search_fields = ("name", "municipality", "party__legal_name", "street_address")
    inlines = (CapacityInline,)
    autocomplete_fields = ("party",)
    readonly_fields = ("identifier_codes",)  # Reg. (EU) 2018/574 Art. 17: its facility codes

    def get_queryset(self, request: HttpRequest) -> QuerySet[Site]:
        return Site.objects.filter(party__in=selectors.visible_parties(request.user))

    def identifier_code_rows(self, obj: Site) -> list[FacilityCode]:
        return list(FacilityCode.objects.filter(site=obj).order_by("-issued_at", "-pk"))
