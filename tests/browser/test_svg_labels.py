"""Issue 14 in a real browser, on the demo data: no two labels of the dashboard's chart or of the
network drawing overlap, at the widths the admin is used at. Each ``<text>`` element's box is
read with ``getBoundingClientRect()`` (its ``getBBox()`` in screen coordinates); boxes may
touch, not intersect."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from duediligence.network import MAX_KEYS, MAX_LINKED, MAX_SECOND
from duediligence.services.indexing import index_party
from licensing.models import Party
from tests.browser.demo import admin_log_in
from tests.factories import BankAccountFactory, PersonFactory
from tests.factories.duediligence import LonePartyFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1280, 1024, 800)
# The demo parties with the most links (keys and linked parties), and the README's two.
DEMO_PARTIES = ("Fjordtobakk AS", "Elbe Tabakhandel GmbH", "Oder Import GmbH", "Wisła Tytoń")

# Every non-empty <text> of the SVG: its visible text (not its <title>) and its screen box.
TEXT_BOXES = """svg => [...svg.querySelectorAll("text")].map(text => {
    const box = text.getBoundingClientRect();
    const shown = [...text.childNodes]
        .filter(node => node.nodeName !== "title")
        .map(node => node.textContent)
        .join("");
    return {text: shown, left: box.left, top: box.top, right: box.right, bottom: box.bottom};
}).filter(box => box.text.trim() && box.right > box.left && box.bottom > box.top)"""


def overlapping(boxes: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """The pairs of boxes that intersect; touching edges (within rounding) is allowed."""
    epsilon = 0.01
    pairs = []
    for index, a in enumerate(boxes):
        for b in boxes[index + 1 :]:
            if (
                a["left"] < b["right"] - epsilon
                and b["left"] < a["right"] - epsilon
                and a["top"] < b["bottom"] - epsilon
                and b["top"] < a["bottom"] - epsilon
            ):
                pairs.append((a["text"], b["text"]))
    return pairs


def test_the_dashboard_chart_labels_do_not_overlap(
    demo: None, live_server: Any, new_page: Any
) -> None:
    page = new_page(viewport={"width": WIDTHS[0], "height": 900})
    admin_log_in(page, live_server, "officer")
    chart = page.locator(".dashboard-chart svg")
    found = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.reload()
        boxes = chart.evaluate(TEXT_BOXES)
        # Every month is named, in the label under its bar or in a year under it.
        assert len(boxes) >= 12, boxes
        found[width] = overlapping(boxes)
    assert found == {width: [] for width in WIDTHS}


def network_overlaps(page: Any, live_server: Any, party: Party) -> dict[str, Any]:
    found = {}
    for depth in (1, 2):
        url = reverse("admin:duediligence_network", args=[party.pk])
        page.goto(f"{live_server.url}{url}?depth={depth}")
        svg = page.locator(".network svg")
        assert svg.get_attribute("role") == "img"
        assert svg.locator("title#network-title").count() == 1
        assert page.locator(".network table").count() >= 2  # the same links, as tables
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            boxes = svg.evaluate(TEXT_BOXES)
            assert boxes, f"{party}: no label at depth {depth}"
            found[f"{party.legal_name}, depth {depth}, {width} px"] = overlapping(boxes)
    return found


def test_the_network_labels_of_the_demo_parties_do_not_overlap(
    demo: None, live_server: Any, new_page: Any
) -> None:
    page = new_page(viewport={"width": WIDTHS[0], "height": 900})
    admin_log_in(page, live_server, "officer")
    found: dict[str, Any] = {}
    for name in DEMO_PARTIES:
        party = Party.objects.get(legal_name__startswith=name)
        found.update(network_overlaps(page, live_server, party))
    assert found == {where: [] for where in found}


def test_a_full_network_with_long_names_has_no_overlapping_labels(
    live_server: Any, new_page: Any, officer: Any
) -> None:
    """As many keys, linked parties and parties at the second step as the view draws, each
    with a long name."""
    centre = LonePartyFactory(legal_name="Zentrale Tabakwarenhandelsgesellschaft mbH & Co. KG")
    for index in range(MAX_KEYS - 1):
        PersonFactory(
            party=centre,
            full_name=f"Maximiliane Wilhelmina Montgomery-Wolfenbüttel {index}",
            date_of_birth=dt.date(1950, 1, 1) + dt.timedelta(days=index),
        )
    account = BankAccountFactory(party=centre)
    linked = []
    for index in range(MAX_LINKED):
        other = LonePartyFactory(legal_name=f"Mannheimer Wirtschaftsgenossenschaft Nummer {index}")
        BankAccountFactory(party=other, iban=account.iban)
        linked.append(other)
    for index in range(MAX_SECOND):
        # Who shares a director with one of the linked parties, not with the centre.
        director = dict(full_name=f"Wendelin Mustermann {index}", date_of_birth=dt.date(1980, 1, 1))
        PersonFactory(party=linked[index % len(linked)], **director)
        far = LonePartyFactory(legal_name=f"Weitergehende Verbindungen Handels-AG {index}")
        PersonFactory(party=far, **director)
        index_party(far)
    for party in [centre, *linked]:
        index_party(party)

    page = new_page(viewport={"width": WIDTHS[0], "height": 900})
    admin_log_in(page, live_server, officer.username, password="correct horse battery staple")
    found = network_overlaps(page, live_server, centre)
    assert found == {where: [] for where in found}
