"""Parties by their identifiers (identifiers only, Art. 5) and machines of the equipment
register (Art. 6.3(h))."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from api.serializers.query import QuerySerializer


class TaxNumberSerializer(serializers.Serializer[Any]):
    country = serializers.CharField()
    number = serializers.CharField()


class PartyLicenceSerializer(serializers.Serializer[Any]):
    number = serializers.CharField()
    state = serializers.CharField()
    expires_on = serializers.DateField()


class PartySerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    name = serializers.CharField(help_text="A legal person's legal name; a natural person's: ''.")
    registration_number = serializers.CharField()
    country = serializers.CharField()
    tax_numbers = TaxNumberSerializer(many=True)
    operator_code = serializers.CharField(allow_null=True)
    licensed = serializers.BooleanField(help_text="Holds an active or suspended licence.")
    licences = PartyLicenceSerializer(many=True)


class PartyListSerializer(serializers.Serializer[Any]):
    parties = PartySerializer(many=True)


class PartyQuerySerializer(QuerySerializer):
    country = serializers.CharField(
        required=False, max_length=2, min_length=2, help_text="ISO 3166 code of the register."
    )


class MachineSiteSerializer(serializers.Serializer[Any]):
    municipality = serializers.CharField()
    facility_code = serializers.CharField(allow_null=True)


class MachineSerializer(serializers.Serializer[Any]):
    identifier = serializers.CharField(help_text="The authority's machine identifier.")
    machine_code = serializers.CharField(allow_null=True)
    make = serializers.CharField()
    model = serializers.CharField()
    serial_number = serializers.CharField()
    kind = serializers.CharField()
    state = serializers.CharField()
    licence = serializers.CharField(allow_null=True, help_text="The holder's licence number.")
    site = MachineSiteSerializer(allow_null=True)


class MachineListSerializer(serializers.Serializer[Any]):
    machines = MachineSerializer(many=True)


class MachineQuerySerializer(QuerySerializer):
    serial_number = serializers.CharField(
        max_length=80, help_text="Compared without case, spaces, dashes, dots or slashes."
    )
