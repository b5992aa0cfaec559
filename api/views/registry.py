"""Parties by registration or tax number, and machines by serial number or identifier."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from api import identifiers
from api.problems import documented
from api.scopes import MACHINES_READ, PARTIES_READ
from api.serializers.registry import (
    MachineListSerializer,
    MachineQuerySerializer,
    MachineSerializer,
    PartyListSerializer,
    PartyQuerySerializer,
)
from api.views.base import PartnerView
from equipment.models import Machine, MachineState
from equipment.serials import normalised_serial
from licensing.models import Licence, LicenceState, Party, PartyKind, TaxRegistration
from licensing.tax_numbers import normal_tax_number
from licensing.verify.reads import normalised_number

LIVE = (LicenceState.ACTIVE, LicenceState.SUSPENDED)


def _parties(request: Request, view: PartnerView, matching: Q) -> Response:
    query = PartyQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    parties = Party.objects.filter(matching).filter(licences__isnull=False).distinct()
    if country := normalised_number(query.validated_data.get("country", "")):
        parties = parties.filter(country=country)
    found = list(
        parties.order_by("pk").prefetch_related(
            Prefetch("licences", queryset=Licence.objects.order_by("-issued_at", "-pk")),
            Prefetch(
                "tax_registrations",
                queryset=TaxRegistration.objects.current().order_by("country"),
            ),
        )[:50]
    )
    view.disclosed = [str(party.public_id) for party in found]
    for party in found:
        view.about(party.pk, f"party {party.legal_name}")
    codes = identifiers.operator_codes(found)
    rows = [_party(party, codes.get(party.pk)) for party in found]
    return Response(PartyListSerializer({"parties": rows}).data)


NUMBER = OpenApiParameter("number", str, OpenApiParameter.PATH)


class PartiesByRegistrationView(PartnerView):
    """Parties that hold or held a licence, by their business registration number. Art. 5:
    identifiers only, and of a natural person not even those (the partner holds the number it
    asked with)."""

    required_scopes = {"GET": PARTIES_READ}

    @extend_schema(
        operation_id="parties_by_registration_number",
        summary="Licensed parties by business registration number",
        parameters=[NUMBER, PartyQuerySerializer],
        responses={200: PartyListSerializer, **documented(400, 401, 403, 429)},
    )
    def get(self, request: Request, number: str) -> Response:
        return _parties(request, self, Q(registration_number__iexact=normalised_number(number)))


class PartiesByTaxNumberView(PartnerView):
    """Parties that hold or held a licence, by a current tax registration number (in the form
    the country's register writes it when ``country`` is given)."""

    required_scopes = {"GET": PARTIES_READ}

    @extend_schema(
        operation_id="parties_by_tax_number",
        summary="Licensed parties by tax registration number",
        parameters=[NUMBER, PartyQuerySerializer],
        responses={200: PartyListSerializer, **documented(400, 401, 403, 429)},
    )
    def get(self, request: Request, number: str) -> Response:
        country = normalised_number(request.query_params.get("country", ""))[:2]
        normal = (
            normal_tax_number(number, country) if len(country) == 2 else None
        ) or normalised_number(number)
        taxed = TaxRegistration.objects.current().filter(number=normal).values("party")
        return _parties(request, self, Q(pk__in=taxed))


def _party(party: Party, operator_code: str | None) -> dict[str, Any]:
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
        "operator_code": operator_code,
        "licensed": any(licence.state in LIVE for licence in licences),
        "licences": [
            {"number": lic.number, "state": lic.state, "expires_on": lic.expires_on}
            for lic in licences
        ],
    }


def _machines() -> QuerySet[Machine]:
    # Art. 6.3(h): the register's machines; one only declared, not yet registered by an
    # officer, is an applicant's proposal and is not shown.
    return Machine.objects.exclude(state=MachineState.DECLARED).select_related("licence", "site")


def _machine(machine: Machine, codes: dict[int, str], own: dict[int, str]) -> dict[str, Any]:
    site = machine.site
    return {
        "identifier": machine.identifier,
        "machine_code": own.get(machine.pk),
        "make": machine.make,
        "model": machine.model,
        "serial_number": machine.serial_number,
        "kind": machine.kind,
        "state": machine.state,
        "licence": machine.licence.number if machine.licence else None,
        "site": {"municipality": site.municipality, "facility_code": codes.get(site.pk)}
        if site is not None
        else None,
    }


class MachinesView(PartnerView):
    required_scopes = {"GET": MACHINES_READ}

    @extend_schema(
        operation_id="machines_by_serial_number",
        summary="Registered machines by serial number (one per make at most)",
        parameters=[MachineQuerySerializer],
        responses={200: MachineListSerializer, **documented(400, 401, 403, 429)},
    )
    def get(self, request: Request) -> Response:
        query = MachineQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        serial = normalised_serial(query.validated_data["serial_number"])
        found = list(_machines().filter(serial_key=serial).order_by("pk")[:50]) if serial else []
        codes = identifiers.facility_codes([m.site for m in found if m.site is not None])
        self.disclosed = [machine.identifier for machine in found]
        for machine in found:
            self.about(machine.holder_id, f"machine {machine.identifier}")
        own = identifiers.machine_codes(found)
        rows = [_machine(machine, codes, own) for machine in found]
        return Response(MachineListSerializer({"machines": rows}).data)


class MachineView(PartnerView):
    required_scopes = {"GET": MACHINES_READ}

    @extend_schema(
        operation_id="machine",
        summary="A registered machine by the authority's identifier or its EU identifier code",
        parameters=[OpenApiParameter("identifier", str, OpenApiParameter.PATH)],
        responses={200: MachineSerializer, **documented(401, 403, 404, 429)},
    )
    def get(self, request: Request, identifier: str) -> Response:
        machine = identifiers.machines_by_identifier(
            _machines(), normalised_number(identifier)
        ).first()
        if machine is None:
            raise NotFound()
        codes = identifiers.facility_codes([machine.site] if machine.site else [])
        self.disclosed = [machine.identifier]
        self.about(machine.holder_id, f"machine {machine.identifier}")
        own = identifiers.machine_codes([machine])
        return Response(MachineSerializer(_machine(machine, codes, own)).data)
