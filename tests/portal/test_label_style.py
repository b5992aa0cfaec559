"""Every label of the filing's pages starts as docs/translations.md says (issue 14): with a
capital letter, in English, Norwegian and Hungarian alike (lower-case labels in the catalogue
are capitalised where they are shown)."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest

from licensing.models import Application
from licensing.portal.apply_steps import STEPS
from tests.portal.apply_helpers import step
from tests.portal.test_formset_rows import new_legal_party_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("compiled_messages")]

LABEL = re.compile(r"<(label|legend)\b([^>]*)>(.*?)</\1>", re.S)
CHOICE = re.compile(r'for="[^"]*_\d+"')  # id_activities_0: one choice of a group


def labels(html: str) -> list[str]:
    """The labels and legends of fields; not a choice's own label (a radio or a checkbox with
    its text), which reads on after its question and stays lower-case."""
    found = []
    for match in LABEL.finditer(html):
        if "<input" in match.group(3) or CHOICE.search(match.group(2)):
            continue
        text = unescape(re.sub(r"<[^>]+>", "", match.group(3))).strip()
        if text:
            found.append(text)
    return found


@pytest.mark.parametrize("language", ["en", "nb", "hu"])
def test_every_label_of_every_step_starts_with_a_capital(client: Any, language: str) -> None:
    party = new_legal_party_for(client)
    client.post(step(party.public_id, "activities"), {"activities": ["manufacture_products"]})
    application = Application.objects.get(party=party)
    wrong: list[str] = []
    for filing_step in STEPS:
        target = (
            party
            if filing_step.slug in ("identity", "tax", "affiliates", "people")
            else application
        )
        response = client.get(
            step(target.public_id, filing_step.slug), HTTP_ACCEPT_LANGUAGE=language, follow=True
        )
        for text in labels(response.content.decode()):
            first = next((ch for ch in text if ch.isalpha()), "")
            if first and not first.isupper():
                wrong.append(f"{filing_step.slug}: {text}")
    assert not wrong, wrong
