"""Batch printing through the admin: the actions on the licence and site lists (registrars and
senior officers only), the confirmation page and its reprint policy, the batch's page and its
JSON status, and the merged PDF for the printer."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from licensing.models import (
    AuditEvent,
    IssuedDocument,
    PrintBatch,
    PrintBatchItemState,
    PrintBatchState,
    Verb,
)
from licensing.services import batch_printing, batches
from licensing.services.issuing import issue_licence_document
from tests.documents.batch_helpers import (
    BATCHES,
    LICENCES,
    SITES,
    batch_url,
    pdf_reader,
    pdf_url,
    post_action,
    start,
    status_url,
    stored_pages,
)
from tests.documents.test_printing import pdf_text
from tests.factories import LicenceFactory, SiteFactory
from tests.portal.cases_world import client_for

pytestmark = pytest.mark.django_db


def offered_actions(client, url: str) -> list[str]:
    return re.findall(r'<option value="(\w+)"', client.get(url).content.decode())


def test_the_registrar_prints_selected_licences_from_the_licence_list(
    client, registrar, django_capture_on_commit_callbacks
):
    printed_before, fresh, revoked = (
        LicenceFactory(),
        LicenceFactory(),
        LicenceFactory(revoked=True),
    )
    issue_licence_document(licence_id=printed_before.pk, by=registrar)
    pks = [printed_before.pk, fresh.pk, revoked.pk]
    client.force_login(registrar)
    assert "print_selected_licences" in offered_actions(client, LICENCES)

    page = post_action(client, LICENCES, "print_selected_licences", pks)
    html = page.content.decode()
    assert page.status_code == 200
    assert "3 licences selected." in html
    assert "1 has never been printed." in html
    assert "1 has been printed before." in html
    assert "1 is no longer valid" in html
    assert not PrintBatch.objects.exists()  # nothing happens before the confirmation

    with django_capture_on_commit_callbacks(execute=True):
        response = start(client, pks)
    batch = PrintBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == batch_url(batch)
    batch.refresh_from_db()
    assert batch.requested_by == registrar
    assert (batch.state, batch.printed_count, batch.skipped_count) == (
        PrintBatchState.FINISHED,
        1,
        2,
    )
    assert IssuedDocument.objects.filter(licence=fresh).count() == 1
    assert IssuedDocument.objects.filter(licence=printed_before).count() == 1

    page = client.get(batch_url(batch)).content.decode()
    assert '<progress id="batch-progress" max="3" value="3"' in page
    assert "printed before" in page and "no longer valid" in page
    for licence in (printed_before, fresh, revoked):
        assert reverse("admin:licensing_licence_change", args=[licence.pk]) in page
    document = IssuedDocument.objects.get(licence=fresh)
    assert (
        reverse("admin:licensing_licence_issued_document", args=[fresh.pk, document.public_id])
        in page
    )
    assert pdf_url(batch) in page
    assert "data-refresh" not in page  # finished: nothing left to refresh


def test_the_registrar_prints_every_licence_of_a_site(
    client, registrar, django_capture_on_commit_callbacks
):
    site, other_site = SiteFactory(), SiteFactory()
    of_site = [
        LicenceFactory(sites=[site]),
        LicenceFactory(sites=[site], suspended=True),
        LicenceFactory(sites=[site, other_site]),
        LicenceFactory(sites=[site], expired=True),
    ]
    elsewhere = LicenceFactory(sites=[other_site])
    client.force_login(registrar)
    assert "print_licences_of_sites" in offered_actions(client, SITES)

    page = post_action(client, SITES, "print_licences_of_sites", [site.pk]).content.decode()
    assert "4 licences selected." in page
    assert "3 have never been printed." in page

    with django_capture_on_commit_callbacks(execute=True):
        response = start(client, [site.pk], action="print_licences_of_sites", url=SITES)
    batch = PrintBatch.objects.get()
    assert response["Location"] == batch_url(batch)
    assert list(batch.sites.all()) == [site]
    assert {item.licence_id for item in batch.items.all()} == {x.pk for x in of_site}
    batch.refresh_from_db()
    assert (batch.printed_count, batch.skipped_count, batch.failed_count) == (3, 1, 0)
    assert not IssuedDocument.objects.filter(licence=elsewhere).exists()


def test_reprinting_needs_a_reason_and_the_form_says_so(
    client, registrar, django_capture_on_commit_callbacks
):
    licence = LicenceFactory()
    issue_licence_document(licence_id=licence.pk, by=registrar)
    client.force_login(registrar)

    page = start(client, [licence.pk], policy="reprint", reason="  ")
    assert page.status_code == 200
    assert "A reason is required to reprint licences." in page.content.decode()
    assert re.search(r'value="reprint"[^>]*checked', page.content.decode())  # choice kept
    assert not PrintBatch.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        start(client, [licence.pk], policy="reprint", reason="Toner ran out on the first run")
    latest = IssuedDocument.objects.filter(licence=licence).latest("version")
    assert (latest.version, latest.reprint_reason) == (2, "Toner ran out on the first run")
    event = AuditEvent.objects.get(verb=Verb.PRINT_BATCH_STARTED)
    assert event.reason == "Toner ran out on the first run"


@pytest.mark.parametrize("role", ["officer", "inspector", "auditor"])
def test_without_print_document_the_actions_are_absent_and_refused(client, request, role):
    licence = LicenceFactory(sites=[SiteFactory()])
    client.force_login(request.getfixturevalue(role))
    for url, action, pk in (
        (LICENCES, "print_selected_licences", licence.pk),
        (SITES, "print_licences_of_sites", licence.sites.get().pk),
    ):
        assert action not in offered_actions(client, url)
        assert post_action(client, url, action, [pk]).status_code == 403
        assert start(client, [pk], action=action, url=url).status_code == 403
    assert not PrintBatch.objects.exists()
    assert not IssuedDocument.objects.exists()


def test_a_selection_over_the_limit_is_refused_with_a_message(client, registrar, settings):
    settings.PRINT_BATCH_MAX_LICENCES = 2
    pks = [LicenceFactory().pk for _ in range(3)]
    client.force_login(registrar)
    response = client.post(
        LICENCES,
        {"action": "print_selected_licences", "_selected_action": pks, "_start": "1"},
        follow=True,
    )
    assert "one batch prints at most 2" in response.content.decode()
    assert not PrintBatch.objects.exists()


def test_the_status_follows_the_job_and_is_for_staff_who_see_batches(
    client, registrar, auditor, officer, applicant_for, django_capture_on_commit_callbacks
):
    licences = [LicenceFactory() for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=False):  # the job has not started yet
        batch = batches.start_batch(licence_ids=[x.pk for x in licences], by=registrar)
    client.force_login(registrar)

    page = client.get(batch_url(batch)).content.decode()
    assert '<progress id="batch-progress" max="3" value="0"' in page
    assert f'data-status-url="{status_url(batch)}"' in page
    assert "data-refresh" in page  # the page works without script too
    assert "licensing/batch_progress.js" in page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)  # no inline script

    status = client.get(status_url(batch)).json()
    assert status["state"] == "queued"
    assert (status["printed"], status["remaining"], status["percent"]) == (0, 3, 0)
    assert status["finished"] is False

    batch_printing.run_batch(batch_id=batch.pk, limit=1)
    status = client.get(status_url(batch)).json()
    assert (status["state"], status["printed"], status["remaining"], status["percent"]) == (
        "running",
        1,
        2,
        33,
    )
    batch_printing.run_batch(batch_id=batch.pk)
    status = client.get(status_url(batch)).json()
    assert (status["state"], status["done"], status["finished"]) == ("finished", 3, True)

    client.force_login(auditor)  # reads batches
    assert client.get(status_url(batch)).status_code == 200
    client.force_login(officer)  # staff, but no batches
    assert client.get(status_url(batch)).status_code == 403
    assert client.get(batch_url(batch)).status_code == 403
    applicant = client_for(applicant_for(licences[0].holder))  # not staff
    assert applicant.get(status_url(batch)).status_code == 403
    client.force_login(registrar)
    missing = reverse("admin:licensing_printbatch_status", args=[batch.pk + 100])
    assert client.get(missing).status_code == 404


def test_the_merged_pdf_holds_every_printed_licence(
    client, registrar, senior, officer, django_capture_on_commit_callbacks
):
    licences = [LicenceFactory() for _ in range(3)]
    revoked = LicenceFactory(revoked=True)
    with django_capture_on_commit_callbacks(execute=True):
        batch = batches.start_batch(licence_ids=[x.pk for x in [*licences, revoked]], by=registrar)
    client.force_login(senior)  # someone else's batch: read only, but readable
    response = client.get(pdf_url(batch))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="print-batch-')
    assert response["X-Content-Type-Options"] == "nosniff"
    merged = b"".join(response.streaming_content)
    reader = pdf_reader(merged)
    documents = IssuedDocument.objects.filter(licence__in=licences)
    assert len(reader.pages) == sum(stored_pages(d) for d in documents) >= 3
    text = "\n".join(page.extract_text() for page in reader.pages)
    for licence in licences:
        assert licence.number in text
    for document in documents:
        assert document.code in text
    assert revoked.number not in text
    # Issue 20: each licence's signature covers its own file: in the printer's file it is
    # dropped (no broken signatures), and each signature stamp stays on its page.
    assert "/AcroForm" not in reader.trailer["/Root"]
    widgets = [a.get_object() for page in reader.pages for a in page.get("/Annots") or []]
    signature_fields = [w for w in widgets if w.get("/FT") == "/Sig"]
    assert len(signature_fields) == 3
    assert not any("/V" in w for w in signature_fields)
    assert pdf_text(merged).count("Signed electronically by") == 3
    event = AuditEvent.objects.for_object(batch).get(verb=Verb.PRINT_BATCH_DOWNLOADED)
    assert (event.actor, event.changes["documents"]) == (senior, 3)

    client.force_login(officer)
    assert client.get(pdf_url(batch)).status_code == 403


def test_a_batch_that_printed_nothing_has_no_pdf(client, registrar):
    batch = batches.start_batch(licence_ids=[LicenceFactory(revoked=True).pk], by=registrar)
    assert batch.state == PrintBatchState.FINISHED  # every item skipped at once
    client.force_login(registrar)
    assert pdf_url(batch) not in client.get(batch_url(batch)).content.decode()
    assert client.get(pdf_url(batch)).status_code == 404


def test_batches_are_listed_read_only_for_every_registrar(client, registrar, senior):
    mine = batches.start_batch(licence_ids=[LicenceFactory().pk], by=registrar)
    theirs = batches.start_batch(licence_ids=[LicenceFactory().pk], by=senior)
    client.force_login(registrar)
    listing = client.get(BATCHES).content.decode()
    assert batch_url(mine) in listing and batch_url(theirs) in listing
    page = client.get(batch_url(theirs)).content.decode()
    assert 'name="_save"' not in page
    assert client.get(reverse("admin:licensing_printbatch_add")).status_code == 403
    delete = reverse("admin:licensing_printbatch_delete", args=[theirs.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert PrintBatch.objects.count() == 2


def test_an_item_message_is_shown_in_the_reader_language(
    client, registrar, compiled_messages, settings
):
    batch = batches.start_batch(licence_ids=[LicenceFactory(revoked=True).pk], by=registrar)
    item = batch.items.get()
    assert item.state == PrintBatchItemState.SKIPPED
    english = item.message_display()
    with translation.override("nb"):
        norwegian = item.message_display()
    assert norwegian and norwegian != english
    client.force_login(registrar)
    # The middleware activates the reader's language in this thread: put English back after.
    with translation.override("en"):
        page = client.get(batch_url(batch), HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert norwegian in page.replace("&#x27;", "'")
