"""What every endpoint shares: the partner's call written to ``ApiCall`` with the ids of the
records it disclosed (Art. 21: a trace of every disclosure), and a 404 problem for a path the
API does not have."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.auth import partner_of
from api.models import ApiCall
from api.services.disclosures import record_api_disclosures
from licensing.services.audit import request_ip


class PartnerView(APIView):
    # ``required_scopes``: the scope each method needs. A view puts the ids it returned or
    # wrote into ``self.disclosed``. (A docstring here would describe every operation.)

    required_scopes: dict[str, str] = {}

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        self.disclosed: list[str] = []
        # (party id or None, what): the register of disclosures (Art. 22.2), per party.
        self.disclosed_about: list[tuple[int | None, str]] = []
        super().initial(request, *args, **kwargs)

    def about(self, party_id: int | None, label: str) -> None:
        """A record about ``party_id`` is in the answer: it goes to the register of
        disclosures with the call."""
        self.disclosed_about.append((party_id, label))

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        client = partner_of(request)
        if client is None:
            return response
        # The call's record and its rows in the register of disclosures: both or neither (no
        # savepoint of its own: inside a transaction, that transaction's fate is theirs).
        with transaction.atomic(savepoint=False):
            call = ApiCall.objects.create(
                client=client,
                method=request.method or "",
                endpoint=request.get_full_path()[:300],
                status=response.status_code,
                object_ids=getattr(self, "disclosed", []) if response.status_code < 300 else [],
                ip=request_ip.get(),
            )
            about = getattr(self, "disclosed_about", [])
            if response.status_code < 300 and about:
                record_api_disclosures(client=client, call=call, about=about)
        return response


@extend_schema(exclude=True)
class NoSuchEndpoint(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes: list[Any] = []

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        raise NotFound()

    post = put = patch = delete = get
