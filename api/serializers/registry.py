"""Parties by their identifiers (identifiers only, Art. 5) and machines of the equipment
register (Art. 6.3(h))."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers


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


class PartyQuerySerializer(serializers.Serializer[Any]):
    registration_number = serializers.CharField(required=False, max_length=64)
    tax_number = serializers.CharField(required=False, max_length=64)
    country = serializers.CharField(required=False, max_length=2, min_length=2)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        given = [n for n in ("registration_number", "tax_number") if attrs.get(n, "").strip()]
        if len(given) != 1:
            raise serializers.ValidationError(
                "Give exactly one of registration_number and tax_number."
            )
        return attrs


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


class MachineQuerySerializer(serializers.Serializer[Any]):
    serial_number = serializers.CharField(required=False, max_length=64)
    identifier = serializers.CharField(required=False, max_length=64)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        given = [n for n in ("serial_number", "identifier") if attrs.get(n, "").strip()]
        if len(given) != 1:
            raise serializers.ValidationError("Give exactly one of serial_number and identifier.")
        return attrs
