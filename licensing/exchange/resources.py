"""What an export holds. Headers are the field names, not translated labels: the receiving
authority (and a later import) reads the same columns whatever the officer's language."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from import_export import fields, resources, widgets

from licensing.models import FacilityCode, Licence, OperatorCode, Party

_ID = widgets.IntegerWidget(coerce_to_string=False)
_DATE = widgets.DateWidget(coerce_to_string=False)


def _active_operators() -> Prefetch:
    return Prefetch(
        "operator_codes", queryset=OperatorCode.objects.filter(active=True), to_attr="active_eo"
    )


def _active_facilities(path: str) -> Prefetch:
    return Prefetch(path, queryset=FacilityCode.objects.filter(active=True), to_attr="active_f")


def _eo_id(party: Party) -> str:
    """Reg. (EU) 2018/574 Art. 15: the active economic operator identifier code, or ""."""
    return next((code.code for code in getattr(party, "active_eo", [])), "")


def _facility_ids(sites: Any) -> str:
    """Reg. (EU) 2018/574 Art. 17: each site's active facility identifier code, by name."""
    return "; ".join(
        f"{site.name}: {code.code}" for site in sites for code in getattr(site, "active_f", [])
    )


def _site_line(site: Any) -> str:
    return f"{site.name}, {site.street_address}, {site.postal_code} {site.municipality}, " + str(
        site.country.code
    )


class PartyResource(resources.ModelResource):
    """Art. 6.3(b): the party's identification as the authority holds it (natural persons'
    identity documents too: only users with ``export_records`` get this), its current tax
    registrations, its sites and its licences."""

    id = fields.Field(attribute="id", column_name="id", widget=_ID)
    date_of_incorporation = fields.Field(
        attribute="date_of_incorporation", column_name="date_of_incorporation", widget=_DATE
    )
    date_of_birth = fields.Field(
        attribute="date_of_birth", column_name="date_of_birth", widget=_DATE
    )
    identity_document_expires_on = fields.Field(
        attribute="identity_document_expires_on",
        column_name="identity_document_expires_on",
        widget=_DATE,
    )
    country = fields.Field(column_name="country")
    nationality = fields.Field(column_name="nationality")
    identity_document_country = fields.Field(column_name="identity_document_country")
    tax_registrations = fields.Field(column_name="tax_registrations")
    sites = fields.Field(column_name="sites")
    licences = fields.Field(column_name="licences")
    eo_id = fields.Field(column_name="eo_id")
    facility_ids = fields.Field(column_name="facility_ids")

    class Meta:
        model = Party
        fields = (
            "id",
            "kind",
            "legal_name",
            "trade_name",
            "registration_number",
            "country",
            "date_of_incorporation",
            "place_of_incorporation",
            "headquarters_address",
            "principal_place_of_business",
            "date_of_birth",
            "nationality",
            "identity_document_type",
            "identity_document_number",
            "identity_document_country",
            "identity_document_expires_on",
            "address",
            "email",
            "phone",
            "tax_registrations",
            "sites",
            "licences",
            "eo_id",
            "facility_ids",
        )
        export_order = fields

    def filter_export(self, queryset: Any, **kwargs: Any) -> Any:
        return queryset.prefetch_related(
            "tax_registrations",
            "sites",
            "licences",
            _active_operators(),
            _active_facilities("sites__facility_codes"),
        )

    def dehydrate_eo_id(self, party: Party) -> str:
        return _eo_id(party)

    def dehydrate_facility_ids(self, party: Party) -> str:
        return _facility_ids(party.sites.all())

    def dehydrate_country(self, party: Party) -> str:
        return str(party.country.code or "")

    def dehydrate_nationality(self, party: Party) -> str:
        return str(party.nationality.code or "")

    def dehydrate_identity_document_country(self, party: Party) -> str:
        return str(party.identity_document_country.code or "")

    def dehydrate_tax_registrations(self, party: Party) -> str:
        current = [t for t in party.tax_registrations.all() if t.ended_at is None]
        return "; ".join(f"{t.country.code} {t.number}" for t in current)

    def dehydrate_sites(self, party: Party) -> str:
        return "; ".join(_site_line(site) for site in party.sites.all())

    def dehydrate_licences(self, party: Party) -> str:
        return "; ".join(
            f"{lic.number} ({lic.state}, {lic.valid_from:%Y-%m-%d} - {lic.expires_on:%Y-%m-%d})"
            for lic in party.licences.all()
        )


class LicenceResource(resources.ModelResource):
    """Art. 6.3(a): a licence with its holder, activities, state, validity and sites."""

    id = fields.Field(attribute="id", column_name="id", widget=_ID)
    holder_legal_name = fields.Field(
        attribute="holder__legal_name", column_name="holder_legal_name"
    )
    holder_trade_name = fields.Field(
        attribute="holder__trade_name", column_name="holder_trade_name"
    )
    holder_registration_number = fields.Field(
        attribute="holder__registration_number", column_name="holder_registration_number"
    )
    activities = fields.Field(column_name="activities")
    valid_from = fields.Field(attribute="valid_from", column_name="valid_from", widget=_DATE)
    expires_on = fields.Field(attribute="expires_on", column_name="expires_on", widget=_DATE)
    sites = fields.Field(column_name="sites")
    holder_eo_id = fields.Field(column_name="holder_eo_id")
    facility_ids = fields.Field(column_name="facility_ids")

    class Meta:
        model = Licence
        fields = (
            "id",
            "number",
            "holder_legal_name",
            "holder_trade_name",
            "holder_registration_number",
            "activities",
            "state",
            "valid_from",
            "expires_on",
            "sites",
            "holder_eo_id",
            "facility_ids",
        )
        export_order = fields

    def filter_export(self, queryset: Any, **kwargs: Any) -> Any:
        return queryset.select_related("holder").prefetch_related(
            "sites",
            Prefetch(
                "holder__operator_codes",
                queryset=OperatorCode.objects.filter(active=True),
                to_attr="active_eo",
            ),
            _active_facilities("sites__facility_codes"),
        )

    def dehydrate_holder_eo_id(self, licence: Licence) -> str:
        return _eo_id(licence.holder)

    def dehydrate_facility_ids(self, licence: Licence) -> str:
        return _facility_ids(licence.sites.all())

    def dehydrate_activities(self, licence: Licence) -> str:
        return ", ".join(licence.activities)

    def dehydrate_sites(self, licence: Licence) -> str:
        return "; ".join(_site_line(site) for site in licence.sites.all())


RESOURCES: dict[type, type[resources.ModelResource]] = {
    Party: PartyResource,
    Licence: LicenceResource,
}
