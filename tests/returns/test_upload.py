"""A return uploaded as a CSV or XLSX file (Art. 9.2): a dry run first, filed only on the
confirmation, from the rows kept on the server. A file with any error files nothing, and each
error is shown with its row and column; hostile files are refused, never a server error."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from returns.models import FiledThrough, Return, ReturnPeriod
from returns.upload import COLUMNS, template_csv
from tests.exchange.legacy_files import rezipped
from tests.factories.returns import ReturnFactory, ReturnPeriodFactory
from tests.returns.files import (
    a_return,
    csv_bytes,
    customer_row,
    line_row,
    payment_row,
    supplier_row,
    upload,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def period() -> ReturnPeriod:
    return ReturnPeriodFactory()


@pytest.fixture
def holder(client: Client, period: ReturnPeriod, applicant_for: Any) -> Any:
    user = applicant_for(period.party)
    client.force_login(user)
    return user


def post(client: Client, period: ReturnPeriod, content: bytes, name: str = "r.csv", **data: Any):
    url = reverse("returns:upload", kwargs={"period_id": period.pk})
    return client.post(url, {"file": upload(content, name), **data})


def refused(response: Any) -> list[tuple[int, str]]:
    """The (row, column) of every error shown; checks the page and that nothing was filed."""
    assert response.status_code == 400
    assert "The file was not filed" in response.content.decode()
    assert not Return.objects.exists()
    return [(e.row, e.column) for e in response.context["dry_run"].errors]


def test_an_upload_is_checked_shown_and_filed_only_when_confirmed(
    client: Client, period: ReturnPeriod, holder: Any
) -> None:
    response = post(client, period, csv_bytes(a_return()))
    assert response.status_code == 302
    dry_run_url = response.url
    page = client.get(dry_run_url).content.decode()
    assert "Leverandør AS" in page and "Kunde AS" in page and "DNB Bank ASA" in page
    assert "File this return" in page
    assert not Return.objects.exists()  # a dry run files nothing

    response = client.post(dry_run_url)
    assert response.status_code == 302
    filed = Return.objects.get(period=period)
    assert (filed.version, filed.filed_through) == (1, FiledThrough.UPLOAD)
    assert filed.lines.get().imported == Decimal(10000)
    assert sorted(filed.counterparts.values_list("role", flat=True)) == ["customer", "supplier"]
    assert filed.payments.get().amount == Decimal("50000.00")
    # The token is used up: a second click files nothing more.
    assert client.post(dry_run_url).status_code == 302
    assert Return.objects.count() == 1


def test_a_workbook_and_a_semicolon_csv_are_read_alike(
    client: Client, period: ReturnPeriod, holder: Any
) -> None:
    assert post(client, period, xlsx_bytes(a_return()), "r.xlsx").status_code == 302
    semicolons = csv_bytes(a_return()).decode().replace(",", ";").encode()
    assert post(client, period, semicolons).status_code == 302


def test_the_downloaded_template_is_itself_a_valid_return(
    client: Client, period: ReturnPeriod, holder: Any
) -> None:
    response = client.get(reverse("returns:template"))
    assert response["Content-Type"].startswith("text/csv")
    content = response.content
    assert content.decode().splitlines()[0] == ",".join(COLUMNS)
    assert content == template_csv().encode()
    assert post(client, period, content).status_code == 302


def test_the_confirmation_files_the_rows_kept_on_the_server_not_a_forged_token(
    client: Client, period: ReturnPeriod, holder: Any, applicant_for: Any
) -> None:
    dry_run_url = post(client, period, csv_bytes(a_return())).url
    forged = reverse("returns:dry_run", kwargs={"period_id": period.pk, "token": "forged"})
    assert client.post(forged, {"rows": "anything"}).status_code == 302
    other = Client()
    other.force_login(applicant_for(period.party))  # another session has no such dry run
    assert other.post(dry_run_url).status_code == 302
    assert not Return.objects.exists()


def test_a_correction_by_upload_needs_a_reason_and_makes_version_2(
    client: Client, period: ReturnPeriod, holder: Any
) -> None:
    ReturnFactory(period=period, filed_by=holder)
    response = post(client, period, csv_bytes(a_return()))
    assert response.status_code == 400
    assert "Say why you correct the return." in response.content.decode()

    response = post(client, period, csv_bytes(a_return()), reason="Forgot the customers.")
    assert "Forgot the customers." in client.get(response.url).content.decode()
    assert client.post(response.url).status_code == 302
    second = Return.objects.get(period=period, version=2)
    assert second.reason == "Forgot the customers." and second.counterparts.count() == 2


@pytest.mark.parametrize(
    ("rows", "expected", "message"),
    [
        ([line_row(stock_start="-5")], (2, "stock_start"), "A quantity cannot be negative."),
        ([line_row(sold="lots")], (2, "sold"), "Enter a number"),
        ([line_row(sold="1.2345")], (2, "sold"), "Enter at most 3 decimals."),
        ([line_row(product_type="snus")], (2, "product_type"), "Unknown product type."),
        ([line_row(measure="litres")], (2, "measure"), "Use units or kg."),
        ([line_row(), line_row()], (3, "product_type"), "already on row 2"),
        ([line_row(kind="stock")], (2, "kind"), "Unknown kind"),
        (
            [line_row(), customer_row(registration_number="923609017")],
            (3, "registration_number"),
            "This is not a valid registration number in NO.",
        ),
        (
            [line_row(), supplier_row(registration_number="", tax_number="HU12345678")],
            (3, "tax_number"),
            "This is not a valid tax number in NO.",
        ),
        (
            [line_row(), customer_row(registration_number="")],
            (3, "registration_number"),
            "Give its registration number or its tax number.",
        ),
        ([line_row(), customer_row(quantity="0")], (3, "quantity"), "more than 0"),
        ([line_row(), customer_row(country="XX")], (3, "country"), "two-letter ISO code"),
        ([line_row(), payment_row(bank_country="")], (3, "bank_country"), "country"),
        ([line_row(), payment_row(currency="kroner")], (3, "currency"), "three letters"),
        ([line_row(), payment_row(amount="-1")], (3, "amount"), "more than 0"),
        ([line_row(amount="5")], (2, "amount"), "not used in a “line” row"),
        ([customer_row()], (0, "kind"), "no product line"),
    ],
)
def test_a_bad_cell_is_shown_by_row_and_column_and_nothing_is_filed(
    client: Client, period: ReturnPeriod, holder: Any, rows: Any, expected: Any, message: str
) -> None:
    response = post(client, period, csv_bytes(rows))
    assert expected in refused(response)
    assert message in response.content.decode()


def test_errors_in_many_rows_are_all_listed(
    client: Client, period: ReturnPeriod, holder: Any
) -> None:
    rows = [line_row(stock_start="-1"), customer_row(quantity="x"), payment_row(currency="")]
    assert refused(post(client, period, csv_bytes(rows))) == [
        (2, "stock_start"),
        (3, "quantity"),
        (4, "currency"),
    ]


def test_unknown_and_missing_columns_are_named(
    client: Client, period: ReturnPeriod, holder: Any
) -> None:
    headers = ["kind", "product", "measure"]
    response = post(client, period, csv_bytes([{"kind": "line", "measure": "kg"}], headers))
    assert refused(response) == [(1, "product")]
    assert "Unknown column “product”" in response.content.decode()

    headers = ["kind", "product_type", "measure", "stock_start"]
    response = post(client, period, csv_bytes([line_row(), customer_row()], headers))
    errors = refused(response)
    assert (1, "name") in errors and (1, "quantity") in errors
    assert "The column “quantity” is missing." in response.content.decode()

    response = post(client, period, csv_bytes([line_row()], ["product_type", "measure"]))
    assert refused(response) == [(1, "kind")]


def test_a_file_of_a_hundred_thousand_rows_is_refused_whole(
    client: Client, period: ReturnPeriod, holder: Any, settings: Any
) -> None:
    content = b"kind,product_type,measure,sold\n" + b"line,cigarettes,units,1000\n" * 100_000
    # The row cap, not the size cap; larger than what an upload keeps in memory.
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE < len(content) < settings.RETURN_MAX_BYTES
    response = post(client, period, content)
    assert refused(response) == [(0, "")]
    assert f"more than {settings.RETURN_MAX_ROWS} rows" in response.content.decode()


def test_a_file_over_the_size_cap_is_refused_before_it_is_read(
    client: Client, period: ReturnPeriod, holder: Any, settings: Any
) -> None:
    settings.RETURN_MAX_BYTES = 1024
    response = post(client, period, csv_bytes(a_return() * 10))
    assert refused(response) == [(0, "")]
    assert "larger than" in response.content.decode()


def test_a_zip_bomb_is_refused(client: Client, period: ReturnPeriod, holder: Any) -> None:
    bomb = rezipped(xlsx_bytes(a_return()), {}, add_zeros=("xl/media/a.bin", 60 * 2**20))
    response = post(client, period, bomb, "r.xlsx")
    assert refused(response) == [(0, "")]
    assert "zip bomb" in response.content.decode()


def test_a_formula_cell_is_refused_never_evaluated(
    client: Client, period: ReturnPeriod, holder: Any
) -> None:
    rows = [line_row(sold="=9000+1"), customer_row(name='=HYPERLINK("http://evil.example")')]
    response = post(client, period, xlsx_bytes(rows), "r.xlsx")
    assert refused(response) == [(2, "sold"), (3, "name")]
    assert "A formula is not accepted here" in response.content.decode()

    response = post(client, period, csv_bytes([line_row(stock_end=" =1+1")]))
    assert refused(response) == [(2, "stock_end")]


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "r.csv", "The file is empty."),
        (b"kind,product_type\n", "r.pdf", "Upload a CSV (.csv) or XLSX (.xlsx) file."),
        (b"kind;x\n\xff\xfe", "r.csv", "UTF-8"),
        (b"not a zip", "r.xlsx", "not an XLSX workbook"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_clearly(
    client: Client, period: ReturnPeriod, holder: Any, content: bytes, name: str, message: str
) -> None:
    response = post(client, period, content, name)
    assert response.status_code == 400
    assert message in re.sub(r"\s+", " ", response.content.decode())
    assert not Return.objects.exists()
