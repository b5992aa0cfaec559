"""What the assistance tests share: a licensed holder whose records have versions (as an
approval writes them, licensing.services.versions), so that the register can be read as of a
day; and a recorded inbound request about its licence."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from cooperation.models import AssistanceCase, Direction, SubjectKind
from cooperation.services import cases
from licensing.models.versions import RecordSource
from licensing.services.versions import write_version
from tests.documents.test_printing import pdf_text  # noqa: F401 (the PDF's text, for the tests)
from tests.factories import LicenceFactory
from tests.factories.cooperation import CompetentAuthorityFactory
from tests.factories.licensing import PersonFactory


def versioned_licence(*, since_days: int = 30) -> tuple[Any, Any]:
    """A licence whose holder and director were approved ``since_days`` ago."""
    licence = LicenceFactory()
    holder = licence.holder
    person = PersonFactory(
        party=holder, full_name="Ilona Kovács", identity_document_number="AB1234567"
    )
    when = timezone.now() - dt.timedelta(days=since_days)
    type(licence).objects.filter(pk=licence.pk).update(
        issued_at=when, valid_from=timezone.localdate(when)
    )
    licence.refresh_from_db()
    write_version(holder, when=when, source=RecordSource.MIGRATION)
    write_version(person, when=when, source=RecordSource.MIGRATION)
    return licence, person


def inbound(officer: Any, licence: Any, *, authority: Any = None, **fields: Any) -> AssistanceCase:
    today = timezone.localdate()
    values = {
        "direction": Direction.INBOUND,
        "authority": authority or CompetentAuthorityFactory(),
        "their_reference": "SE-2026-4711",
        "received_on": today - dt.timedelta(days=2),
        "due_on": today + dt.timedelta(days=20),
        "subject_kind": SubjectKind.LICENCE,
        "licence": licence,
        "question": "Licence status and directors of the holder; consignment seized at Malmö.",
        "justification": "Investigation of cigarettes seized at Malmö harbour.",
        **fields,
    }
    case = AssistanceCase(**values)
    return cases.record_case(case=case, by=officer)
