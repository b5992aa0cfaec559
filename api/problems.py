"""Every error as an RFC 9457 problem document (``application/problem+json``): ``type``,
``title``, ``status``, ``detail``, and for a request that is not valid, ``errors`` by field."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler

from licensing.exceptions import DomainError, PermissionDenied

PROBLEM = "application/problem+json"
TYPE_BASE = "https://licensing.example/api/problems/"


class ProblemSerializer(serializers.Serializer[Any]):
    """RFC 9457, section 3.1."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    errors = serializers.JSONField(required=False)


def _code(exc: Exception) -> str:
    if isinstance(exc, APIException):
        codes = exc.get_codes()
        if isinstance(codes, str):
            return codes
        return "invalid"
    return type(exc).__name__.lower()


def problem(status_code: int, detail: str, *, code: str = "", errors: Any = None) -> Response:
    body: dict[str, Any] = {
        "type": TYPE_BASE + code if code else "about:blank",
        "title": HTTPStatus(status_code).phrase,
        "status": status_code,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    return Response(body, status=status_code, content_type=PROBLEM)


def problem_response(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: its own answer, reshaped; a domain error of the services is a
    403 (permission) or 400 with its translated message."""
    if isinstance(exc, PermissionDenied):
        return problem(status.HTTP_403_FORBIDDEN, str(exc.message), code="permission_denied")
    if isinstance(exc, DomainError):
        errors = getattr(exc, "errors", None)
        return problem(
            status.HTTP_422_UNPROCESSABLE_ENTITY if errors else status.HTTP_400_BAD_REQUEST,
            str(exc.message),
            code="rejected",
            errors=[str(e) for e in errors] if errors else None,
        )
    response = exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, ValidationError) or not (isinstance(data, dict) and "detail" in data):
        detail, errors = _("The request is not valid; the errors name each field."), data
    else:
        detail, errors = str(data["detail"]), None
    reshaped = problem(response.status_code, detail, code=_code(exc), errors=errors)
    for header, value in response.items():
        if header.lower() != "content-type":
            reshaped[header] = value
    return reshaped


def documented(*codes: int) -> dict[Any, Any]:
    """The error answers of an endpoint, for the schema (``extend_schema(responses=...)``)."""
    descriptions = {
        400: "The query or body is malformed.",
        401: "No valid access token.",
        403: "The token lacks this endpoint's scope.",
        404: "No such record.",
        422: "The records were refused: nothing was written.",
        429: "Too many requests: retry after Retry-After seconds.",
    }
    return {
        (code, PROBLEM): OpenApiResponse(ProblemSerializer, description=descriptions[code])
        for code in codes
    }
