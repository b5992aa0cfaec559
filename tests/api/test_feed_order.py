"""The change feed is stable under concurrent writes: a change whose transaction began first
but committed last is still read after a cursor that passed the later one (the feed follows
the audit chain's positions, given after commit; an order by time or id would skip it)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from api.scopes import LICENCES_READ
from licensing.services.licences import suspend_licence
from tests.factories.licensing import LicenceFactory


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_change_committed_late_is_not_skipped(api_as: Any, officer: Any) -> None:
    api = api_as(scopes=[LICENCES_READ])
    early, later = LicenceFactory(), LicenceFactory()
    cursor = api.get("/api/v1/licences/", {"changed_since": "2100-01-01T00:00:00Z"}).json()[
        "next_cursor"
    ]
    from django.db import transaction

    written, go_on = threading.Event(), threading.Event()

    def slow() -> None:
        try:
            with transaction.atomic():
                suspend_licence(
                    licence_id=early.pk, by=officer, ground="other", reason="First, committed last"
                )
                written.set()
                go_on.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=slow)
    thread.start()
    assert written.wait(10)
    suspend_licence(
        licence_id=later.pk, by=officer, ground="other", reason="Second, committed first"
    )
    page = api.get("/api/v1/licences/", {"cursor": cursor}).json()
    assert [c["number"] for c in page["changes"]] == [later.number]
    go_on.set()
    thread.join()
    page = api.get("/api/v1/licences/", {"cursor": page["next_cursor"]}).json()
    assert [c["number"] for c in page["changes"]] == [early.number]
