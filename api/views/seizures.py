"""Seizure cases both ways (Art. 21.1(e)): a partner reads this authority's cases (never one a
Party asked not to be passed on, Art. 21.2; never the persons, Art. 5), and reports its own
seizures, which become cases of its agency, are matched against the register (a machine of
ours seized abroad) and feed due diligence's checks of the holder (seizures/exchange.py)."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from api.auth import partner_of
from api.problems import documented
from api.scopes import SEIZURES_READ, SEIZURES_WRITE
from api.serializers.seizures import (
    ReceivedListSerializer,
    SeizureListQuerySerializer,
    SeizureListSerializer,
    SeizureRecordSerializer,
    SeizureReportSerializer,
)
from api.services.seizure_reports import receive_partner_seizures
from api.views.base import PartnerView
from seizures.exchange import case_record, exportable
from seizures.models import CaseOrigin, SeizureCase


def _cases() -> QuerySet[SeizureCase]:
    return exportable(SeizureCase.objects.all()).select_related("party")


class SeizuresView(PartnerView):
    required_scopes = {"GET": SEIZURES_READ, "POST": SEIZURES_WRITE}

    @extend_schema(
        operation_id="seizures",
        summary="This authority's seizure cases, in pages",
        parameters=[SeizureListQuerySerializer],
        responses={200: SeizureListSerializer, **documented(400, 401, 403, 429)},
    )
    def get(self, request: Request) -> Response:
        query = SeizureListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        limit = query.validated_data["limit"]
        cases = _cases().filter(origin=CaseOrigin.OWN).order_by("pk")
        if (cursor := query.validated_data.get("cursor")) is not None:
            cases = cases.filter(pk__gt=cursor)
        found = list(cases[: limit + 1])
        more, found = len(found) > limit, found[:limit]
        self.disclosed = [case.reference or "" for case in found]
        for case in found:
            self.about(case.party_id, f"seizure {case.reference}")
        records = [case_record(case) for case in found]
        return Response(
            SeizureListSerializer(
                {
                    "records": records,
                    "next_cursor": str(found[-1].pk if found else cursor or 0),
                    "has_more": more,
                }
            ).data
        )

    @extend_schema(
        operation_id="report_seizures",
        summary="Report seizures (all records or none)",
        request=SeizureReportSerializer,
        responses={201: ReceivedListSerializer, **documented(400, 401, 403, 422, 429)},
    )
    def post(self, request: Request) -> Response:
        partner = partner_of(request)
        if partner is None:  # HasScope lets no call without one through
            raise PermissionDenied()
        report = SeizureReportSerializer(data=request.data)
        report.is_valid(raise_exception=True)
        received = receive_partner_seizures(
            partner=partner, records=report.validated_data["records"]
        )
        rows = [
            {
                "reference": found.case.reference,
                "external_reference": found.case.external_reference,
                "matched_machines": found.matched_machines,
            }
            for found in received
        ]
        self.disclosed = [found.case.reference or "" for found in received]
        return Response(
            ReceivedListSerializer({"received": rows}).data, status=status.HTTP_201_CREATED
        )


class SeizureView(PartnerView):
    required_scopes = {"GET": SEIZURES_READ}

    @extend_schema(
        operation_id="seizure",
        summary="One of this authority's seizure cases by its reference",
        parameters=[OpenApiParameter("reference", str, OpenApiParameter.PATH)],
        responses={200: SeizureRecordSerializer, **documented(401, 403, 404, 429)},
    )
    def get(self, request: Request, reference: str) -> Response:
        case = _cases().filter(origin=CaseOrigin.OWN, reference=reference.strip()).first()
        if case is None:
            raise NotFound()
        self.disclosed = [case.reference or ""]
        self.about(case.party_id, f"seizure {case.reference}")
        return Response(case_record(case))
