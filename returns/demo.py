"""The periodic returns' part of the demo world (``manage.py build_demo_fixture``), run by the
core's story runner through ``ReturnsConfig.demo_stories``: the core does not import this app.
Days are counted back from the build date.

- The returns job (``returns.tasks.run_return_jobs``) went live ``GO_LIVE`` days before the
  build and has run every morning since, the build day included: every licence in force has
  its periods open, its reminders and chasers sent, and an officer's task for each return
  overdue. Running the job again on the build day sends nothing more, except for Nordlys
  (below).
- Fjordtobakk AS (its portal user is the demo ``applicant``; manufacture and export, so it
  files monthly) files each month's return six days before it is due, those it owed at go-live
  two days after it, each with two product lines, its supplier (Alföldi, raw tobacco)
  and customers (Nordlys, Göta Snus) and its payments. Its third return also names a customer
  that holds no licence (Kiosk Bryggen AS), which the checks flag (Art. 7.4). The last month's
  return is due and not filed.
- Alföldi Dohánytermesztő Bt. (growing: quarterly) files nothing: its last quarter's return is
  open for the Hungarian portal user ``applicant-hu`` (``load_demo`` makes that user through
  ``demo_loaded``, below) to file, in Hungarian.
- Nordlys Import AS (import and wholesale: monthly) has, besides the periods the job opened, a
  return an officer opened by hand after the build's last job run, for the month before the
  job's look-back, overdue: no reminder or chaser was ever sent for it, so the next run of the
  job sends exactly one chaser (the latest ``RETURN_CHASER_DAYS`` threshold it has passed)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from licensing.demo.users import demo_password, ensure_portal_user
from licensing.models import Licence, Party
from returns.models import ReturnPeriod
from returns.seed import month_end
from returns.services.filing import ReturnData, file_return

GO_LIVE = 15  # days before the build: the returns job's first run (under 20: see below)
FILE_EARLY = 6  # Fjordtobakk files this many days before the due date
FLAGGED = 3  # Fjordtobakk's third return names an unlicensed customer

HUNGARIAN_USERNAME = "applicant-hu"
HUNGARIAN_PARTY = "Alföldi Dohánytermesztő Bt."
UNLICENSED: dict[str, Any] = {
    "role": "customer",
    "name": "Kiosk Bryggen AS",
    "country": "NO",
    "registration_number": "NO 923 456 787",
    "licence_number": "",
    "product_type": "cigarettes",
    "measure": "units",
    "quantity": Decimal("12000"),
}


def stories(w: Any) -> list[Iterator[int]]:
    return [returns_story(w)]


def run_job() -> None:
    """What beat runs every morning (the task's body, in this process)."""
    from returns.tasks import run_return_jobs

    run_return_jobs()


def returns_story(w: Any) -> Iterator[int]:
    filed = 0
    for days_ago in range(GO_LIVE, -1, -1):
        yield days_ago
        run_job()
        today = timezone.localdate()
        fjord = w.licences["fjord"]
        backlog = days_ago == GO_LIVE - 2  # the returns overdue at go-live, filed at once
        for period in ReturnPeriod.objects.filter(licence=fjord, filed_at__isnull=True).order_by(
            "starts_on"
        ):
            early = period.due_on - dt.timedelta(days=FILE_EARLY)
            if early == today or (backlog and early < today):
                filed += 1
                file_return(
                    period_id=period.pk,
                    by=w.by("fjord"),
                    data=fjord_data(w, period, filed, unlicensed=filed == FLAGGED),
                    through="form",
                )
    open_forgotten_period(w)


def _party_fields(party: Party, licence: Licence) -> dict[str, Any]:
    return {
        "name": party.legal_name,
        "country": str(party.country),
        "registration_number": party.registration_number,
        "licence_number": licence.number,
    }


def fjord_data(w: Any, period: ReturnPeriod, n: int, *, unlicensed: bool) -> ReturnData:
    """One month of Fjordtobakk's trade: sticks made, sold in Norway to Nordlys, exported to
    Göta Snus; Virginia leaf imported from Alföldi. The stock equation holds."""
    made = Decimal(150_000 + 5_000 * n)
    sold, exported = Decimal(60_000 + 1_000 * n), Decimal(58_000)
    extra = UNLICENSED["quantity"] if unlicensed else Decimal(0)
    stock = Decimal(40_000 + 2_000 * n)
    leaf_start, leaf_in = Decimal("2400.000"), Decimal(120 + n * 5)
    on = period.ends_on
    customers = [
        {
            "role": "customer",
            **_party_fields(w.parties["nordlys"], w.licences["nordlys"]),
            "product_type": "cigarettes",
            "measure": "units",
            "quantity": sold - extra,
            "traded_on": on,
        },
        {
            "role": "customer",
            **_party_fields(w.parties["gota"], w.licences["gota"]),
            "product_type": "cigarettes",
            "measure": "units",
            "quantity": exported,
            "traded_on": on,
        },
    ]
    if unlicensed:
        customers.append({**UNLICENSED, "traded_on": on})
    return ReturnData(
        lines=[
            {
                "product_type": "cigarettes",
                "measure": "units",
                "stock_start": stock,
                "produced": made,
                "sold": sold,
                "exported": exported,
                "destroyed": Decimal(0),
                "stock_end": stock + made - sold - exported,
            },
            {
                "product_type": "raw_tobacco",
                "measure": "kg",
                "stock_start": leaf_start,
                "imported": leaf_in,
                "stock_end": leaf_start + leaf_in,
            },
        ],
        counterparts=[
            {
                "role": "supplier",
                **_party_fields(w.parties["alfold"], w.licences["alfold"]),
                "product_type": "raw_tobacco",
                "measure": "kg",
                "quantity": leaf_in,
                "traded_on": on,
            },
            *customers,
        ],
        payments=[
            {
                "method": "transfer",
                "bank_name": "DNB Bank ASA",
                "bank_country": "NO",
                "amount": (sold * Decimal("0.42")).quantize(Decimal("0.01")),
                "currency": "NOK",
            },
            {
                "method": "cash",
                "bank_name": "",
                "bank_country": "",
                "amount": Decimal("850.00"),
                "currency": "NOK",
            },
        ],
    )


def open_forgotten_period(w: Any) -> ReturnPeriod:
    """Nordlys's return for the last month that ended before the first run's look-back
    (``GO_LIVE`` + ``RETURN_LOOK_BACK_DAYS`` days before the build), opened by hand after the
    build day's run: overdue, never reminded, and recent enough for the chasers' last window
    (``returns.services.reminders.oldest_chased``), as ``GO_LIVE`` is under 20 days."""
    today = timezone.localdate()
    limit = today - dt.timedelta(days=GO_LIVE + settings.RETURN_LOOK_BACK_DAYS + 1)
    end = (limit + dt.timedelta(days=1)).replace(day=1) - dt.timedelta(days=1)
    start = end.replace(day=1)
    licence = w.licences["nordlys"]
    period = ReturnPeriod(
        licence=licence,
        party=licence.holder,
        frequency="monthly",
        starts_on=start,
        ends_on=month_end(start, 0),
        due_on=end + dt.timedelta(days=settings.RETURN_DUE_DAYS),
    )
    period.full_clean()
    period.save()
    return period


def ensure_hungarian_applicant(*, password: str | None) -> Any:
    """The demo's Hungarian portal user: acts for Alföldi Dohánytermesztő Bt., pages in
    Hungarian. Idempotent; ``load_demo`` calls it through ``demo_loaded``."""
    return ensure_portal_user(
        username=HUNGARIAN_USERNAME,
        first_name="Zsófia",
        last_name="Varga",
        language="hu",
        parties=Party.objects.filter(legal_name=HUNGARIAN_PARTY),
        password=password,
    )


def on_demo_loaded(sender: Any, **kwargs: Any) -> None:
    """``load_demo`` finished: make the Hungarian portal user (connected in ``ready``)."""
    ensure_hungarian_applicant(password=demo_password())
