"""How a licence is shown to a partner authority (Art. 21.1(a)): the approved records only
(DESIGN.md, *Records as the authority knew them*), a natural person's name never (Art. 5)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from api.serializers.query import QuerySerializer
from licensing.models import PartyKind
from licensing.verify.reads import public_trade_name


class HolderSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    name = serializers.CharField(help_text="Legal name of a legal person; a natural person's: ''.")
    trade_name = serializers.CharField()
    registration_number = serializers.CharField()
    country = serializers.CharField()
    operator_code = serializers.CharField(allow_null=True)


class SiteSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    name = serializers.CharField()
    municipality = serializers.CharField()
    postal_code = serializers.CharField()
    region = serializers.CharField()
    facility_code = serializers.CharField(allow_null=True)


class LicenceSerializer(serializers.Serializer[Any]):
    number = serializers.CharField()
    state = serializers.CharField()
    activities = serializers.ListField(child=serializers.CharField())
    valid_from = serializers.DateField()
    expires_on = serializers.DateField()
    issued_at = serializers.DateTimeField()
    predecessor = serializers.CharField(allow_null=True)
    holder = HolderSerializer()
    sites = SiteSerializer(many=True)
    updated_at = serializers.DateTimeField()


class HistoryEntrySerializer(serializers.Serializer[Any]):
    at = serializers.DateTimeField()
    event = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()


class LicenceHistorySerializer(serializers.Serializer[Any]):
    number = serializers.CharField()
    history = HistoryEntrySerializer(many=True)


class ChangeSerializer(serializers.Serializer[Any]):
    position = serializers.IntegerField(help_text="The change's place in the feed.")
    at = serializers.DateTimeField()
    number = serializers.CharField()
    event = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    state = serializers.CharField(help_text="The licence's state now.")


class ChangeFeedSerializer(serializers.Serializer[Any]):
    changes = ChangeSerializer(many=True)
    next_cursor = serializers.CharField(help_text="Pass as ?cursor= to read on.")
    has_more = serializers.BooleanField()


class ChangeQuerySerializer(QuerySerializer):
    changed_since = serializers.DateTimeField(
        required=False, help_text="Where to start; ignored when a cursor is given."
    )
    cursor = serializers.IntegerField(
        required=False, min_value=0, max_value=2**62, help_text="The next_cursor of a page."
    )
    limit = serializers.IntegerField(required=False, min_value=1, max_value=500, default=100)


def holder_data(party: Any, operator_code: str | None) -> dict[str, Any]:
    legal = party.kind == PartyKind.LEGAL
    return {
        "kind": party.kind,
        "name": party.legal_name if legal else "",
        "trade_name": public_trade_name(party),
        "registration_number": party.registration_number if legal else "",
        "country": party.country.code or "",
        "operator_code": operator_code,
    }


def site_data(site: Any, facility_code: str | None) -> dict[str, Any]:
    return {
        "kind": site.kind,
        "name": site.name,
        "municipality": site.municipality,
        "postal_code": site.postal_code,
        "region": site.region,
        "facility_code": facility_code,
    }
