"""The legacy register import in the admin (Art. 9.2): the button, the upload, the check's
errors or preview, the confirmation, the result; who may; and the imported licences read well
in the admin, the portal and public verification. The check and the write are jobs queued on
commit: here they run when the request's transaction would have committed
(tests/exchange/test_import_job.py tests them as jobs)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from licensing.models import ImportState, LegacyImport, Licence
from tests.exchange.legacy_files import company, csv_bytes, person, upload, xlsx_from_dicts
from tests.factories import LicenceFactory
from tests.portal.cases_world import client_for

pytestmark = pytest.mark.django_db

LICENCES = reverse("admin:licensing_licence_changelist")
UPLOAD = reverse("admin:licensing_licence_import")


def post_file(client, content: bytes, name: str = "register.csv", **headers):
    return client.post(UPLOAD, {"file": upload(content, name)}, **headers)


def confirm_url(legacy: LegacyImport) -> str:
    return reverse("admin:licensing_licence_import_confirm", args=[legacy.public_id])


@pytest.fixture
def with_jobs(django_capture_on_commit_callbacks):
    """Make a request, then run the jobs it queued, as a worker would once it commits."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


def page_of(client, response, **headers) -> str:
    """The page a request redirected to, read after its jobs ran."""
    assert response.status_code == 302
    return client.get(response["Location"], **headers).content.decode()


def test_senior_officers_see_the_button_and_others_do_not(client, senior, officer, registrar):
    client.force_login(senior)
    assert UPLOAD in client.get(LICENCES).content.decode()
    for user in (officer, registrar):
        client.force_login(user)
        assert UPLOAD not in client.get(LICENCES).content.decode()


@pytest.mark.parametrize("role", ["officer", "registrar"])
def test_the_import_pages_are_refused_to_others(request, client, senior, role, with_jobs):
    staged = with_jobs(
        client_for(senior).post, UPLOAD, {"file": upload(csv_bytes([company("P-1")]))}
    )
    legacy = LegacyImport.objects.get()
    assert staged.status_code == 302
    client.force_login(request.getfixturevalue(role))
    detail = reverse("admin:licensing_licence_import_detail", args=[legacy.public_id])
    assert client.get(UPLOAD).status_code == 403
    assert post_file(client, csv_bytes([company("P-2")])).status_code == 403
    assert client.get(detail).status_code == 403
    assert client.post(confirm_url(legacy)).status_code == 403
    assert LegacyImport.objects.get().state == ImportState.VALIDATED
    assert not Licence.objects.exists()


def test_dry_run_preview_then_confirmation_then_the_result(client, senior, with_jobs):
    client.force_login(senior)
    page = client.get(UPLOAD).content.decode()
    assert 'enctype="multipart/form-data"' in page and "csrfmiddlewaretoken" in page
    assert "One file holds at most 2000000 rows and 1.0\xa0GB." in page

    response = with_jobs(post_file, client, csv_bytes([company("AD-1"), person("AD-2")]))
    legacy = LegacyImport.objects.get()
    preview = page_of(client, response)
    assert "The file is being checked in the background." in preview
    assert "2 licences" in preview and "2 new parties" in preview and "1 new site" in preview
    assert "AD-1" in preview and "Ola Nordmann" in preview
    assert "Confirm import" in preview and confirm_url(legacy) in preview
    assert not Licence.objects.exists()

    result = page_of(client, with_jobs(client.post, confirm_url(legacy)))
    assert "The import is being written in the background" in result
    assert "See the 2 imported licences in the list" in result
    assert set(Licence.objects.values_list("number", flat=True)) == {"AD-1", "AD-2"}
    listing = f"{LICENCES}?legacy_import__id__exact={legacy.pk}"
    assert listing.replace("&", "&amp;") in result or listing in result
    listed = client.get(listing).content.decode()
    assert "AD-1" in listed and "AD-2" in listed

    # A double click: the second post imports nothing and says so.
    again = page_of(client, with_jobs(client.post, confirm_url(legacy)))
    assert "already been confirmed" in again
    assert Licence.objects.count() == 2


def test_a_bad_file_shows_every_error_by_row_and_column_and_writes_nothing(
    client, senior, with_jobs
):
    client.force_login(senior)
    rows = [company("BR-1"), company("BR-2", valid_from="yesterday"), company("BR-3", email="x")]
    page = page_of(client, with_jobs(post_file, client, csv_bytes(rows)))
    assert "Nothing was imported. The file has 2 errors:" in page
    assert "<td>3</td><td>valid_from</td><td>Enter a date as YYYY-MM-DD.</td>" in page
    assert "<td>4</td><td>email</td>" in page
    assert "Upload a corrected file" in page and "Confirm import" not in page
    # The file is kept as refused, with its report; nothing of it is written.
    assert LegacyImport.objects.get().state == ImportState.REFUSED
    assert not Licence.objects.exists()


