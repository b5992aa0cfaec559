"""The screening keys of a licensee's report: the counterparty it names, under the same
normalised keys as the register's parties (``duediligence.normalise``), with the report as
their source. Indexed when the report is filed; ``report_source`` decides when they count."""

from __future__ import annotations

from collections.abc import Iterator

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from duediligence.models import KeyKind, LicenseeReport, ScreeningKey
from duediligence.normalise import (
    account_key,
    free_address_key,
    iban_key,
    id_document_key,
    name_key,
    number_key,
    person_key,
)


def report_keys(report: LicenseeReport) -> Iterator[tuple[str, str]]:
    country = str(report.country)
    yield KeyKind.NAME, name_key(report.customer_name)
    yield KeyKind.REGISTRATION, number_key(country, report.registration_number)
    yield KeyKind.TAX, number_key(country, report.tax_number)
    yield KeyKind.ADDRESS, free_address_key(report.address, country)
    if report.iban:
        yield KeyKind.IBAN, iban_key(report.iban)
    else:
        yield KeyKind.ACCOUNT, account_key(str(report.bank_country), report.account_number)
    if report.natural_person:
        yield KeyKind.PERSON, person_key(report.customer_name, report.date_of_birth)
    yield (
        KeyKind.ID_DOCUMENT,
        id_document_key(str(report.identity_document_country), report.identity_document_number),
    )


@transaction.atomic
def index_report(report: LicenseeReport) -> int:
    """Replace the report's keys (a report is not edited after filing, so this runs once; the
    rebuild of every index, ``index_all_reports``, runs it again)."""
    source_type = ContentType.objects.get_for_model(LicenseeReport)
    ScreeningKey.objects.filter(source_type=source_type, source_id=report.pk).delete()
    seen: set[tuple[str, str]] = set()
    keys = []
    for kind, value in report_keys(report):
        if value and (kind, value) not in seen:
            seen.add((kind, value))
            keys.append(
                ScreeningKey(
                    kind=kind, value=value[:255], source_type=source_type, source_id=report.pk
                )
            )
    ScreeningKey.objects.bulk_create(keys)
    return len(keys)


def index_all_reports() -> int:
    return sum(index_report(report) for report in LicenseeReport.objects.order_by("pk"))
