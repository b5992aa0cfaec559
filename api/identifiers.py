"""The EU tracking-and-tracing identifier codes (Reg. (EU) 2018/574 Art. 14, 16, 18; this
authority is their ID issuer, docs/identifiers.md) of what the API shows, read in batches:
one query for a page of records, whatever its length."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet

from equipment.identifiers import machine_codes
from equipment.models import Machine, MachineCode
from licensing.identifiers import facility_codes, normalised_code, operator_code
from licensing.models.identifiers import OperatorCode

__all__ = ["facility_codes", "machine_codes", "operator_code", "operator_codes"]


def operator_codes(parties: Iterable[Any]) -> dict[int, str]:
    """party id -> its active economic operator code (EO_ID)."""
    ids = [getattr(party, "pk", party) for party in parties]
    if not ids:
        return {}
    return dict(
        OperatorCode.objects.filter(party_id__in=ids, active=True).values_list("party_id", "code")
    )


def machines_by_identifier(machines: QuerySet[Machine], identifier: str) -> QuerySet[Machine]:
    """The authority's machine identifier, or a machine identifier code (M_ID) it issued."""
    coded = MachineCode.objects.filter(code=normalised_code(identifier)).values("machine_id")
    return machines.filter(Q(identifier=identifier) | Q(pk__in=coded))