def test_the_report_is_in_the_officers_language(client, senior, compiled_messages, with_jobs):
    client.force_login(senior)
    rows = [company("HU-1"), company("HU-2", valid_from="2020.01.01")]
    response = with_jobs(post_file, client, csv_bytes(rows), HTTP_ACCEPT_LANGUAGE="hu")
    page = page_of(client, response, HTTP_ACCEPT_LANGUAGE="hu")
    with translation.override("hu"):
        expected = translation.gettext("Enter a date as YYYY-MM-DD.")
        heading = translation.ngettext(
            "Nothing was imported. The file has %(counter)s error:",
            "Nothing was imported. The file has %(counter)s errors:",
            1,
        ) % {"counter": 1}
    assert expected != "Enter a date as YYYY-MM-DD."
    assert f"<td>3</td><td>valid_from</td><td>{expected}</td>" in page
    assert heading in page


def test_a_number_taken_before_confirmation_shows_the_report(client, senior, with_jobs):
    client.force_login(senior)
    with_jobs(post_file, client, xlsx_from_dicts([company("TK-1")]), "register.xlsx")
    legacy = LegacyImport.objects.get()
    LicenceFactory(number="TK-1")
    page = page_of(client, with_jobs(client.post, confirm_url(legacy)))
    assert "Nothing was imported" in page
    assert (
        "<td>2</td><td>number</td><td>A licence with the number TK-1 already exists.</td>" in page
    )
    assert Licence.objects.count() == 1


def test_a_zip_bomb_upload_shows_the_reason(client, senior, with_jobs):
    from tests.exchange.legacy_files import rezipped

    client.force_login(senior)
    bomb = rezipped(xlsx_from_dicts([company("ZB-1")]), {}, add_zeros=("xl/a.bin", 20 * 2**20))
    page = page_of(client, with_jobs(post_file, client, bomb, "register.xlsx"))
    assert "zip bomb" in page and "<td>the file</td>" in page
    assert LegacyImport.objects.get().state == ImportState.REFUSED


# The imported licence elsewhere.


@pytest.fixture
def legacy_licence(senior, with_jobs) -> Licence:
    client = client_for(senior)
    with_jobs(client.post, UPLOAD, {"file": upload(csv_bytes([company("HU/2019/0042")]))})
    with_jobs(client.post, confirm_url(LegacyImport.objects.get()))
    return Licence.objects.get(number="HU/2019/0042")


def test_verification_finds_an_imported_legacy_number(client, legacy_licence):
    cache.clear()
    page = client.get(reverse("verify:licence", args=["hu/2019/0042"])).content.decode()
    assert "This licence is valid today." in page and "Nordkapp" in page
    data = client.get(reverse("verify:licence_json", args=["HU/2019/0042"])).json()
    assert data["valid"] is True and data["number"] == "HU/2019/0042"
    form = client.get(reverse("verify:form"), {"number": " hu/2019/0042 "}).content.decode()
    assert "This licence is valid today." in form
    # Text of the same shape that is no imported licence is still no licence number.
    assert client.get(reverse("verify:licence_json", args=["HU-1"])).json()["status"] == (
        "malformed"
    )


def test_the_admin_and_the_portal_show_a_licence_without_an_application(
    client, senior, legacy_licence, applicant_for
):
    client.force_login(senior)
    change = reverse("admin:licensing_licence_change", args=[legacy_licence.pk])
    page = client.get(change).content.decode()
    assert "HU/2019/0042" in page and "register.csv" in page
    found = client.get(LICENCES, {"q": "hu/2019/0042"}).content.decode()
    assert change in found
    licensee = applicant_for(legacy_licence.holder)
    portal = client_for(licensee).get(
        reverse("portal:licence_detail", kwargs={"public_id": legacy_licence.public_id})
    )
    assert portal.status_code == 200 and "HU/2019/0042" in portal.content.decode()


def test_auditors_read_the_import_record(client, auditor, legacy_licence):
    client.force_login(auditor)
    legacy = LegacyImport.objects.get()
    page = client.get(reverse("admin:licensing_legacyimport_change", args=[legacy.pk]))
    assert page.status_code == 200 and legacy.sha256 in page.content.decode()
    assert client.get(UPLOAD).status_code == 403
