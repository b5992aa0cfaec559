"""Parties by registration or tax number, and machines by serial number or identifier."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from api import identifiers
from api.problems import documented
from api.scopes import MACHINES_READ, PARTIES_READ
from api.serializers.registry import (
    MachineListSerializer,
    MachineQuerySerializer,
    PartyListSerializer,
    PartyQuerySerializer,
)
from api.views.base import PartnerView
from equipment.models import Machine, MachineState
from equipment.serials import normalised_serial
from licensing.models import Licence, LicenceState, Party, PartyKind, TaxRegistration
from licensing.tax_numbers import normal_tax_number

LIVE = (LicenceState.ACTIVE, LicenceState.SUSPENDED)


def _compact(text: str) -> str:
    return "".join(text.split()).upper()


class PartiesView(PartnerView):
    """Art. 5: identifiers only. A natural person's name, registration and tax numbers are not
    returned (the partner already holds the number it asked with); only parties that hold or
    held a licence are found."""

    required_scopes = {"GET": PARTIES_READ}

    @extend_schema(
        operation_id="parties",
        summary="Licensed parties by registration or tax number",
        parameters=[PartyQuerySerializer],
        responses={200: PartyListSerializer, **documented(400, 401, 403, 429)},
    )
    def get(self, request: Request) -> Response:
        query = PartyQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        country = _compact(query.validated_data.get("country", ""))
        parties = Party.objects.filter(Q(licences__isnull=False)).distinct()
        if country:
            parties = parties.filter(country=country)
        if number := query.validated_data.get("registration_number", "").strip():
            parties = parties.filter(registration_number__iexact=_compact(number))
        else:
            raw = query.validated_data["tax_number"].strip()
            number = (normal_tax_number(raw, country) if country else None) or _compact(raw)
            parties = parties.filter(
                pk__in=TaxRegistration.objects.current().filter(number=number).values("party")
            )
        found = list(
            parties.order_by("pk").prefetch_related(
                Prefetch("licences", queryset=Licence.objects.order_by("-issued_at", "-pk")),
                Prefetch(
                    "tax_registrations",
                    queryset=TaxRegistration.objects.current().order_by("country"),
                ),
            )[:50]
        )
        self.disclosed = [str(party.public_id) for party in found]
        return Response(PartyListSerializer({"parties": [_party(p) for p in found]}).data)


def _party(party: Party) -> dict[str, Any]:
    legal = party.kind == PartyKind.LEGAL
    licences = list(party.licences.all())
    return {
        "kind": party.kind,
        "name": party.legal_name if legal else "",
        "registration_number": party.registration_number if legal else "",
        "country": party.country.code or "",
        "tax_numbers": [
            {"country": tax.country.code, "number": tax.number}
            for tax in party.tax_registrations.all()
        ]
        if legal
        else [],
        "operator_code": identifiers.operator_code(party),
        "licensed": any(licence.state in LIVE for licence in licences),
        "licences": [
            {"number": lic.number, "state": lic.state, "expires_on": lic.expires_on}
            for lic in licences
        ],
    }


class MachinesView(PartnerView):
    """Art. 6.3(h): the register's machines (a machine only declared, not yet registered by an
    officer, is an applicant's proposal and is not shown)."""

    required_scopes = {"GET": MACHINES_READ}

    @extend_schema(
        operation_id="machines",
        summary="Registered machines by serial number or identifier",
        parameters=[MachineQuerySerializer],
        responses={200: MachineListSerializer, **documented(400, 401, 403, 429)},
    )
    def get(self, request: Request) -> Response:
        query = MachineQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        machines = Machine.objects.exclude(state=MachineState.DECLARED).select_related(
            "licence", "site"
        )
        if serial := query.validated_data.get("serial_number", "").strip():
            machines = machines.filter(serial_key=normalised_serial(serial))
        else:
            machines = identifiers.machines_by_identifier(
                machines, _compact(query.validated_data["identifier"])
            )
        found = list(machines.order_by("pk")[:50])
        codes = identifiers.facility_codes([m.site for m in found if m.site is not None])
        self.disclosed = [machine.identifier for machine in found]
        rows = [
            {
                "identifier": m.identifier,
                "machine_code": identifiers.machine_code(m),
                "make": m.make,
                "model": m.model,
                "serial_number": m.serial_number,
                "kind": m.kind,
                "state": m.state,
                "licence": m.licence.number if m.licence else None,
                "site": {"municipality": m.site.municipality, "facility_code": codes.get(m.site.pk)}
                if m.site
                else None,
            }
            for m in found
        ]
        return Response(MachineListSerializer({"machines": rows}).data)
