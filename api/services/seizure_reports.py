"""A partner authority's report of its seizures (Art. 21.1(e)), received through the API: the
exchange's own checks and writing (``seizures.exchange.accept_records``, all records or none),
after the one rule the API adds, and what the report found in the register."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext_lazy as _

from api.models import PartnerClient
from licensing.exceptions import PermissionDenied
from seizures.exchange import accept_records
from seizures.models import SeizedItem, SeizureCase


class NotItsParty(PermissionDenied):
    default_message = _("A partner reports the seizures of its own Party only.")


@dataclass
class Received:
    case: SeizureCase
    matched_machines: list[str] = field(default_factory=list)


def receive_partner_seizures(
    *, partner: PartnerClient, records: list[dict[str, Any]]
) -> list[Received]:
    """Art. 21.1(e): the partner's records become cases of its agency, under its service
    account, and each machine in them is compared with the register (seizures' own matching:
    a machine of ours seized abroad counts in its holder's risk score). Refused whole when a
    record names another Party as the one reporting it."""
    if any(str(r.get("reporting_party", "")).upper() != partner.country.code for r in records):
        raise NotItsParty()
    payload = json.dumps({"records": records}, cls=DjangoJSONEncoder).encode()
    cases = accept_records(payload=payload, by=partner.account)
    found = [Received(case) for case in cases]
    by_case = {item.case.pk: item for item in found}
    matched = SeizedItem.objects.filter(case__in=cases, register_machine__isnull=False).values_list(
        "case_id", "register_machine__identifier"
    )
    for case_id, identifier in matched:
        by_case[case_id].matched_machines.append(identifier)
    for item in found:
        item.matched_machines.sort()
    return found
