"""The seizure record as exchanged (``seizure/1``, seizures/exchange.py), for the schema and to
check a partner's report before the exchange's own checks (which name each wrong field)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from api.serializers.query import QuerySerializer
from seizures.exchange import SCHEMA


def _text(max_length: int = 300, **kwargs: Any) -> serializers.CharField:
    return serializers.CharField(
        max_length=max_length, required=False, allow_blank=True, allow_null=True, **kwargs
    )


def _number(max_digits: int, places: int) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=max_digits,
        decimal_places=places,
        required=False,
        allow_null=True,
        coerce_to_string=True,
    )


class ModusSerializer(serializers.Serializer[Any]):
    transport = _text()
    concealment = _text()
    routing = _text()
    detection = _text()


class EntitySerializer(serializers.Serializer[Any]):
    kind = _text(16)
    name = _text(200)
    registration_number = _text(64)
    tax_number = _text(64)
    address = _text(500)
    country = _text(2)
    licence_numbers = serializers.ListField(
        child=serializers.CharField(max_length=32), required=False, read_only=True
    )


class ItemSerializer(serializers.Serializer[Any]):
    number = serializers.IntegerField(read_only=True)
    kind = serializers.CharField(max_length=12)
    description = _text(500)
    make = _text(120)
    model = _text(120)
    serial_number = _text(80)
    cloned = serializers.BooleanField(required=False)
    product_type = _text(16)
    tobacco_form = _text(16)
    brand = _text(200)
    markings = _text(500)
    quantity = serializers.DecimalField(max_digits=16, decimal_places=3, coerce_to_string=True)
    unit = serializers.CharField(max_length=8)
    value = _number(16, 2)
    currency = _text(3)
    manufactured_in = _text(2)
    manufactured_on = serializers.DateField(required=False, allow_null=True)


class PersonSerializer(serializers.Serializer[Any]):
    full_name = serializers.CharField(max_length=200)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    nationality = _text(2)
    id_document_country = _text(2)
    id_document_number = _text(64)
    role = _text(24)


class SeizureRecordSerializer(serializers.Serializer[Any]):
    schema = serializers.ChoiceField(choices=[SCHEMA])
    reporting_party = serializers.CharField(max_length=2, min_length=2)
    reference = serializers.CharField(max_length=80)
    agency = _text(200)
    agency_reference = _text(80)
    seized_on = serializers.DateField()
    place = _text(200)
    country = serializers.CharField(max_length=2, min_length=2)
    latitude = _number(9, 6)
    longitude = _number(9, 6)
    summary = _text(2000)
    modus_operandi = ModusSerializer(required=False)
    entity = EntitySerializer(required=False)
    items = ItemSerializer(many=True, allow_empty=False, min_length=1, max_length=500)
    persons = PersonSerializer(many=True, required=False, max_length=100)
    onward_restricted = serializers.BooleanField(required=False, default=False)


class SeizureReportSerializer(serializers.Serializer[Any]):
    records = SeizureRecordSerializer(many=True, allow_empty=False, min_length=1, max_length=100)


class SeizureListSerializer(serializers.Serializer[Any]):
    records = SeizureRecordSerializer(many=True)
    next_cursor = serializers.CharField()
    has_more = serializers.BooleanField()


class SeizureListQuerySerializer(QuerySerializer):
    cursor = serializers.IntegerField(required=False, min_value=0, max_value=2**62)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=100, default=50)


class ReceivedSerializer(serializers.Serializer[Any]):
    reference = serializers.CharField(help_text="This authority's case reference.")
    external_reference = serializers.CharField(help_text="The reporting Party's reference.")
    matched_machines = serializers.ListField(
        child=serializers.CharField(), help_text="Register machines its items name."
    )


class ReceivedListSerializer(serializers.Serializer[Any]):
    received = ReceivedSerializer(many=True)
