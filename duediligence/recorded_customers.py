"""The suppliers-and-customers check's counterparties (Art. 7.2(a), 14.1(g)): the business
customers a licensee named in its own customer due-diligence records (Art. 7.1 to 7.3), filed
through the portal. The core's application records no counterparties; a licensee applying to
renew has told the authority whom it supplies, and those customers must hold a licence.

Natural persons are left out: a retailer's customers are consumers, who need none."""

from __future__ import annotations

from typing import Any

from duediligence.models import LicenseeReport, ReportKind, ReportState
from duediligence.screening import Counterparty


def recorded_customers(application: Any) -> list[Counterparty]:
    rows = (
        LicenseeReport.objects.filter(
            licensee_id=application.party_id,
            kind=ReportKind.CUSTOMER_RECORD,
            natural_person=False,
        )
        .exclude(state=ReportState.DISMISSED)
        .order_by("customer_name", "pk")
        .values_list("customer_name", "country", "registration_number")
    )
    seen: set[tuple[str, str, str]] = set()
    found: list[Counterparty] = []
    for name, country, number in rows:
        key = (name, str(country), number)
        if key not in seen:
            seen.add(key)
            found.append(
                Counterparty(
                    name=name, country=str(country), registration_number=number, role="customer"
                )
            )
    return found
