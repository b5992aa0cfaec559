"""A partner authority end to end, over HTTP on the loopback interface (Art. 21.1(a), (e)):
it obtains a token, reads a licence, follows the change feed across a suspension, receives the
signed notification of it on its own HTTP server and checks the signature with the published
key, then reports a machine it seized, which this authority matches against its register and
which flags the machine's holder in due diligence (Art. 18)."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from typing import Any

import pytest
from django.utils import timezone

from api import signing
from api.scopes import SCOPES
from duediligence.services.risk import party_risk
from licensing.services.licences import suspend_licence
from tests.api.receiver import Endpoint, endpoint_fixture  # noqa: F401 (a fixture)
from tests.factories.equipment import MachineFactory


class Partner:
    """What the partner's own system does: plain HTTP, no Django test client."""

    def __init__(self, base: str) -> None:
        self.base, self.token = base, ""

    def obtain_token(self, client_id: str, secret: str) -> dict[str, Any]:
        form = urllib.parse.urlencode(
            {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
        ).encode()
        token_url = f"{self.base}/api/v1/token/"
        answer = self._send(urllib.request.Request(token_url, data=form))  # noqa: S310
        self.token = answer["access_token"]
        return answer

    def get(self, path: str, **query: str) -> Any:
        url = f"{self.base}/api/v1/{path}" + (f"?{urllib.parse.urlencode(query)}" if query else "")
        return self._send(urllib.request.Request(url))  # noqa: S310

    def post(self, path: str, payload: Any) -> Any:
        request = urllib.request.Request(  # noqa: S310 (loopback)
            f"{self.base}/api/v1/{path}",
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json"},
        )
        return self._send(request)

    def _send(self, request: urllib.request.Request) -> Any:
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 (loopback)
            return json.loads(answer.read())


@pytest.mark.django_db(transaction=True)
def test_a_partner_authority_end_to_end(
    live_server: Any, make_partner: Any, officer: Any, endpoint: Endpoint
) -> None:
    machine = MachineFactory(serial_number="PM8-204417")
    licence, holder = machine.licence, machine.licence.holder
    registered, secret = make_partner(scopes=sorted(SCOPES), country="SE", name="Tullverket")
    partner = Partner(live_server.url)

    token = partner.obtain_token(registered.application.client_id, secret)
    assert token["token_type"] == "Bearer"
    assert set(token["scope"].split()) == set(SCOPES)

    read = partner.get(f"licences/{licence.number}/")
    assert (read["number"], read["state"]) == (licence.number, "active")

    feed = partner.get("licences/", changed_since=timezone.now().isoformat())
    subscription = partner.post("subscriptions/", {"endpoint": endpoint.url})
    keys = partner.get("signing-keys/")["keys"]

    suspend_licence(
        licence_id=licence.pk, by=officer, ground="other", reason="Unlicensed machine on site"
    )

    changes = partner.get("licences/", cursor=feed["next_cursor"])
    assert [(c["number"], c["from_state"], c["to_state"]) for c in changes["changes"]] == [
        (licence.number, "active", "suspended")
    ]
    assert partner.get(f"licences/{licence.number}/")["state"] == "suspended"

    (message,) = endpoint.received
    signing.verify(message.headers, message.body, [key["public_key"] for key in keys])
    body = json.loads(message.body)
    assert body["licence"]["number"] == licence.number
    assert body["licence"]["to_state"] == "suspended"
    deliveries = partner.get(f"subscriptions/{subscription['id']}/deliveries/")
    assert [d["state"] for d in deliveries["deliveries"]] == ["delivered"]

    received = partner.post(
        "seizures/",
        {
            "records": [
                {
                    "schema": "seizure/1",
                    "reporting_party": "SE",
                    "reference": "TV-2026-0042",
                    "agency": "Tullverket",
                    "seized_on": timezone.localdate().isoformat(),
                    "place": "Helsingborg",
                    "country": "SE",
                    "items": [
                        {
                            "kind": "machine",
                            "make": "HAUNI",
                            "model": "Protos M8",
                            "serial_number": "pm8 204417",
                            "quantity": "1",
                            "unit": "piece",
                        }
                    ],
                }
            ]
        },
    )
    (case,) = received["received"]
    assert case["external_reference"] == "TV-2026-0042"
    assert case["matched_machines"] == [machine.identifier]
    _score, rows = party_risk(holder.pk)
    assert ("seizure", "machine_seized") in {(row.source, row.code) for row in rows}
