"""On a phone a portal table is shown as stacked rows with its header row off-screen, so every
cell carries its column's name in ``data-label`` (shown by portal.css before the value)."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import ApplicationFactory, LicenceFactory, PartyFactory
from tests.factories.reports import LicenseeReportFactory

pytestmark = pytest.mark.django_db


class Tables(HTMLParser):
    """Each table's column headers and, for each body or footer cell, its column header text
    and its data-label (None when missing)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict[str, Any]] = []
        self.section = ""
        self.column = 0
        self.header: list[str] | None = None  # the text of a <th> of the header row, as read

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append({"headers": [], "cells": []})
        elif tag in ("thead", "tbody", "tfoot"):
            self.section = tag
        elif tag == "tr":
            self.column = 0
        elif tag == "th" and self.section == "thead":
            self.header = []
        elif tag in ("td", "th") and self.section in ("tbody", "tfoot"):
            table = self.tables[-1]
            header = table["headers"][self.column] if self.column < len(table["headers"]) else ""
            table["cells"].append((tag, header, dict(attrs).get("data-label")))
            self.column += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "th" and self.header is not None:
            self.tables[-1]["headers"].append(" ".join("".join(self.header).split()))
            self.header = None

    def handle_data(self, data: str) -> None:
        if self.header is not None:
            self.header.append(data)


def tables_in(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200
    parser = Tables()
    parser.feed(response.content.decode())
    return parser.tables


def assert_labelled(tables: list[dict[str, Any]]) -> int:
    """Every <td> has its column's header as its non-empty label; returns how many there are."""
    count = 0
    for table in tables:
        for tag, header, label in table["cells"]:
            if tag == "td":
                assert label, f"a cell under {header!r} has no data-label"
                assert label == header
                count += 1
            elif label is not None:  # a row header may be labelled too, then rightly
                assert label == header
    return count


@pytest.fixture
def world(applicant_for):
    party = PartyFactory(approved=True)
    licence = LicenceFactory(holder=party)
    submitted = ApplicationFactory(party=party, submitted=True)
    # Art. 6.3(g): an application proposing a change of the licensee's records.
    changing = ApplicationFactory(
        party=party,
        submitted=True,
        party_changes={"base_version": 1, "fields": {"trade_name": "Ny Tobakk"}},
    )
    ApplicationFactory(party=party)
    ApplicationFactory(party=party, refused=True)
    LicenseeReportFactory(licensee=party)  # Art. 10.1(a): a report in the licensee's list
    return {
        "user": applicant_for(party),
        "licence": licence,
        "submitted": submitted,
        "changing": changing,
    }


def test_every_cell_of_every_portal_table_is_labelled_with_its_column(client, world):
    client.force_login(world["user"])
    licence, submitted = world["licence"], world["submitted"]
    pages = {
        "portal/home.html": (reverse("portal:home"), 4),
        "portal/cases/licence_list.html": (reverse("portal:licence_list"), 1),
        "portal/cases/licence_detail.html": (
            reverse("portal:licence_detail", kwargs={"public_id": licence.public_id}),
            1,
        ),
        "portal/cases/application_fee.html": (
            reverse("portal:application_fee", kwargs={"public_id": submitted.public_id}),
            1,
        ),
        "portal/apply/drafts.html": (reverse("portal:draft_list"), 1),
        "portal/cases/application_detail.html": (
            reverse("portal:application_detail", kwargs={"public_id": world["changing"].public_id}),
            1,
        ),
        "portal/reports/report_list.html": (reverse("portal:report_list"), 1),
    }
    for template, (url, expected_tables) in pages.items():
        tables = tables_in(client.get(url))
        assert len(tables) == expected_tables, template  # every table has rows to check
        assert assert_labelled(tables) >= expected_tables, template

    # A table added to another portal template must be added here too.
    root = Path(settings.BASE_DIR) / "templates"
    with_tables = {
        str(path.relative_to(root))
        for path in (root / "portal").rglob("*.html")
        if "<table" in path.read_text()
    }
    assert with_tables == set(pages)


def test_labels_are_translated(client, world):
    client.force_login(world["user"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "hu"
    tables = tables_in(client.get(reverse("portal:home")))
    assert assert_labelled(tables)  # each label is still its (translated) column header
