"""What an export holds. Headers are the field names, not translated labels: the receiving
authority (and a later import) reads the same columns whatever the officer's language."""

from __future__ import annotations

from typing import Any

from import_export import fields, resources, widgets

from licensing.models import Licence, Party

_ID = widgets.IntegerWidget(coerce_to_string=False)
_DATE = widgets.DateWidget(coerce_to_string=False)


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
        )
        export_order = fields

    def filter_export(self, queryset: Any, **kwargs: Any) -> Any:
        return queryset.prefetch_related("tax_registrations", "sites", "licences")

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
        )
        export_order = fields

    def filter_export(self, queryset: Any, **kwargs: Any) -> Any:
        return queryset.select_related("holder").prefetch_related("sites")

    def dehydrate_activities(self, licence: Licence) -> str:
        return ", ".join(licence.activities)

    def dehydrate_sites(self, licence: Licence) -> str:
        return "; ".join(_site_line(site) for site in licence.sites.all())


RESOURCES: dict[type, type[resources.ModelResource]] = {
    Party: PartyResource,
    Licence: LicenceResource,
}
