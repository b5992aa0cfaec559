"""Licences (Art. 21.1(a)): one by its number, its history, and the change feed."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from api import identifiers, selectors
from api.problems import documented
from api.scopes import LICENCES_READ
from api.serializers.licences import (
    ChangeFeedSerializer,
    ChangeQuerySerializer,
    LicenceHistorySerializer,
    LicenceSerializer,
    holder_data,
    site_data,
)
from api.views.base import PartnerView
from licensing.models import Licence

NUMBER = OpenApiParameter("number", str, OpenApiParameter.PATH, description="Licence number.")


def _licence(number: str) -> Licence:
    licence = selectors.licence_by_number(number)
    if licence is None:
        raise NotFound()
    return licence


class LicenceView(PartnerView):
    required_scopes = {"GET": LICENCES_READ}

    @extend_schema(
        operation_id="licence",
        summary="A licence by its number",
        parameters=[NUMBER],
        responses={200: LicenceSerializer, **documented(401, 403, 404, 429)},
    )
    def get(self, request: Request, number: str) -> Response:
        licence = _licence(number)
        sites = list(licence.sites.all())
        codes = identifiers.facility_codes(sites)
        data: dict[str, Any] = {
            "number": licence.number,
            "state": licence.state,
            "activities": list(licence.activities or []),
            "valid_from": licence.valid_from,
            "expires_on": licence.expires_on,
            "issued_at": licence.issued_at,
            "predecessor": licence.predecessor.number if licence.predecessor else None,
            "holder": holder_data(licence.holder, identifiers.operator_code(licence.holder)),
            "sites": [site_data(site, codes.get(site.pk)) for site in sites],
            "updated_at": licence.updated_at,
        }
        self.disclosed = [licence.number]
        self.about(licence.holder_id, f"licence {licence.number}")
        return Response(LicenceSerializer(data).data)


class LicenceHistoryView(PartnerView):
    required_scopes = {"GET": LICENCES_READ}

    @extend_schema(
        operation_id="licence_history",
        summary="A licence's status history",
        parameters=[NUMBER],
        responses={200: LicenceHistorySerializer, **documented(401, 403, 404, 429)},
    )
    def get(self, request: Request, number: str) -> Response:
        licence = _licence(number)
        history = [
            {"at": e.at, "event": e.verb, "from_state": e.from_state, "to_state": e.to_state}
            for e in selectors.licence_history(licence)
        ]
        self.disclosed = [licence.number]
        self.about(licence.holder_id, f"licence history {licence.number}")
        return Response(
            LicenceHistorySerializer({"number": licence.number, "history": history}).data
        )


class LicenceChangesView(PartnerView):
    required_scopes = {"GET": LICENCES_READ}

    @extend_schema(
        operation_id="licence_changes",
        summary="The change feed: licences changed since a moment, or after a cursor",
        description=(
            "Start with ?changed_since=<ISO 8601 time> (or with neither parameter: every change "
            "from the first), then follow next_cursor with ?cursor=. The feed is in commit "
            "order: a cursor never passes a change committed later."
        ),
        parameters=[ChangeQuerySerializer],
        responses={200: ChangeFeedSerializer, **documented(400, 401, 403, 429)},
    )
    def get(self, request: Request) -> Response:
        query = ChangeQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        changes, next_cursor, more = selectors.licence_changes(
            cursor=query.validated_data.get("cursor"),
            since=query.validated_data.get("changed_since"),
            limit=query.validated_data["limit"],
        )
        self.disclosed = sorted({change["number"] for change in changes})
        for change in changes:
            self.about(change["holder_id"], f"licence {change['number']}")
        return Response(
            ChangeFeedSerializer(
                {"changes": changes, "next_cursor": str(next_cursor), "has_more": more}
            ).data
        )
