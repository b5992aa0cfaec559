"""Migration api 0006 (issue 23, Art. 22.1): the partner clients registered before the directory
of competent authorities each get the authority of their Party and name (one for two clients of
the same authority, whatever the case of its letters), and keep their credentials and scopes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from oauth2_provider.models import get_application_model

from api.models import PartnerClient
from cooperation.models import CompetentAuthority

BEFORE = [("api", "0005_call_append_only")]


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="run once, on PostgreSQL (production's engine): SQLite rebuilds its tables to "
    "migrate back and forth, minutes of a suite that keeps under 30",
)
@pytest.mark.django_db(transaction=True)
def test_the_clients_registered_before_get_their_authority() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    # The client as it was; the users and OAuth2 applications as they are (their tables were
    # not rolled back), named by id.
    OldClient = executor.loader.project_state(BEFORE).apps.get_model("api", "PartnerClient")
    User, Application = get_user_model(), get_application_model()
    senior = User.objects.create(username="migration-senior")
    for number, (name, country) in enumerate(
        [("Tullverket", "SE"), ("TULLVERKET", "SE"), ("Tullverket", "FI"), ("NAV", "HU")]
    ):
        OldClient.objects.create(
            name=name,
            country=country,
            contact_email=f"api{number}@example.org",
            scopes=["licences:read"],
            expires_on=dt.date(2027, 1, 1),
            application_id=Application.objects.create(
                name=name,
                client_type="confidential",
                authorization_grant_type="client-credentials",
            ).pk,
            account_id=User.objects.create(username=f"partner-{number}").pk,
            created_by_id=senior.pk,
        )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    clients = list(PartnerClient.objects.select_related("authority").order_by("pk"))
    assert [(c.name, c.country.code) for c in clients] == [
        ("Tullverket", "SE"),
        ("Tullverket", "SE"),
        ("Tullverket", "FI"),
        ("NAV", "HU"),
    ]
    assert clients[0].authority == clients[1].authority
    assert CompetentAuthority.objects.count() == 3
    first = clients[0].authority
    assert (first.email, first.channels, first.personal_data_allowed) == (
        "api0@example.org",
        ["api"],
        False,  # Art. 5, 22.2: not allowed until an officer records the agreement
    )
    assert [c.scopes for c in clients] == [["licences:read"]] * 4
